// The immutable, hot-path form of a validated policy: names resolved to
// indices, conditions flattened into arrays, metric state laid out in a
// fixed number of int64 words per customer.
#ifndef STANDING_SRC_COMPILED_POLICY_H_
#define STANDING_SRC_COMPILED_POLICY_H_

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "civil_time.h"
#include "credit_policy.h"
#include "entitlements.h"
#include "evaluation_inputs.h"
#include "interner.h"
#include "service_policy.h"
#include "standing/v1/customer.pb.h"
#include "standing/v1/policy.pb.h"

namespace standing {

enum class WindowKind : uint8_t {
  kCalendar,
  kRolling,
  kSinceEnrolment,
  kSinceTierStart,
};

// A test on one customer attribute. Values are in the attribute's word
// encoding: interned id (text), integer, double bits (number), 1 (flag),
// local day number (date).
struct AttrTest {
  int attribute = -1;
  bool negate = false;
  std::vector<int64_t> values;  // empty: flag must be true
};

struct CompiledFilter {
  uint32_t kind_mask = 0;  // bit per v1::EventKind
  // Bits of CompiledPolicy::filter_categories, when category_masks is set:
  // an event's category is looked up once instead of compared per filter.
  uint64_t include_mask = 0;
  uint64_t exclude_mask = 0;
  std::vector<std::string> categories;
  std::vector<std::string> exclude_categories;
  std::vector<std::string> channels;
  std::vector<std::string> contact_kinds;
  std::vector<AttrTest> customer;
};

// Metric state shared by metrics that differ only in `periods_back`.
// Word layout at `offset` in the customer's words:
//   calendar: `slots` rings of `slot_words` (the ring head is per period,
//             in CompiledPolicy::period_head_offset);
//   since_*:  one slot;
//   TWA:      the slots, then [balance][last change instant];
//   recency:  [last event instant];
//   rolling:  no words; entries in group `rolling_index` of the
//             customer's RollingWindows.
struct StateGroup {
  v1::Aggregate aggregate = v1::AGGREGATE_UNSPECIFIED;
  v1::EventField field = v1::FIELD_UNSPECIFIED;
  WindowKind window = WindowKind::kSinceEnrolment;
  int period = 0;  // v1::Period for calendar windows
  int rolling_days = 0;
  int tier_program = -1;  // since_tier_start
  CompiledFilter filter;
  int slots = 1;
  int slot_words = 1;
  uint32_t offset = 0;
  int rolling_index = -1;
  // Canonical text of the definition, to carry state across policies.
  std::string key;
};

struct CompiledMetric {
  std::string name;
  v1::Aggregate aggregate = v1::AGGREGATE_UNSPECIFIED;
  int group = -1;
  int back = 0;
  int numerator = -1;
  int denominator = -1;
  int receivable = 0;  // v1::ReceivableMeasure of RECEIVABLE metrics
};

struct CondNode {
  enum class Kind : uint8_t { kAll, kAny, kNot, kMetric, kAttr, kTierAtLeast };
  Kind kind = Kind::kAll;
  v1::Comparator op = v1::COMPARATOR_UNSPECIFIED;
  bool unscaled = false;
  bool when_missing = false;
  int32_t a = -1;  // metric, attribute test or program index
  int32_t b = -1;  // tier index
  uint32_t first_child = 0;
  uint32_t child_count = 0;
  double value = 0;
  // A metric leaf on a calendar SUM/COUNT (most thresholds), a calendar
  // MAX/MIN, or a RECENCY_DAYS metric carries where to read, so the hot
  // evaluator needs neither the metric nor ReadMetric.
  enum class Read : uint8_t {
    kMetric,          // through ReadMetric
    kCalendarScalar,  // SUM/COUNT: an empty period reads 0
    kCalendarMax,     // an empty period or the sentinel reads missing
    kCalendarMin,
    kRecency,  // days since the word at `offset` (or since enrolment)
  };
  Read read = Read::kMetric;
  uint8_t period = 0;
  uint16_t slots = 1;
  int32_t head_offset = -1;
  uint32_t offset = 0;
  int32_t back = 0;
};

// Kept apart from CondNode so the evaluated nodes stay small.
struct CondText {
  std::string path;
  std::string label;
};

enum class ReviewKind : uint8_t {
  kNone,
  kYearly,
  kQuarterly,
  kMonthly,
  kEnrolmentAnniversary,
  kTierAnniversary,
};

struct CompiledFloor {
  int condition = -1;
  int tier = 0;
  std::string path;
};

struct CompiledTier {
  std::string name;
  int condition = -1;  // -1: base tier
  std::string path;
};

struct CompiledProgram {
  std::string name;
  std::vector<CompiledTier> tiers;
  bool upgrade_immediate = true;
  bool downgrade_immediate = false;
  bool one_tier_down = false;
  ReviewKind review = ReviewKind::kNone;
  int review_month = 1;
  int review_day = 1;
  int grace_days = 0;
  int minimum_stay_days = 0;
  int multiplier_attribute = -1;
  std::vector<std::pair<int64_t, double>> multipliers;  // interned value
  std::vector<CompiledFloor> floors;
  std::vector<int> depends_on;  // programs read via tier_at_least
  std::string path;
};

struct CompiledPolicy {
  v1::Policy source;
  uint64_t fingerprint = 0;
  LocalClock clock;
  std::string currency;
  int64_t late_horizon_seconds = 0;

