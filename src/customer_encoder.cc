// Engine::GetCustomerBytes: a standing.v1.Customer in protobuf wire format,
// written straight from the engine's words. Building the message and
// letting libprotobuf encode it costs more than the rest of a get-customer
// (maps, nested timestamps); this is the C ABI's path. Field numbers follow
// proto/standing/v1/customer.proto; tests/customer_encoder_test.cc checks
// the bytes parse to exactly what Engine::GetCustomer returns.
#include <algorithm>
#include <bit>
#include <cstring>
#include <shared_mutex>
#include <string>

#include "absl/strings/str_cat.h"
#include "condition_eval.h"
#include "engine_state.h"
#include "standing/engine.h"

namespace standing {
namespace {

// Writes protobuf wire-format pieces into a string used as a growable byte
// buffer: bytes are stored through a position, not appended one call at a
// time (per-piece std::string::append made this slower than building the
// message). Finish() trims the string to what was written.
class Wire {
 public:
  explicit Wire(std::string* out) : out_(out) {
    if (out_->size() < 512) out_->resize(512);
    buf_ = out_->data();
    cap_ = out_->size();
  }
  void Finish() { out_->resize(pos_); }

  void Varint(uint64_t v) {
    Ensure(10);
    if (v < 0x80) {  // tags and short lengths: the common case
      buf_[pos_++] = static_cast<char>(v);
      return;
    }
    char* p = buf_ + pos_;
    while (v >= 0x80) {
      *p++ = static_cast<char>(v | 0x80);
      v >>= 7;
    }
    *p++ = static_cast<char>(v);
    pos_ = p - buf_;
  }
  void Tag(int field, int wire_type) {
    Varint(static_cast<uint64_t>(field) << 3 | wire_type);
  }
  // proto3 implicit presence: empty strings, zeros and false are omitted
  // unless `always` (oneof members and explicitly set fields).
  void String(int field, absl::string_view s, bool always = false) {
    if (s.empty() && !always) return;
    Tag(field, 2);
    Varint(s.size());
    Ensure(s.size());
    if (!s.empty()) std::memcpy(buf_ + pos_, s.data(), s.size());
    pos_ += s.size();
  }
  void Int(int field, int64_t v, bool always = false) {
    if (v == 0 && !always) return;
    Tag(field, 0);
    Varint(static_cast<uint64_t>(v));
  }
  void Double(int field, double v, bool always = false) {
    const uint64_t bits = std::bit_cast<uint64_t>(v);
    if (bits == 0 && !always) return;  // as libprotobuf: -0.0 is written
    Tag(field, 1);
    Ensure(8);
    for (int i = 0; i < 8; ++i) {
      buf_[pos_ + i] = static_cast<char>(bits >> (8 * i));
    }
    pos_ += 8;
  }
  // A length-delimited sub-message whose body `fill` writes; the length is
  // patched in afterwards. One byte is reserved (nearly every body here is
  // under 128 bytes); a longer body is moved up for the extra varint bytes.
  template <typename Fill>
  void Message(int field, Fill fill) {
    Tag(field, 2);
    Ensure(1);
    const size_t at = pos_++;
    fill();
    uint64_t len = pos_ - at - 1;
    if (len < 0x80) {
      buf_[at] = static_cast<char>(len);
      return;
    }
    char buf[10];
    int n = 0;
    while (len >= 0x80) {
      buf[n++] = static_cast<char>(len | 0x80);
      len >>= 7;
    }
    buf[n++] = static_cast<char>(len);
    Ensure(n - 1);
    std::memmove(buf_ + at + n, buf_ + at + 1, pos_ - at - 1);
    std::memcpy(buf_ + at, buf, n);
    pos_ += n - 1;
  }
  void Timestamp(int field, int64_t seconds) {
    Message(field, [&] { Int(1, seconds); });
  }

 private:
  void Ensure(size_t n) {
    if (pos_ + n > cap_) [[unlikely]] {
      Grow(n);
    }
  }
  void Grow(size_t n) {
    out_->resize(std::max(cap_ * 2, pos_ + n));
    buf_ = out_->data();
    cap_ = out_->size();
  }

