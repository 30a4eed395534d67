// Applying one event: validate everything first, then change state, so a
// refused event leaves the engine exactly as it was.
#include <algorithm>
#include <cstring>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "engine_state.h"
#include "metric_state.h"

namespace standing {
namespace {

// 1971-01-01 .. 9999-12-31T23:59:59Z: 0 is kept free as "no instant".
constexpr int64_t kMinInstant = 31536000;
constexpr int64_t kMaxInstant = 253402300799;
constexpr size_t kMaxIdBytes = 256;

std::string FormatInstant(int64_t t) {
  return absl::FormatTime("%Y-%m-%dT%H:%M:%SZ", absl::FromUnixSeconds(t),
                          absl::UTCTimeZone());
}

// Structural UTF-8 check (lead byte and continuation bytes); ids are
// compared bytewise, this only keeps garbage out of explanations and
// bindings.
bool ValidUtf8(absl::string_view s) {
  size_t i = 0;
  // Ids are mostly ASCII: eight bytes at a time while no high bit is set.
  for (uint64_t w; i + 8 <= s.size(); i += 8) {
    std::memcpy(&w, s.data() + i, 8);
    if ((w & 0x8080808080808080ull) != 0) break;
  }
  while (i < s.size()) {
    const auto c = static_cast<unsigned char>(s[i]);
    size_t extra = 0;
    if (c < 0x80) {
      extra = 0;
    } else if (c >= 0xC2 && c <= 0xDF) {
      extra = 1;
    } else if ((c & 0xF0) == 0xE0) {
      extra = 2;
    } else if (c >= 0xF0 && c <= 0xF4) {
      extra = 3;
    } else {
      return false;
    }
    if (s.size() - i <= extra) return false;
    for (size_t k = 1; k <= extra; ++k) {
      if ((static_cast<unsigned char>(s[i + k]) & 0xC0) != 0x80) return false;
    }
    i += extra + 1;
  }
  return true;
}

absl::Status CurrencyError(const CompiledPolicy& policy,
                           absl::string_view field,
                           absl::string_view currency) {
  return absl::InvalidArgumentError(
      absl::StrCat(field, ".currency: \"", currency, "\" does not match the ",
                   "policy currency \"", policy.currency, "\""));
}

// The checks below run on every event: the passing case is inline, the
// message is built out of line only for a refused event.
inline absl::Status CheckCurrency(const CompiledPolicy& policy,
                                  absl::string_view field,
                                  absl::string_view currency) {
  if (currency.empty() || currency == policy.currency) return absl::OkStatus();
  return CurrencyError(policy, field, currency);
}

absl::Status AmountError(absl::string_view field, int64_t amount,
                         bool positive) {
  return absl::InvalidArgumentError(absl::StrCat(
      field, ".amount: must be ", positive ? "positive" : "zero or more",
      " (got ", amount, ")"));
}

inline absl::Status CheckAmount(absl::string_view field, int64_t amount,
                                bool positive) {
  if (amount < 0 || (positive && amount == 0)) {
    return AmountError(field, amount, positive);
  }
  return absl::OkStatus();
}

// Decoded attribute assignments, checked before any is applied.
struct AttributeWrites {
  std::vector<std::pair<int, int64_t>> set;
  std::vector<int> remove;
};

absl::Status DecodeAttributes(
    EngineState& state,
    const google::protobuf::Map<std::string, v1::AttributeValue>& values,
    absl::string_view field, AttributeWrites* out) {
  const CompiledPolicy& policy = *state.policy;
  for (const auto& [name, value] : values) {
    const int a = policy.FindAttribute(name);
    if (a < 0) {
      return absl::InvalidArgumentError(absl::StrCat(
          field, "[\"", name, "\"]: attribute is not declared by the policy"));
    }
    auto word = EncodeAttribute(policy, a, value, state.interner);
    if (!word.ok()) {
      return absl::InvalidArgumentError(
          absl::StrCat(field, "[\"", name, "\"]: ", word.status().message()));
    }
    out->set.emplace_back(a, *word);
  }
  return absl::OkStatus();
}

void WriteAttributes(const CompiledPolicy& policy, const AttributeWrites& w,
                     int64_t* words) {
  for (const auto& [a, v] : w.set) {
    words[a] = v;
    words[policy.presence_offset] |= int64_t{1} << a;
  }
  for (int a : w.remove) {
    words[a] = 0;
    words[policy.presence_offset] &= ~(int64_t{1} << a);
  }
}

bool IsCreditEvent(v1::Event::KindCase kind) {
  switch (kind) {
    case v1::Event::kInvoice:
    case v1::Event::kPayment:
    case v1::Event::kOrderPlaced:
    case v1::Event::kOrderCancelled:
    case v1::Event::kCreditApproval:
    case v1::Event::kLimitIncrease:
      return true;
    default:
      return false;
  }
}

}  // namespace

absl::Status ValidateEventEnvelope(const v1::Event& event) {
  const std::string& id = event.customer_id();
  if (id.empty()) {
    return absl::InvalidArgumentError("event.customer_id: must not be empty");
  }
  if (id.size() > kMaxIdBytes) {
    return absl::InvalidArgumentError(
        absl::StrCat("event.customer_id: longer than ", kMaxIdBytes, " bytes"));
  }
  if (!ValidUtf8(id)) {
    return absl::InvalidArgumentError("event.customer_id: not valid UTF-8");
  }
  if (!event.has_at()) {
    return absl::InvalidArgumentError("event.at: is required");
  }
  const int64_t t = event.at().seconds();
  if (t < kMinInstant || t > kMaxInstant || event.at().nanos() < 0 ||
      event.at().nanos() > 999999999) {
    return absl::OutOfRangeError(
        absl::StrCat("event.at: ", t, " seconds is out of range (1971..9999)"));
  }
  if (event.kind_case() == v1::Event::KIND_NOT_SET) {
    return absl::InvalidArgumentError("event: no event kind is set");
  }
  return absl::OkStatus();
}

absl::Status EngineState::Apply(const v1::Event& event,
                                std::vector<v1::Transition>* out) {
  ApplyHints none;
  return Apply(event, out, none);
}

absl::Status EngineState::Apply(const v1::Event& event,
                                std::vector<v1::Transition>* out,
                                ApplyHints& hints) {
  if (auto s = ValidateEventEnvelope(event); !s.ok()) return s;
  const CompiledPolicy& pol = *policy;
  const int64_t t = event.at().seconds();
  if (t < clock - pol.late_horizon_seconds) {
    return absl::OutOfRangeError(
        absl::StrCat("event.at: ", FormatInstant(t),
                     " is older than the late-event horizon (",
                     pol.late_horizon_seconds / kSecondsPerDay, " days before ",
                     FormatInstant(clock), ")"));
  }
  const AsOf at = as_of_cache.Make(pol.clock, t);
  Effects fx;
  fx.out = out;

  if (event.kind_case() == v1::Event::kEnrolled) {
    if (hints.rec != nullptr || Find(event.customer_id()) != nullptr) {
      return absl::AlreadyExistsError(absl::StrCat(
          "customer \"", event.customer_id(), "\": already enrolled"));
    }
    AttributeWrites writes;
    if (auto s = DecodeAttributes(*this, event.enrolled().attributes(),
                                  "enrolled.attributes", &writes);
        !s.ok()) {
      return s;
    }
    CustomerRecord rec;
    rec.id = event.customer_id();
    rec.enrolled_at = t;
    rec.sequence = next_sequence;
    rec.words = NewStateWords(pol.total_words);
    WriteAttributes(pol, writes, rec.words.get());
    InitMetricWords(pol, CustomerWords{rec.words.get(), nullptr, t});
    for (int p = 0; p < static_cast<int>(pol.programs.size()); ++p) {
      ProgramWords s = ProgramState(pol, rec.words.get(), p);
      s.set(0, v1::ENROLMENT, false, t);
      s.set_next_review(NextReview(pol, p, t, t, t));
    }
    auto [it, inserted] = customers.Insert(std::move(rec));
    if (!inserted) return absl::InternalError("enrolment: insert failed");
    ++next_sequence;
    by_sequence.push_back(&*it);
    if (pol.rolling_count > 0) {
      rolling.resize(by_sequence.size());
      rolling[it->sequence] = RollingWindows(pol.rolling_count);
    }
    for (int p = 0; p < static_cast<int>(pol.programs.size()); ++p) {
      members[p][0].insert(it->sequence);
    }
    // Before the entry tiers: their conditions may read receivables.
    if (pol.credit.enabled) credit.Open(it->sequence, 0, t);
    clock = std::max(clock, t);
    // Entry tiers apply at once whatever the upgrade timing.
    enrolling = true;
    for (int p : pol.program_order) {
      const Target target = ComputeTarget(pol, p, Words(*it), at, -1);
      if (target.target > 0) {
        ChangeTier(*it, p, target.target, t, v1::ENTERED, v1::ENROLMENT, target,
                   event.event_id(), fx);
      }
    }
    enrolling = false;
    service.OnEnrol(pol, it->sequence, t, View(*it));
    CreditOnEnrol(*it, at, event.event_id(), fx);
    Reschedule(*it);
    return absl::OkStatus();
  }

  const CustomerRecord* rec = hints.rec;
  if (rec == nullptr) {
    auto found = FindOrNotFound(event.customer_id());
    if (!found.ok()) return found.status();
    rec = *found;
  }
  if (t < rec->enrolled_at) {
    return absl::OutOfRangeError(absl::StrCat(
        "event.at: ", FormatInstant(t), " is before customer \"", rec->id,
        "\" enrolled (", FormatInstant(rec->enrolled_at), ")"));
  }

  EventFacts facts;
  facts.at = at;
  AttributeWrites writes;
  switch (event.kind_case()) {
    case v1::Event::kPurchase: {
      const auto& e = event.purchase();
      if (auto s = CheckAmount("purchase", e.amount(), false); !s.ok()) {
        return s;
      }
      if (e.quantity() < 0) {
        return absl::InvalidArgumentError(
            "purchase.quantity: must be zero or more");
      }
      if (auto s = CheckCurrency(pol, "purchase", e.currency()); !s.ok()) {
        return s;
      }
      facts.kind = v1::PURCHASE;
      facts.amount = e.amount();
      facts.quantity = e.quantity();
      facts.category = e.category();
      facts.channel = e.channel();
      break;
    }
    case v1::Event::kInvoice: {
      const auto& e = event.invoice();
      if (auto s = CheckAmount("invoice", e.amount(), true); !s.ok()) return s;
      if (auto s = CheckCurrency(pol, "invoice", e.currency()); !s.ok()) {
        return s;
      }
      facts.kind = v1::INVOICE;
      facts.amount = e.amount();
      break;
    }
    case v1::Event::kPayment: {
      const auto& e = event.payment();
      if (auto s = CheckAmount("payment", e.amount(), true); !s.ok()) return s;
      if (auto s = CheckCurrency(pol, "payment", e.currency()); !s.ok()) {
        return s;
      }
      facts.kind = v1::PAYMENT;
      facts.amount = e.amount();
      break;
    }
    case v1::Event::kOrderPlaced: {
      const auto& e = event.order_placed();
      if (auto s = CheckAmount("order_placed", e.amount(), true); !s.ok()) {
        return s;
      }
      if (auto s = CheckCurrency(pol, "order_placed", e.currency()); !s.ok()) {
        return s;
      }
      break;  // no metric reads orders; receivables do
    }
    case v1::Event::kOrderCancelled:
    case v1::Event::kCreditApproval:
      break;
    case v1::Event::kLimitIncrease: {
      const auto& e = event.limit_increase();
      if (auto s = CheckCurrency(pol, "limit_increase", e.currency());
          !s.ok()) {
        return s;
      }
      break;
    }
    case v1::Event::kObligation:
      facts.kind = v1::OBLIGATION;
      facts.fulfilled = event.obligation().fulfilled() ? 1 : 0;
      break;
    case v1::Event::kContact:
      facts.kind = v1::CONTACT;
      facts.channel = event.contact().channel();
      facts.contact_kind = event.contact().kind();
      break;
    case v1::Event::kComplaint:
      facts.kind = v1::COMPLAINT;
      facts.category = event.complaint().category();
      break;
    case v1::Event::kServiceRequest:
      if (auto s = service.CheckRequest(rec->sequence, event.service_request());
          !s.ok()) {
        return s;
      }
      facts.kind = v1::SERVICE_REQUEST;
      break;
    case v1::Event::kManager: {
      if (auto s =
              service.CheckManager(rec->sequence, event.manager(), interner);
          !s.ok()) {
        return s;
      }
      clock = std::max(clock, t);
      service.ApplyManager(pol, interner, rec->sequence, event.manager(), t,
                           View(*rec));
      return absl::OkStatus();
    }
    case v1::Event::kTaskCompleted: {
      if (auto s = service.CheckTaskCompleted(pol, rec->sequence,
                                              event.task_completed());
          !s.ok()) {
        return s;
      }
      clock = std::max(clock, t);
      service.ApplyTaskCompleted(pol, rec->sequence, event.task_completed(), t,
                                 View(*rec));
      return absl::OkStatus();
    }
    case v1::Event::kBalance: {
      if (auto s = CheckCurrency(pol, "balance", event.balance().currency());
          !s.ok()) {
        return s;
      }
      facts.kind = v1::BALANCE;
      facts.balance = event.balance().balance();
      break;
    }
    case v1::Event::kAttributeChange: {
      const auto& e = event.attribute_change();
      if (auto s =
              DecodeAttributes(*this, e.set(), "attribute_change.set", &writes);
          !s.ok()) {
        return s;
      }
      for (const std::string& name : e.remove()) {
        const int a = pol.FindAttribute(name);
        if (a < 0) {
          return absl::InvalidArgumentError(
              absl::StrCat("attribute_change.remove: \"", name,
                           "\" is not declared by the policy"));
        }
        writes.remove.push_back(a);
      }
      break;
    }
    case v1::Event::kTierGrant: {
      const auto& e = event.tier_grant();
      const int p = pol.FindProgram(e.program());
      if (p < 0) {
        return absl::InvalidArgumentError(absl::StrCat(
            "tier_grant.program: unknown program \"", e.program(), "\""));
      }
      const int tier = pol.FindTier(p, e.tier());
      if (tier < 0) {
        return absl::InvalidArgumentError(
            absl::StrCat("tier_grant.tier: unknown tier \"", e.tier(),
                         "\" in program \"", e.program(), "\""));
      }
      if (e.approver().empty() || e.reason().empty()) {
        return absl::InvalidArgumentError(
            "tier_grant: approver and reason are required");
      }
      if (e.has_expires_at() && e.expires_at().seconds() <= t) {
        return absl::InvalidArgumentError(
            "tier_grant.expires_at: must be after the event instant");
      }
      GrantRecord g;
      g.tier = tier;
      g.expires_at = e.has_expires_at() ? e.expires_at().seconds() : 0;
      g.info.set_tier(e.tier());
      g.info.set_approver(e.approver());
      g.info.set_reason(e.reason());
      *g.info.mutable_granted_at() = event.at();
      if (e.has_expires_at()) *g.info.mutable_expires_at() = e.expires_at();
      clock = std::max(clock, t);
      Unsettle(*rec, fx);
      grants[GrantKey(rec->sequence, p)] = std::move(g);
      ProgramState(pol, rec->words.get(), p).set_has_grant(true);
      Evaluate(*rec, at, v1::GRANT, event.event_id(), fx);
      Reschedule(*rec);
      return absl::OkStatus();
    }
    case v1::Event::kTierRevoke: {
      const auto& e = event.tier_revoke();
      const int p = pol.FindProgram(e.program());
      if (p < 0) {
        return absl::InvalidArgumentError(absl::StrCat(
            "tier_revoke.program: unknown program \"", e.program(), "\""));
      }
      if (FindGrant(*rec, p) == nullptr) {
        return absl::FailedPreconditionError(
            absl::StrCat("tier_revoke: customer \"", rec->id,
                         "\" has no grant in program \"", e.program(), "\""));
      }
      clock = std::max(clock, t);
      Unsettle(*rec, fx);
      grants.erase(GrantKey(rec->sequence, p));
      ProgramWords s = ProgramState(pol, rec->words.get(), p);
      s.set_has_grant(false);
      const Target target = ComputeTarget(pol, p, Words(*rec), at, -1);
      if (target.target < s.tier()) {
        ChangeTier(*rec, p, target.target, t, v1::DOWNGRADE, v1::REVOKE, target,
                   event.event_id(), fx);
      }
      Reschedule(*rec);
      return absl::OkStatus();
    }
    default:
      return absl::InvalidArgumentError("event: unsupported kind");
  }
  if (auto s = CheckEventForMetrics(pol, facts, Words(*rec)); !s.ok()) {
    return s;
  }
  const bool credit_event = IsCreditEvent(event.kind_case());
  if (credit_event) {
    if (auto s = CheckCreditEvent(*rec, event, t); !s.ok()) return s;
  }
  // Validated: from here on nothing fails.
  clock = std::max(clock, t);
  WriteAttributes(pol, writes, rec->words.get());
  int64_t& marker = rec->words[pol.stable_offset];
  // Attribute changes are rare: they re-evaluate everything.
  fx.inputs.stable =
      writes.set.empty() && writes.remove.empty() && StableOn(marker, at.day);
  if (facts.kind != v1::EVENT_KIND_UNSPECIFIED) {
    fx.inputs.fed_kinds = 1u << facts.kind;
  }
  if (credit_event) ApplyCreditEvent(*rec, event, at, fx);
  if (facts.kind != v1::EVENT_KIND_UNSPECIFIED) {
    ApplyEventToMetrics(pol, facts, Words(*rec));
  }
  Evaluate(*rec, at, v1::EVENT, event.event_id(), fx);
  if (fx.schedule_changed) Reschedule(*rec);
  CreditAfterEvent(*rec, at, event.event_id(), fx);
  if (fx.state_changed) {
    marker = 0;
  } else if (fx.inputs.evaluated &&
             !(fx.inputs.stable && pol.inputs.end_day_by_date)) {
    marker = StableMarker(
        at.day, InputsConstantUntil(pol, pol.inputs.all, Words(*rec), at));
  }
  // Service levels see the customer as it stands after the event.
  if (facts.kind == v1::CONTACT) {
    service.ApplyContact(pol, rec->sequence, event.contact(), t, View(*rec));
  } else if (facts.kind == v1::SERVICE_REQUEST) {
    const auto& e = event.service_request();
    const int rule =
        e.stage() == v1::ServiceRequest::OPENED
            ? MatchDeadline(*rec, e.request_type(), e.priority(), at)
            : -1;
    service.ApplyRequest(pol, rec->sequence, e, t, rule, View(*rec));
  }
  return absl::OkStatus();
}

}  // namespace standing