  std::vector<std::string> attribute_names;
  std::vector<v1::AttributeDecl::Type> attribute_types;

  std::vector<StateGroup> groups;
  std::vector<std::string> filter_categories;  // every category filtered on
  bool category_masks = false;  // at most 64 of them: filters use masks
  std::vector<CompiledMetric> metrics;
  std::vector<std::vector<int>> groups_by_kind;  // [EventKind] -> groups
  int period_head_offset[4] = {-1, -1, -1, -1};  // [v1::Period] -> word
  std::vector<std::vector<int>> groups_by_period;

  std::vector<CondNode> nodes;
  std::vector<CondText> node_text;  // parallel to nodes
  std::vector<uint32_t> children;
  std::vector<AttrTest> attr_tests;  // CondNode::a of kAttr nodes

  std::vector<CompiledProgram> programs;
  std::vector<int> program_order;  // dependencies first

  ServicePolicy service;  // calendars, deadlines, cadences, obligations
  CompiledCredit credit;  // grades, score sheet, hard rules, approvals

  // Customer words: [attributes][presence][programs x 2][stable marker]
  // [metric state].
  uint32_t presence_offset = 0;
  uint32_t program_offset = 0;
  // StableMarker of the customer's last evaluation (evaluation_inputs.h).
  uint32_t stable_offset = 0;
  uint32_t metric_offset = 0;  // first metric-state word
  uint32_t total_words = 0;
  int rolling_count = 0;
  // Event kinds each rolling window counts, by rolling index (which
  // windows an event writes, for cache hints).
  std::vector<uint32_t> rolling_kinds;

  // What each evaluation after an event reads (evaluation_inputs.h).
  EvaluationInputs inputs;

  // Per-tier benefits, inheritance resolved (entitlements.h).
  CompiledEntitlements entitlements;

  int FindProgram(absl::string_view name) const;
  int FindTier(int program, absl::string_view name) const;
  int FindMetric(absl::string_view name) const;
  int FindAttribute(absl::string_view name) const;
};

// The rules of the policy format that need no compilation (the public
// ValidatePolicy runs these and then compiles).
absl::Status ValidatePolicyStructure(const v1::Policy& policy);

// Validates and compiles. Text values in conditions are interned into
// `interner` (which only grows).
absl::StatusOr<std::shared_ptr<const CompiledPolicy>> CompilePolicy(
    const v1::Policy& policy, Interner& interner);

// Encodes an attribute value as a word; InvalidArgument on a type mismatch.
absl::StatusOr<int64_t> EncodeAttribute(const CompiledPolicy& policy,
                                        int attribute,
                                        const v1::AttributeValue& value,
                                        Interner& interner);

}  // namespace standing

#endif  // STANDING_SRC_COMPILED_POLICY_H_
