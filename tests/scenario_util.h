// Small helpers shared by the scenario tests: loading the example policies,
// building events, local (+08:00) instants and looking up results.
#ifndef STANDING_TESTS_SCENARIO_UTIL_H_
#define STANDING_TESTS_SCENARIO_UTIL_H_

#include <cstdint>
#include <fstream>
#include <functional>
#include <memory>
#include <sstream>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "google/protobuf/io/zero_copy_stream_impl_lite.h"
#include "google/protobuf/util/delimited_message_util.h"
#include "google/protobuf/util/message_differencer.h"
#include "gtest/gtest.h"
#include "standing/engine.h"
#include "standing/policy.h"
#include "standing/v1/snapshot.pb.h"

namespace standing::scenario {

// UTC seconds of a local wall-clock time in the policies' zone (+08:00).
inline int64_t Local(int year, int month, int day, int hour = 12,
                     int minute = 0, int second = 0) {
  static const absl::TimeZone kZone = absl::FixedTimeZone(8 * 60 * 60);
  return absl::ToUnixSeconds(absl::FromCivil(
      absl::CivilSecond(year, month, day, hour, minute, second), kZone));
}

// Minor units (fen) of an amount in yuan given as yuan + fen.
constexpr int64_t Yuan(int64_t yuan, int64_t fen = 0) {
  return yuan * 100 + fen;
}

inline absl::StatusOr<v1::Policy> LoadPolicyFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::NotFoundError("cannot open " + path);
  std::stringstream bytes;
  bytes << in.rdbuf();
  return ParsePolicy(bytes.str(), PolicyFormat::kJson);
}

inline v1::AttributeValue Text(std::string_view s) {
  v1::AttributeValue v;
  v.set_text(std::string(s));
  return v;
}
inline v1::AttributeValue Flag(bool b) {
  v1::AttributeValue v;
  v.set_flag(b);
  return v;
}
inline v1::AttributeValue DateValue(int y, int m, int d) {
  v1::AttributeValue v;
  v.mutable_date()->set_year(y);
  v.mutable_date()->set_month(m);
  v.mutable_date()->set_day(d);
  return v;
}

using Attrs = std::vector<std::pair<std::string, v1::AttributeValue>>;

inline v1::Event NewEvent(std::string_view id, int64_t at) {
  v1::Event e;
  e.set_customer_id(std::string(id));
  e.mutable_at()->set_seconds(at);
  return e;
}

inline v1::Event Enrol(std::string_view id, int64_t at,
                       const Attrs& attrs = {}) {
  v1::Event e = NewEvent(id, at);
  auto* m = e.mutable_enrolled()->mutable_attributes();
  for (const auto& [name, value] : attrs) (*m)[name] = value;
  return e;
}

inline v1::Event Buy(std::string_view id, int64_t at, int64_t amount,
                     std::string_view category = "",
                     std::string_view currency = "CNY") {
  v1::Event e = NewEvent(id, at);
  auto* p = e.mutable_purchase();
  p->set_amount(amount);
  p->set_currency(std::string(currency));
  p->set_category(std::string(category));
  p->set_quantity(1);
  return e;
}

inline v1::Event SetAttrs(std::string_view id, int64_t at, const Attrs& attrs) {
  v1::Event e = NewEvent(id, at);
  auto* m = e.mutable_attribute_change()->mutable_set();
  for (const auto& [name, value] : attrs) (*m)[name] = value;
  return e;
}

// A manual grant; `expires_at` 0 means "until revoked".
inline v1::Event Grant(std::string_view id, int64_t at,
                       std::string_view program, std::string_view tier,
                       std::string_view approver, std::string_view reason,
                       int64_t expires_at = 0) {
  v1::Event e = NewEvent(id, at);
  auto* g = e.mutable_tier_grant();
  g->set_program(std::string(program));
  g->set_tier(std::string(tier));
  g->set_approver(std::string(approver));
  g->set_reason(std::string(reason));
  if (expires_at != 0) g->mutable_expires_at()->set_seconds(expires_at);
  return e;
}

inline const v1::ProgramStanding* FindStanding(const v1::Customer& c,
                                               std::string_view program) {
  for (const auto& s : c.standings()) {
    if (s.program() == program) return &s;
  }
  return nullptr;
}

inline const v1::MetricValue* FindMetric(const v1::Customer& c,
                                         std::string_view name) {
  for (const auto& m : c.metrics()) {
    if (m.name() == name) return &m;
  }
  return nullptr;
}

// The first check on `metric` in an explanation (null when none).
inline const v1::Check* FindCheck(const v1::Explanation& e,
                                  std::string_view metric) {
  for (const auto& c : e.checks()) {
    if (c.metric() == metric) return &c;
  }
  return nullptr;
}

// Every check on `metric` in an explanation.
inline std::vector<const v1::Check*> ChecksOn(const v1::Explanation& e,
                                              std::string_view metric) {
  std::vector<const v1::Check*> out;
  for (const auto& c : e.checks()) {
    if (c.metric() == metric) out.push_back(&c);
  }
  return out;
}

inline std::vector<v1::Transition> OfProgram(
    const std::vector<v1::Transition>& all, std::string_view program) {
  std::vector<v1::Transition> out;
  for (const auto& t : all) {
    if (t.program() == program) out.push_back(t);
  }
  return out;
}