  std::string* out_;
  char* buf_ = nullptr;
  size_t cap_ = 0;
  size_t pos_ = 0;
};

void WriteAttribute(Wire& w, const EngineState& st, v1::AttributeDecl::Type t,
                    int64_t word) {
  switch (t) {
    case v1::AttributeDecl::TEXT: {
      const auto text = st.interner.Text(word);
      w.String(1, absl::string_view(text.data(), text.size()), true);
      break;
    }
    case v1::AttributeDecl::INTEGER:
      w.Int(2, word, true);
      break;
    case v1::AttributeDecl::NUMBER:
      w.Double(3, std::bit_cast<double>(word), true);
      break;
    case v1::AttributeDecl::FLAG:
      w.Int(4, word != 0 ? 1 : 0, true);
      break;
    case v1::AttributeDecl::DATE: {
      const CivilDate d = CivilFromDays(word);
      w.Message(5, [&] {
        w.Int(1, d.year);
        w.Int(2, d.month);
        w.Int(3, d.day);
      });
      break;
    }
    default:
      break;
  }
}

}  // namespace

absl::Status Engine::GetCustomerBytes(std::string_view id,
                                      std::string* out) const {
  return GetCustomerBytes(id, CustomerView::kFull, out);
}

absl::Status Engine::GetTierIndex(std::string_view id_view,
                                  std::string_view program_view,
                                  int* tier) const {
  const absl::string_view id(id_view.data(), id_view.size());
  const absl::string_view program(program_view.data(), program_view.size());
  std::shared_lock lock(state_->mu);
  const EngineState& st = *state_;
  const CustomerRecord* rec = st.Find(id);
  if (rec == nullptr) {
    return absl::NotFoundError(
        absl::StrCat("customer \"", id, "\": not enrolled"));
  }
  const int p = st.policy->FindProgram(program);
  if (p < 0) {
    return absl::NotFoundError(
        absl::StrCat("program \"", program, "\": not in the policy"));
  }
  *tier = ProgramState(*st.policy, rec->words.get(), p).tier();
  return absl::OkStatus();
}

absl::Status Engine::GetCustomerBytes(std::string_view id_view,
                                      CustomerView view,
                                      std::string* out) const {
  const bool full = view != CustomerView::kStanding;
  const absl::string_view id(id_view.data(), id_view.size());
  std::shared_lock lock(state_->mu);
  const EngineState& st = *state_;
  auto found = st.FindOrNotFound(id);
  if (!found.ok()) return found.status();
  const CustomerRecord* rec = *found;
  const CompiledPolicy& policy = *st.policy;
  const int64_t* words = rec->words.get();
  Wire w(out);
  w.String(1, rec->id);
  for (size_t a = 0; full && a < policy.attribute_names.size(); ++a) {
    if (!((words[policy.presence_offset] >> a) & 1)) continue;
    w.Message(2, [&] {
      w.String(1, policy.attribute_names[a], true);
      w.Message(2, [&] {
        WriteAttribute(w, st, policy.attribute_types[a], words[a]);
      });
    });
  }
  if (full) w.Timestamp(3, rec->enrolled_at);
  const int64_t now = std::max(st.clock, rec->enrolled_at);
  const AsOf as_of = AsOf::Make(policy.clock, now);
  const CustomerWords c = st.Words(*rec);
  MetricCache cache;
  std::string grant;
  for (int p = 0; p < static_cast<int>(policy.programs.size()); ++p) {
    const CompiledProgram& prog = policy.programs[p];
    const ProgramWords s = ProgramState(policy, rec->words.get(), p);
    w.Message(4, [&] {
      w.String(1, prog.name);
      w.String(2, prog.tiers[s.tier()].name);
      w.Int(3, s.tier());
      w.Timestamp(4, s.tier_since());
      if (s.next_review() != 0) w.Timestamp(5, s.next_review());
      if (s.retained_until() != 0) w.Timestamp(6, s.retained_until());
      if (const GrantRecord* g = st.FindGrant(*rec, p)) {
        g->info.SerializeToString(&grant);  // rare: let protobuf encode it
        w.String(7, grant, true);
      }
      w.String(8, prog.tiers[QualifiedTier(policy, p, c, as_of, &cache)].name);
    });
  }
  for (int m = 0; full && m < static_cast<int>(policy.metrics.size()); ++m) {
    const MetricRead r = ReadMetric(policy, m, c, as_of);
    w.Message(5, [&] {
      w.String(1, policy.metrics[m].name);
      w.Double(2, r.value);
      w.Int(3, r.missing ? 1 : 0);
    });
  }
  w.Finish();
  // Service-level fields (6..9) follow; rare enough to let protobuf encode
  // them. Appending is valid: fields may come in any order.
  if (full && st.service.Get(rec->sequence) != nullptr) {
    v1::Customer service;
    ExportCustomerService(st, *rec, &service);
    out->append(service.SerializeAsString());
  }
  return absl::OkStatus();
}

}  // namespace standing
