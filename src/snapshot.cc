// Snapshot stream: "STND", a length-delimited SnapshotHeader, then one
// length-delimited CustomerState per customer in enrolment order. Written
// deterministically, so the same state always gives the same bytes.
#include <istream>
#include <ostream>
#include <sstream>
#include <string>

#include "absl/strings/str_cat.h"
#include "engine_state.h"
#include "google/protobuf/io/coded_stream.h"
#include "google/protobuf/io/zero_copy_stream_impl.h"
#include "google/protobuf/util/delimited_message_util.h"
#include "policy_migration.h"
#include "rolling_windows.h"
#include "standing/engine.h"
#include "standing/v1/snapshot.pb.h"

namespace standing {
namespace {

constexpr char kMagic[4] = {'S', 'T', 'N', 'D'};
constexpr uint32_t kFormatVersion = 1;

void WriteDelimited(const google::protobuf::Message& message,
                    google::protobuf::io::CodedOutputStream& out) {
  out.SetSerializationDeterministic(true);
  out.WriteVarint32(static_cast<uint32_t>(message.ByteSizeLong()));
  message.SerializeWithCachedSizes(&out);
}

void ExportCustomer(const EngineState& st, const CustomerRecord& rec,
                    v1::CustomerState* out) {
  const CompiledPolicy& policy = *st.policy;
  const int64_t* words = rec.words.get();
  out->set_id(rec.id);
  out->set_enrolled_at(rec.enrolled_at);
  out->set_sequence(rec.sequence);
  ExportAttributes(st, rec, out->mutable_attributes());
  for (size_t p = 0; p < policy.programs.size(); ++p) {
    const ProgramWords s =
        ProgramState(policy, rec.words.get(), static_cast<int>(p));
    v1::ProgramState* ps = out->add_programs();
    ps->set_tier(s.tier());
    ps->set_tier_since(s.tier_since());
    ps->set_next_review(s.next_review());
    ps->set_retained_until(s.retained_until());
    ps->set_last_cause(s.cause());
    if (const GrantRecord* g = st.FindGrant(rec, static_cast<int>(p))) {
      *ps->mutable_grant() = g->info;
    }
  }
  const uint32_t metric_start = policy.metric_offset;
  for (uint32_t w = metric_start; w < policy.total_words; ++w) {
    out->add_metric_words(words[w]);
  }
  st.service.Export(policy, rec.sequence, st.interner, out->mutable_service());
  if (policy.credit.enabled) {
    st.credit.Export(policy.credit, rec.sequence, out->mutable_credit());
  }
  if (out->service().ByteSizeLong() == 0) out->clear_service();
  for (int r = 0; r < policy.rolling_count; ++r) {
    v1::RollingState* rs = out->add_rolling();
    for (const RollingEntry& e : st.rolling[rec.sequence].entries(r)) {
      v1::RollingEntry* re = rs->add_entries();
      re->set_day(e.day);
      re->set_count(e.count);
      re->set_value(e.value);
    }
  }
}

// Names rolling group `r` in errors by a metric that reads it.
std::string RollingGroupName(const CompiledPolicy& policy, int r) {
  for (const CompiledMetric& m : policy.metrics) {
    if (m.group >= 0 && policy.groups[m.group].rolling_index == r) {
      return absl::StrCat("rolling window of ", m.name);
    }
  }
  return absl::StrCat("rolling window ", r);
}

absl::Status DataLoss(uint64_t index, absl::string_view what) {
  return absl::DataLossError(
      absl::StrCat("snapshot: customer ", index, ": ", what));
}

absl::Status ImportCustomer(EngineState& st, uint64_t index,
                            const v1::CustomerState& in) {
  const CompiledPolicy& policy = *st.policy;
  const uint32_t metric_start = policy.metric_offset;
  if (in.programs_size() != static_cast<int>(policy.programs.size()) ||
      in.metric_words_size() !=
          static_cast<int>(policy.total_words - metric_start) ||
      in.rolling_size() != policy.rolling_count) {
    return DataLoss(index, "state does not match the policy's layout");
  }
  if (in.id().empty() || st.Find(in.id()) != nullptr) {
    return DataLoss(index, "missing or duplicate id");
  }
  CustomerRecord rec;
  rec.id = in.id();
  rec.enrolled_at = in.enrolled_at();
  rec.sequence = in.sequence();
  rec.words = NewStateWords(policy.total_words);
  int64_t* words = rec.words.get();
  for (const auto& [name, value] : in.attributes()) {
    const int a = policy.FindAttribute(name);
    if (a < 0) return DataLoss(index, absl::StrCat("unknown attribute ", name));
    auto word = EncodeAttribute(policy, a, value, st.interner);
    if (!word.ok()) return DataLoss(index, word.status().message());
    words[a] = *word;
    words[policy.presence_offset] |= int64_t{1} << a;
  }
  for (int p = 0; p < in.programs_size(); ++p) {
    const v1::ProgramState& ps = in.programs(p);
    if (ps.tier() >= policy.programs[p].tiers.size()) {
      return DataLoss(index, "tier out of range");
    }
    ProgramWords s = ProgramState(policy, words, p);
    s.set(static_cast<int>(ps.tier()), static_cast<int>(ps.last_cause()),
          ps.has_grant(), ps.tier_since());
    s.set_next_review(ps.next_review());
    s.set_retained_until(ps.retained_until());
    if (ps.has_grant()) {
      GrantRecord g;
      g.tier = policy.FindTier(p, ps.grant().tier());
      if (g.tier < 0) return DataLoss(index, "grant of an unknown tier");
      g.expires_at =
          ps.grant().has_expires_at() ? ps.grant().expires_at().seconds() : 0;
      g.info = ps.grant();
      st.grants[EngineState::GrantKey(rec.sequence, p)] = std::move(g);
    }
  }
  for (int w = 0; w < in.metric_words_size(); ++w) {
    words[metric_start + w] = in.metric_words(w);
  }
  RollingWindows rolling(policy.rolling_count);
  for (int r = 0; r < policy.rolling_count; ++r) {
    const auto& entries = in.rolling(r).entries();
    if (entries.size() > RollingWindows::kMaxEntries) {
      return DataLoss(index,
                      absl::StrCat(RollingGroupName(policy, r),
                                   ": more entries than a window holds"));
    }
    for (const auto& e : entries) {
      if (!rolling.Append(r,
                          RollingEntry{e.day(), static_cast<int32_t>(e.count()),
                                       e.value()})) {
        return DataLoss(index,
                        absl::StrCat(RollingGroupName(policy, r),
                                     ": entries not in increasing day order"));
      }
    }
  }
  auto [it, inserted] = st.customers.Insert(std::move(rec));
  if (!inserted) return DataLoss(index, "insert failed");
  if (st.by_sequence.size() <= it->sequence) {
    st.by_sequence.resize(it->sequence + 1, nullptr);
  }
  st.by_sequence[it->sequence] = &*it;
  if (policy.rolling_count > 0) {
    if (st.rolling.size() <= it->sequence) st.rolling.resize(it->sequence + 1);
    st.rolling[it->sequence] = std::move(rolling);
  }
  for (size_t p = 0; p < policy.programs.size(); ++p) {
    st.members[p][ProgramState(policy, it->words.get(), static_cast<int>(p))
                      .tier()]
        .insert(it->sequence);
  }
  if (in.has_service()) {
    if (auto s =
            st.service.Import(policy, st.interner, it->sequence, in.service());
        !s.ok()) {
      return DataLoss(index, s.message());
    }
  }
  if (policy.credit.enabled) {
    if (!in.has_credit()) return DataLoss(index, "credit state missing");
    if (auto s = st.credit.Import(policy.credit, it->sequence, in.credit());
        !s.ok()) {
      return DataLoss(index, s.message());
    }
  }
  st.Reschedule(*it);
  return absl::OkStatus();
}

}  // namespace

absl::Status Engine::WriteSnapshot(std::ostream& out) const {
  std::shared_lock lock(state_->mu);
  const EngineState& st = *state_;
  {
    google::protobuf::io::OstreamOutputStream zero_copy(&out);
    google::protobuf::io::CodedOutputStream coded(&zero_copy);
    coded.WriteRaw(kMagic, sizeof(kMagic));
    v1::SnapshotHeader header;
    header.set_format_version(kFormatVersion);
    header.set_policy_fingerprint(st.policy->fingerprint);
    *header.mutable_policy() = st.policy->source;
    header.set_clock_seconds(st.clock);
    header.set_customer_count(st.customers.size());
    header.set_next_sequence(st.next_sequence);
    header.set_credit_next_review(st.credit.next_review);
    for (const auto& [key, counts] : st.service.compliance) {
      const auto& [target, period_start, tier] = key;
      v1::ComplianceCounter* c = header.add_compliance();
      c->set_target(st.policy->service.targets[target].name);
      c->set_period_start(period_start);
      c->set_tier(tier);
      c->set_requests(counts.first);
      c->set_within_target(counts.second);
    }
    WriteDelimited(header, coded);
    v1::CustomerState customer;
    for (const CustomerRecord* rec : st.by_sequence) {
      customer.Clear();
      ExportCustomer(st, *rec, &customer);
      WriteDelimited(customer, coded);
    }
    if (coded.HadError()) return absl::DataLossError("snapshot: write failed");
  }
  out.flush();
  if (!out) return absl::DataLossError("snapshot: write failed");
  return absl::OkStatus();
}

absl::Status Engine::SaveSnapshot(std::string* out) const {
  std::ostringstream stream;
  if (auto s = WriteSnapshot(stream); !s.ok()) return s;
  *out = std::move(stream).str();
  return absl::OkStatus();
}

absl::StatusOr<std::unique_ptr<Engine>> Engine::LoadSnapshot(
    std::istream& in, const v1::Policy* policy, bool allow_policy_change,
    EngineOptions options) {
  char magic[4] = {};
  if (!in.read(magic, sizeof(magic)) ||
      absl::string_view(magic, 4) != absl::string_view(kMagic, 4)) {
    return absl::InvalidArgumentError(
        "snapshot: not a standing snapshot (bad magic)");
  }
  google::protobuf::io::IstreamInputStream zero_copy(&in);
  v1::SnapshotHeader header;
  bool clean_eof = false;
  if (!google::protobuf::util::ParseDelimitedFromZeroCopyStream(
          &header, &zero_copy, &clean_eof)) {
    return absl::DataLossError("snapshot: header is truncated or corrupt");
  }
  if (header.format_version() != kFormatVersion) {
    return absl::FailedPreconditionError(absl::StrCat(
        "snapshot: format version ", header.format_version(),
        " is not supported (this library reads ", kFormatVersion, ")"));
  }
  if (policy != nullptr && !allow_policy_change &&
      PolicyFingerprint(*policy) != header.policy_fingerprint()) {
    return absl::FailedPreconditionError(
        "snapshot: taken under a different policy (fingerprint differs); "
        "load with allow_policy_change to migrate");
  }
  auto engine = Engine::Create(header.policy(), options);
  if (!engine.ok()) {
    return absl::DataLossError(absl::StrCat("snapshot: its policy is invalid: ",
                                            engine.status().message()));
  }
  EngineState& st = *(*engine)->state_;
  if (st.policy->fingerprint != header.policy_fingerprint()) {
    return absl::DataLossError("snapshot: policy fingerprint mismatch");
  }
  v1::CustomerState customer;
  for (uint64_t i = 0; i < header.customer_count(); ++i) {
    customer.Clear();  // ParseDelimited merges into the message
    if (!google::protobuf::util::ParseDelimitedFromZeroCopyStream(
            &customer, &zero_copy, &clean_eof)) {
      return DataLoss(i, "truncated or corrupt");
    }
    if (auto s = ImportCustomer(st, i, customer); !s.ok()) return s;
  }
  for (const CustomerRecord* rec : st.by_sequence) {
    if (rec == nullptr) return absl::DataLossError("snapshot: sequence gap");
  }
  st.clock = header.clock_seconds();
  st.next_sequence = header.next_sequence();
  st.credit.next_review = header.credit_next_review();
  const ServicePolicy& sp = st.policy->service;
  for (const v1::ComplianceCounter& c : header.compliance()) {
    int target = -1;
    for (size_t k = 0; k < sp.targets.size(); ++k) {
      if (sp.targets[k].name == c.target()) target = static_cast<int>(k);
    }
    if (target < 0) {
      return absl::DataLossError(
          absl::StrCat("snapshot: compliance counter of unknown target \"",
                       c.target(), "\""));
    }
    st.service.compliance[{target, c.period_start(), c.tier()}] = {
        c.requests(), c.within_target()};
  }
  // Indices are derived: rebuild them from the restored state.
  for (const CustomerRecord* rec : st.by_sequence) {
    st.service.Attach(*st.policy, rec->sequence, st.View(*rec));
  }
  if (policy != nullptr &&
      PolicyFingerprint(*policy) != header.policy_fingerprint()) {
    if (auto s = MigratePolicy(st, *policy, nullptr); !s.ok()) return s;
  }
  return engine;
}

absl::StatusOr<std::unique_ptr<Engine>> Engine::LoadSnapshot(
    std::string_view bytes, const v1::Policy* policy, bool allow_policy_change,
    EngineOptions options) {
  std::istringstream stream{std::string(bytes)};
  return LoadSnapshot(stream, policy, allow_policy_change, options);
}

}  // namespace standing