// An engine over one example policy plus convenience accessors. Test
// assertions inside helpers are non-fatal; callers check `ok()` first.
class Harness {
 public:
  explicit Harness(const std::string& policy_path) {
    absl::StatusOr<v1::Policy> policy = LoadPolicyFile(policy_path);
    if (!policy.ok()) {
      status_ = policy.status();
      return;
    }
    policy_ = *policy;
    absl::StatusOr<std::unique_ptr<Engine>> engine = Engine::Create(policy_);
    if (!engine.ok()) {
      status_ = engine.status();
      return;
    }
    engine_ = std::move(*engine);
  }

  bool ok() const { return engine_ != nullptr; }
  const absl::Status& status() const { return status_; }
  Engine& engine() { return *engine_; }
  const v1::Policy& policy() const { return policy_; }

  // Applies `e`; the transitions it caused replace `last()`.
  absl::Status Apply(const v1::Event& e) {
    last_.clear();
    return engine_->Apply(e, &last_);
  }
  // Applies `e` and records a test failure when it is refused.
  void Must(const v1::Event& e) {
    absl::Status s = Apply(e);
    EXPECT_TRUE(s.ok()) << "event for " << e.customer_id() << " at "
                        << e.at().seconds() << ": " << s;
  }
  absl::Status Review(int64_t as_of) {
    last_.clear();
    return engine_->Review(as_of, &last_);
  }
  const std::vector<v1::Transition>& last() const { return last_; }
  std::vector<v1::Transition> last(std::string_view program) const {
    return OfProgram(last_, program);
  }

  v1::Customer Get(std::string_view id) const {
    v1::Customer c;
    absl::Status s = engine_->GetCustomer(id, &c);
    EXPECT_TRUE(s.ok()) << id << ": " << s;
    return c;
  }
  std::string Tier(std::string_view id, std::string_view program) const {
    v1::Customer c = Get(id);
    const v1::ProgramStanding* s = FindStanding(c, program);
    return s == nullptr ? std::string("<no standing>") : s->tier();
  }
  double Metric(std::string_view id, std::string_view name) const {
    v1::Customer c = Get(id);
    const v1::MetricValue* m = FindMetric(c, name);
    EXPECT_NE(m, nullptr) << "metric " << name;
    return m == nullptr ? -1 : m->value();
  }
  v1::Explanation Explain(std::string_view id, std::string_view program) {
    v1::Explanation e;
    absl::Status s = engine_->Explain(id, program, &e);
    EXPECT_TRUE(s.ok()) << s;
    return e;
  }
  std::vector<uint64_t> Counts(std::string_view program) const {
    std::vector<uint64_t> counts;
    absl::Status s = engine_->CountByTier(program, &counts);
    EXPECT_TRUE(s.ok()) << s;
    return counts;
  }
  // Every customer in `tier`, following page tokens.
  std::vector<std::string> List(std::string_view program, std::string_view tier,
                                int page_size = 100) {
    std::vector<std::string> ids;
    std::string token;
    for (int guard = 0; guard < 1000; ++guard) {
      v1::CustomerPage page;
      absl::Status s =
          engine_->ListByTier(program, tier, token, page_size, &page);
      EXPECT_TRUE(s.ok()) << s;
      if (!s.ok()) break;
      ids.insert(ids.end(), page.customer_ids().begin(),
                 page.customer_ids().end());
      token = page.next_page_token();
      if (token.empty()) break;
    }
    return ids;
  }

 private:
  absl::Status status_;
  v1::Policy policy_;
  std::unique_ptr<Engine> engine_;
  std::vector<v1::Transition> last_;
};

// Expects `got` to equal `want` transition by transition (the caller
// checks the sizes first).
inline void ExpectSameTransitions(const std::vector<v1::Transition>& got,
                                  const std::vector<v1::Transition>& want) {
  for (size_t i = 0; i < got.size() && i < want.size(); ++i) {
    EXPECT_TRUE(
        google::protobuf::util::MessageDifferencer::Equals(got[i], want[i]))
        << got[i].DebugString() << " vs " << want[i].DebugString();
  }
}

// A snapshot with each customer's state passed through `edit`, for tests
// of what loading refuses. The stream is the 4-byte magic, a delimited
// header, then delimited customers (src/snapshot.cc).
inline std::string RewriteSnapshot(
    const std::string& bytes,
    const std::function<void(v1::CustomerState&)>& edit) {
  google::protobuf::io::ArrayInputStream in(bytes.data() + 4,
                                            static_cast<int>(bytes.size() - 4));
  v1::SnapshotHeader header;
  EXPECT_TRUE(google::protobuf::util::ParseDelimitedFromZeroCopyStream(
      &header, &in, nullptr));
  std::string out_bytes = bytes.substr(0, 4);
  google::protobuf::io::StringOutputStream out(&out_bytes);
  EXPECT_TRUE(
      google::protobuf::util::SerializeDelimitedToZeroCopyStream(header, &out));
  for (uint64_t i = 0; i < header.customer_count(); ++i) {
    v1::CustomerState customer;
    EXPECT_TRUE(google::protobuf::util::ParseDelimitedFromZeroCopyStream(
        &customer, &in, nullptr));
    edit(customer);
    EXPECT_TRUE(google::protobuf::util::SerializeDelimitedToZeroCopyStream(
        customer, &out));
  }
  return out_bytes;
}

}  // namespace standing::scenario

#endif  // STANDING_TESTS_SCENARIO_UTIL_H_
