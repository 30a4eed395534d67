// ValidatePolicy: every rule of the policy format, checked in field order so
// the first error reported is the first one a reader meets. Messages start
// with the proto field path (proto field names, repeated fields indexed).
#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/string_view.h"
#include "compiled_policy.h"
#include "condition_validator.h"
#include "standing/policy.h"

namespace standing {
namespace {

using internal::DeclaredNames;
using internal::FormatNumber;
using internal::IsIdentifier;
using internal::PathError;
using internal::ValidateAttributeTest;
using internal::ValidateCondition;

// Generous bounds: ten years of days, a year of late events, a year of
// calendar periods back.
constexpr int kMaxDays = 3660;
constexpr int kMaxLateEventHorizonDays = 366;
constexpr int kMaxPeriodsBack = 12;
constexpr int kMaxOffsetMinutes = 14 * 60;
constexpr double kMaxMultiplier = 10;

// Checks a name that other parts of the policy reference: non-empty, an
// identifier, and not declared before (`seen` maps names to their index).
absl::Status ValidateName(absl::string_view name, absl::string_view what,
                          absl::string_view collection, int index,
                          absl::flat_hash_map<std::string, int>* seen) {
  const std::string path = absl::StrCat(collection, "[", index, "].name");
  if (name.empty()) return PathError(path, "must not be empty");
  if (!IsIdentifier(name)) {
    return PathError(path, absl::StrCat("\"", name,
                                        "\" is not an identifier "
                                        "([A-Za-z_][A-Za-z0-9_]*)"));
  }
  const auto [it, inserted] = seen->try_emplace(std::string(name), index);
  if (!inserted) {
    return PathError(path,
                     absl::StrCat("duplicate ", what, " \"", name, "\" (also ",
                                  collection, "[", it->second, "])"));
  }
  return absl::OkStatus();
}

// ----- policy header ---------------------------------------------------------

// "+HH:MM" / "-HH:MM" -> minutes east of UTC.
bool ParseFixedOffset(absl::string_view text, int* minutes) {
  if (text.size() != 6 || (text[0] != '+' && text[0] != '-') ||
      text[3] != ':') {
    return false;
  }
  for (size_t i : {1, 2, 4, 5}) {
    if (!absl::ascii_isdigit(static_cast<unsigned char>(text[i]))) {
      return false;
    }
  }
  const int hours = (text[1] - '0') * 10 + (text[2] - '0');
  const int mins = (text[4] - '0') * 10 + (text[5] - '0');
  if (mins > 59) return false;
  *minutes = (text[0] == '-' ? -1 : 1) * (hours * 60 + mins);
  return true;
}

absl::Status ValidateTimeZone(absl::string_view zone) {
  if (zone.empty()) return absl::OkStatus();  // UTC
  int minutes = 0;
  if (zone[0] != '+' && zone[0] != '-') {
    return PathError(
        "time_zone",
        absl::StrCat("\"", zone,
                     "\" is not supported: only fixed UTC offsets such as "
                     "\"+08:00\" are supported (zones with daylight saving "
                     "are not supported yet)"));
  }
  if (!ParseFixedOffset(zone, &minutes)) {
    return PathError(
        "time_zone",
        absl::StrCat("must be +HH:MM or -HH:MM, got \"", zone, "\""));
  }
  if (std::abs(minutes) > kMaxOffsetMinutes) {
    return PathError("time_zone", absl::StrCat("offset \"", zone,
                                               "\" is outside -14:00..+14:00"));
  }
  return absl::OkStatus();
}

absl::Status ValidateHeader(const v1::Policy& policy) {
  if (policy.name().empty()) return PathError("name", "must not be empty");
  STANDING_RETURN_IF_ERROR(ValidateTimeZone(policy.time_zone()));
  const std::string& currency = policy.currency();
  bool currency_ok = currency.size() == 3;
  for (char c : currency) {
    currency_ok =
        currency_ok && absl::ascii_isupper(static_cast<unsigned char>(c));
  }
  if (!currency_ok) {
    return PathError("currency",
                     absl::StrCat("must be a 3-letter uppercase ISO 4217 code "
                                  "such as \"CNY\", got \"",
                                  currency, "\""));
  }
  if (policy.late_event_horizon_days() < 0 ||
      policy.late_event_horizon_days() > kMaxLateEventHorizonDays) {
    return PathError("late_event_horizon_days",
                     absl::StrCat("must be in 0..", kMaxLateEventHorizonDays,
                                  ", got ", policy.late_event_horizon_days()));
  }
  return absl::OkStatus();
}

// ----- attributes ------------------------------------------------------------

absl::Status ValidateAttributes(const v1::Policy& policy) {
  absl::flat_hash_map<std::string, int> seen;
  for (int i = 0; i < policy.attributes_size(); ++i) {
    const v1::AttributeDecl& attribute = policy.attributes(i);
    STANDING_RETURN_IF_ERROR(
        ValidateName(attribute.name(), "attribute", "attributes", i, &seen));
    const std::string path = absl::StrCat("attributes[", i, "].type");
    if (attribute.type() == v1::AttributeDecl::TYPE_UNSPECIFIED) {
      return PathError(path,
                       "must be specified (TEXT, INTEGER, NUMBER, FLAG, DATE)");
    }
    if (!v1::AttributeDecl::Type_IsValid(attribute.type())) {
      return PathError(path, absl::StrCat("unknown value ", attribute.type()));
    }
  }
  return absl::OkStatus();
}

// ----- metrics ---------------------------------------------------------------

// Which event kinds carry a field (see EventField in policy.proto).
bool KindCarriesField(v1::EventKind kind, v1::EventField field) {
  switch (field) {
    case v1::AMOUNT:
      return kind == v1::PURCHASE || kind == v1::INVOICE ||
             kind == v1::PAYMENT || kind == v1::SETTLEMENT;
    case v1::ON_TIME:
      return kind == v1::SETTLEMENT;
    case v1::QUANTITY:
      return kind == v1::PURCHASE;
    case v1::FULFILLED:
      return kind == v1::OBLIGATION;
    case v1::BALANCE_AMOUNT:
      return kind == v1::BALANCE;
    default:
      return true;  // no field: any kind can be counted
  }
}

absl::Status ValidateWindow(const v1::Window& window,
                            const DeclaredNames& names,
                            const std::string& path) {
  switch (window.kind_case()) {
    case v1::Window::kRollingDays:
      if (window.rolling_days() <= 0) {
        return PathError(absl::StrCat(path, ".rolling_days"),
                         "must be positive");
      }
      if (window.rolling_days() > kMaxDays) {
        return PathError(absl::StrCat(path, ".rolling_days"),
                         absl::StrCat("must be at most ", kMaxDays));
      }
      return absl::OkStatus();
    case v1::Window::kCalendar: {
      const v1::CalendarWindow& calendar = window.calendar();
      if (calendar.period() == v1::PERIOD_UNSPECIFIED) {
        return PathError(absl::StrCat(path, ".calendar.period"),
                         "must be specified (MONTH, QUARTER, YEAR)");
      }
      if (!v1::Period_IsValid(calendar.period())) {
        return PathError(absl::StrCat(path, ".calendar.period"),
                         absl::StrCat("unknown value ", calendar.period()));
      }
      if (calendar.periods_back() < 0 ||
          calendar.periods_back() > kMaxPeriodsBack) {
        return PathError(absl::StrCat(path, ".calendar.periods_back"),
                         absl::StrCat("must be in 0..", kMaxPeriodsBack,
                                      ", got ", calendar.periods_back()));
      }
      return absl::OkStatus();
    }
    case v1::Window::kSinceEnrolment:
      if (!window.since_enrolment()) {
        return PathError(absl::StrCat(path, ".since_enrolment"),
                         "must be true when set");
      }
      return absl::OkStatus();
    case v1::Window::kSinceTierStart:
      if (window.since_tier_start().empty()) {
        return PathError(absl::StrCat(path, ".since_tier_start"),
                         "must name a tier program");
      }
      if (!names.programs.contains(window.since_tier_start())) {
        return PathError(absl::StrCat(path, ".since_tier_start"),
                         absl::StrCat("unknown tier program \"",
                                      window.since_tier_start(), "\""));
      }
      return absl::OkStatus();
    case v1::Window::KIND_NOT_SET:
      break;
  }
  return PathError(path,
                   "must set one of rolling_days, calendar, since_enrolment, "
                   "since_tier_start");
}

absl::Status ValidateFilter(const v1::EventFilter& filter, v1::EventField field,
                            const DeclaredNames& names,
                            const std::string& path) {
  for (int j = 0; j < filter.kinds_size(); ++j) {
    const std::string kind_path = absl::StrCat(path, ".kinds[", j, "]");
    const int kind = filter.kinds(j);
    if (kind == v1::EVENT_KIND_UNSPECIFIED) {
      return PathError(kind_path, "must be a specified event kind");
    }
    if (!v1::EventKind_IsValid(kind)) {
      return PathError(kind_path, absl::StrCat("unknown value ", kind));
    }
    if (!KindCarriesField(filter.kinds(j), field)) {
      return PathError(
          kind_path,
          absl::StrCat(v1::EventKind_Name(filter.kinds(j)), " events carry no ",
                       v1::EventField_Name(field)));
    }
  }
  for (int k = 0; k < filter.exclude_categories_size(); ++k) {
    for (const std::string& included : filter.categories()) {
      if (included == filter.exclude_categories(k)) {
        return PathError(
            absl::StrCat(path, ".exclude_categories[", k, "]"),
            absl::StrCat("\"", included, "\" is also in categories"));
      }
    }
  }
  for (int j = 0; j < filter.customer_size(); ++j) {
    STANDING_RETURN_IF_ERROR(ValidateAttributeTest(
        filter.customer(j), names, absl::StrCat(path, ".customer[", j, "]")));
  }
  return absl::OkStatus();
}

// A RATIO operand names another declared metric that is not itself a RATIO.
absl::Status ValidateRatioOperand(
    const v1::Policy& policy, int i, absl::string_view operand,
    absl::string_view field_name,
    const absl::flat_hash_map<std::string, int>& metric_index) {
  const std::string path = absl::StrCat("metrics[", i, "].", field_name);
  if (operand.empty()) return PathError(path, "required for RATIO");
  if (operand == policy.metrics(i).name()) {
    return PathError(path, "must name another metric, not the ratio itself");
  }
  const auto it = metric_index.find(operand);
  if (it == metric_index.end()) {
    return PathError(path, absl::StrCat("unknown metric \"", operand, "\""));
  }
  if (policy.metrics(it->second).aggregate() == v1::RATIO) {
    return PathError(path, absl::StrCat("metric \"", operand,
                                        "\" is itself a RATIO; ratios of "
                                        "ratios are not supported"));
  }
  return absl::OkStatus();
}

absl::Status ValidateRatio(
    const v1::Policy& policy, int i,
    const absl::flat_hash_map<std::string, int>& metric_index) {
  const v1::MetricDef& metric = policy.metrics(i);
  const std::string path = absl::StrCat("metrics[", i, "]");
  // A ratio reads its operands; windows and filters belong to them.
  if (metric.field() != v1::FIELD_UNSPECIFIED) {
    return PathError(absl::StrCat(path, ".field"),
                     "must not be set on a RATIO metric");
  }
  if (metric.has_window()) {
    return PathError(absl::StrCat(path, ".window"),
                     "must not be set on a RATIO metric (its operands have "
                     "windows)");
  }
  if (metric.has_filter()) {
    return PathError(absl::StrCat(path, ".filter"),
                     "must not be set on a RATIO metric (its operands have "
                     "filters)");
  }
  STANDING_RETURN_IF_ERROR(ValidateRatioOperand(policy, i, metric.numerator(),
                                                "numerator", metric_index));
  return ValidateRatioOperand(policy, i, metric.denominator(), "denominator",
                              metric_index);
}

// A RECEIVABLE metric reads the credit account: a measure, nothing else.
absl::Status ValidateReceivable(const v1::Policy& policy, int i) {
  const v1::MetricDef& metric = policy.metrics(i);
  const std::string path = absl::StrCat("metrics[", i, "]");
  if (metric.receivable() == v1::RECEIVABLE_MEASURE_UNSPECIFIED) {
    return PathError(absl::StrCat(path, ".receivable"),
                     "required for RECEIVABLE");
  }
  if (!v1::ReceivableMeasure_IsValid(metric.receivable())) {
    return PathError(absl::StrCat(path, ".receivable"),
                     absl::StrCat("unknown value ", metric.receivable()));
  }
  if (!policy.has_credit()) {
    return PathError(absl::StrCat(path, ".aggregate"),
                     "RECEIVABLE needs a credit section (policy.credit)");
  }
  if (metric.field() != v1::FIELD_UNSPECIFIED || metric.has_window() ||
      metric.has_filter() || !metric.numerator().empty() ||
      !metric.denominator().empty()) {
    return PathError(path,
                     "a RECEIVABLE metric has no field, window, filter or "
                     "operands (it reads the receivables as of the instant)");
  }
  return absl::OkStatus();
}

// Field rules by aggregate.
absl::Status ValidateField(const v1::MetricDef& metric,
                           const std::string& path) {
  const std::string& aggregate = v1::Aggregate_Name(metric.aggregate());
  switch (metric.aggregate()) {
    case v1::SUM:
    case v1::MIN:
    case v1::MAX:
    case v1::AVERAGE:
      if (metric.field() == v1::FIELD_UNSPECIFIED) {
        return PathError(path,
                         absl::StrCat("required for aggregate ", aggregate));
      }
      break;
    case v1::COUNT:
    case v1::DISTINCT_DAYS:
    case v1::RECENCY_DAYS:
      if (metric.field() != v1::FIELD_UNSPECIFIED) {
        return PathError(
            path, absl::StrCat("must not be set for aggregate ", aggregate,
                               " (it counts events; use "
                               "filter.kinds to choose them)"));
      }
      break;
    case v1::TIME_WEIGHTED_AVERAGE:
      if (metric.field() != v1::BALANCE_AMOUNT) {
        return PathError(path,
                         "must be BALANCE_AMOUNT for TIME_WEIGHTED_AVERAGE");
      }
      break;
    default:
      break;
  }
  return absl::OkStatus();
}

absl::Status ValidateMetric(
    const v1::Policy& policy, int i, const DeclaredNames& names,
    const absl::flat_hash_map<std::string, int>& metric_index,
    absl::flat_hash_map<std::string, int>* seen) {
  const v1::MetricDef& metric = policy.metrics(i);
  const std::string path = absl::StrCat("metrics[", i, "]");
  STANDING_RETURN_IF_ERROR(
      ValidateName(metric.name(), "metric", "metrics", i, seen));
  if (metric.aggregate() == v1::AGGREGATE_UNSPECIFIED) {
    return PathError(absl::StrCat(path, ".aggregate"), "must be specified");
  }
  if (!v1::Aggregate_IsValid(metric.aggregate())) {
    return PathError(absl::StrCat(path, ".aggregate"),
                     absl::StrCat("unknown value ", metric.aggregate()));
  }
  if (!v1::EventField_IsValid(metric.field())) {
    return PathError(absl::StrCat(path, ".field"),
                     absl::StrCat("unknown value ", metric.field()));
  }
  if (metric.aggregate() == v1::RATIO) {
    return ValidateRatio(policy, i, metric_index);
  }
  if (metric.aggregate() == v1::RECEIVABLE) {
    return ValidateReceivable(policy, i);
  }
  if (metric.receivable() != v1::RECEIVABLE_MEASURE_UNSPECIFIED) {
    return PathError(absl::StrCat(path, ".receivable"),
                     "only RECEIVABLE metrics read a receivable");
  }
  STANDING_RETURN_IF_ERROR(ValidateField(metric, absl::StrCat(path, ".field")));
  if (!metric.has_window()) {
    return PathError(absl::StrCat(path, ".window"),
                     absl::StrCat("required for aggregate ",
                                  v1::Aggregate_Name(metric.aggregate())));
  }
  STANDING_RETURN_IF_ERROR(
      ValidateWindow(metric.window(), names, absl::StrCat(path, ".window")));
  // The engine implements these aggregates for some windows only.
  const v1::Window::KindCase window = metric.window().kind_case();
  if (metric.aggregate() == v1::TIME_WEIGHTED_AVERAGE &&
      window != v1::Window::kCalendar &&
      window != v1::Window::kSinceEnrolment) {
    return PathError(absl::StrCat(path, ".window"),
                     "TIME_WEIGHTED_AVERAGE supports only calendar and "
                     "since_enrolment windows");
  }
  if (metric.aggregate() == v1::DISTINCT_DAYS &&
      window != v1::Window::kCalendar && window != v1::Window::kRollingDays) {
    return PathError(absl::StrCat(path, ".window"),
                     "DISTINCT_DAYS supports only calendar and rolling_days "
                     "windows");
  }
  STANDING_RETURN_IF_ERROR(ValidateFilter(
      metric.filter(), metric.field(), names, absl::StrCat(path, ".filter")));
  if (!metric.numerator().empty()) {
    return PathError(absl::StrCat(path, ".numerator"),
                     "only RATIO metrics have a numerator");
  }
  if (!metric.denominator().empty()) {
    return PathError(absl::StrCat(path, ".denominator"),
                     "only RATIO metrics have a denominator");
  }
  return absl::OkStatus();
}

absl::Status ValidateMetrics(const v1::Policy& policy,
                             const DeclaredNames& names) {
  // Ratios may name metrics declared after them.
  absl::flat_hash_map<std::string, int> metric_index;
  for (int i = 0; i < policy.metrics_size(); ++i) {
    metric_index.try_emplace(policy.metrics(i).name(), i);
  }
  absl::flat_hash_map<std::string, int> seen;
  for (int i = 0; i < policy.metrics_size(); ++i) {
    STANDING_RETURN_IF_ERROR(
        ValidateMetric(policy, i, names, metric_index, &seen));
  }
  return absl::OkStatus();
}

// ----- tier programs ---------------------------------------------------------

// A GE/GT comparison in a direct position of a tier's qualify condition.
struct DirectThreshold {
  const v1::MetricComparison* comparison;
  std::string path;
};

bool IsLowerBound(const v1::Condition& condition) {
  return condition.has_metric() && (condition.metric().op() == v1::GE ||
                                    condition.metric().op() == v1::GT);
}

// The condition itself, or direct children of a top-level all/any: the
// positions where "higher tier, higher threshold" is what authors mean.
std::vector<DirectThreshold> DirectThresholds(const v1::Condition& qualify,
                                              const std::string& path) {
  std::vector<DirectThreshold> out;
  if (IsLowerBound(qualify)) {
    out.push_back({&qualify.metric(), absl::StrCat(path, ".metric")});
  }
  const v1::ConditionList* list = nullptr;
  std::string list_path;
  if (qualify.has_all()) {
    list = &qualify.all();
    list_path = absl::StrCat(path, ".all");
  } else if (qualify.has_any()) {
    list = &qualify.any();
    list_path = absl::StrCat(path, ".any");
  }
  if (list != nullptr) {
    for (int k = 0; k < list->conditions_size(); ++k) {
      if (IsLowerBound(list->conditions(k))) {
        out.push_back({&list->conditions(k).metric(),
                       absl::StrCat(list_path, "[", k, "].metric")});
      }
    }
  }
  return out;
}

// Tier j's direct lower bounds must exceed tier j-1's on the same metric
// (its highest, when it has several).
absl::Status ValidateMonotonic(const v1::TierProgram& program, int j,
                               const std::string& tiers_path) {
  absl::flat_hash_map<std::string, double> previous;
  for (const DirectThreshold& t :
       DirectThresholds(program.tiers(j - 1).qualify(), "")) {
    auto [it, inserted] =
        previous.try_emplace(t.comparison->metric(), t.comparison->value());
    if (!inserted) it->second = std::max(it->second, t.comparison->value());
  }
  const std::string qualify_path =
      absl::StrCat(tiers_path, "[", j, "].qualify");
  for (const DirectThreshold& t :
       DirectThresholds(program.tiers(j).qualify(), qualify_path)) {
    const auto it = previous.find(t.comparison->metric());
    if (it == previous.end() || t.comparison->value() > it->second) continue;
    return PathError(
        t.path, absl::StrCat("threshold must exceed tiers[", j - 1, "]'s (",
                             FormatNumber(it->second), ") for metric \"",
                             t.comparison->metric(), "\", got ",
                             FormatNumber(t.comparison->value())));
  }
  return absl::OkStatus();
}

absl::Status ValidateTiers(const v1::TierProgram& program,
                           const DeclaredNames& names,
                           const std::string& path) {
  const std::string tiers_path = absl::StrCat(path, ".tiers");
  if (program.tiers_size() < 2) {
    return PathError(tiers_path,
                     "needs at least 2 tiers (a base tier and one above it)");
  }
  absl::flat_hash_map<std::string, int> seen;
  for (int j = 0; j < program.tiers_size(); ++j) {
    const v1::Tier& tier = program.tiers(j);
    const std::string tier_path = absl::StrCat(tiers_path, "[", j, "]");
    if (tier.name().empty()) {
      return PathError(absl::StrCat(tier_path, ".name"), "must not be empty");
    }
    if (const auto [it, inserted] = seen.try_emplace(tier.name(), j);
        !inserted) {
      return PathError(absl::StrCat(tier_path, ".name"),
                       absl::StrCat("duplicate tier \"", tier.name(),
                                    "\" (also tiers[", it->second, "])"));
    }
    const std::string qualify_path = absl::StrCat(tier_path, ".qualify");
    if (j == 0) {
      if (tier.has_qualify()) {
        return PathError(qualify_path,
                         "the base tier (tiers[0]) must not have a qualify "
                         "condition: everyone qualifies for it");
      }
      continue;
    }
    if (!tier.has_qualify()) {
      return PathError(qualify_path,
                       "required on every tier above the base tier");
    }
    STANDING_RETURN_IF_ERROR(
        ValidateCondition(tier.qualify(), names, program.name(), qualify_path));
    if (j >= 2) {
      STANDING_RETURN_IF_ERROR(ValidateMonotonic(program, j, tiers_path));
    }
  }
  return absl::OkStatus();
}

int DaysInMonth(int month) {
  // Reviews happen every year, so February has 28 days here.
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30,
                                  31, 31, 30, 31, 30, 31};
  return kDays[month - 1];
}

absl::Status ValidateReview(const v1::ReviewSchedule& review,
                            const std::string& path) {
  switch (review.kind_case()) {
    case v1::ReviewSchedule::kYearly: {
      const int month = review.yearly().month();
      const int day = review.yearly().day();
      if (month < 1 || month > 12) {
        return PathError(absl::StrCat(path, ".yearly.month"),
                         absl::StrCat("must be in 1..12, got ", month));
      }
      if (month == 2 && day == 29) {
        return PathError(absl::StrCat(path, ".yearly.day"),
                         "February 29 does not occur every year; use Feb 28 "
                         "or Mar 1");
      }
      if (day < 1 || day > DaysInMonth(month)) {
        return PathError(absl::StrCat(path, ".yearly.day"),
                         absl::StrCat("must be in 1..", DaysInMonth(month),
                                      " for month ", month, ", got ", day));
      }
      return absl::OkStatus();
    }
    case v1::ReviewSchedule::kQuarterly:
      if (!review.quarterly()) {
        return PathError(absl::StrCat(path, ".quarterly"),
                         "must be true when set");
      }
      return absl::OkStatus();
    case v1::ReviewSchedule::kMonthly:
      if (!review.monthly()) {
        return PathError(absl::StrCat(path, ".monthly"),
                         "must be true when set");
      }
      return absl::OkStatus();
    case v1::ReviewSchedule::kEnrolmentAnniversary:
      if (!review.enrolment_anniversary()) {
        return PathError(absl::StrCat(path, ".enrolment_anniversary"),
                         "must be true when set");
      }
      return absl::OkStatus();
    case v1::ReviewSchedule::kTierAnniversary:
      if (!review.tier_anniversary()) {
        return PathError(absl::StrCat(path, ".tier_anniversary"),
                         "must be true when set");
      }
      return absl::OkStatus();
    case v1::ReviewSchedule::KIND_NOT_SET:
      break;
  }
  return PathError(path,
                   "must set one of yearly, quarterly, monthly, "
                   "enrolment_anniversary, tier_anniversary");
}

absl::Status ValidateTiming(const v1::TierProgram& program,
                            const std::string& path) {
  if (!v1::TierProgram::Timing_IsValid(program.upgrade())) {
    return PathError(absl::StrCat(path, ".upgrade"),
                     absl::StrCat("unknown value ", program.upgrade()));
  }
  if (!v1::TierProgram::Timing_IsValid(program.downgrade())) {
    return PathError(absl::StrCat(path, ".downgrade"),
                     absl::StrCat("unknown value ", program.downgrade()));
  }
  if (!v1::TierProgram::DowngradeMode_IsValid(program.downgrade_mode())) {
    return PathError(absl::StrCat(path, ".downgrade_mode"),
                     absl::StrCat("unknown value ", program.downgrade_mode()));
  }
  const std::string review_path = absl::StrCat(path, ".review");
  if (program.has_review()) {
    return ValidateReview(program.review(), review_path);
  }
  // Without a review, deferred changes would never happen.
  if (program.downgrade() != v1::TierProgram::IMMEDIATE) {
    return PathError(review_path,
                     "required because downgrade is AT_REVIEW (the default); "
                     "set a review or downgrade: IMMEDIATE");
  }
  if (program.upgrade() == v1::TierProgram::AT_REVIEW) {
    return PathError(review_path, "required because upgrade is AT_REVIEW");
  }
  return absl::OkStatus();
}

absl::Status ValidateDays(int days, const std::string& path) {
  if (days < 0 || days > kMaxDays) {
    return PathError(path,
                     absl::StrCat("must be in 0..", kMaxDays, ", got ", days));
  }
  return absl::OkStatus();
}

absl::Status ValidateMultipliers(const v1::TierProgram& program,
                                 const DeclaredNames& names,
                                 const std::string& path) {
  const std::string attribute_path =
      absl::StrCat(path, ".multiplier_attribute");
  if (program.multiplier_attribute().empty()) {
    if (program.multipliers_size() > 0) {
      return PathError(attribute_path,
                       "required when multipliers are given (which attribute "
                       "selects the multiplier)");
    }
    return absl::OkStatus();
  }
  if (!names.attributes.contains(program.multiplier_attribute())) {
    return PathError(
        attribute_path,
        absl::StrCat("unknown attribute \"", program.multiplier_attribute(),
                     "\" (not declared in attributes)"));
  }
  absl::flat_hash_map<std::string, int> seen;
  for (int k = 0; k < program.multipliers_size(); ++k) {
    const v1::GroupMultiplier& multiplier = program.multipliers(k);
    const std::string multiplier_path =
        absl::StrCat(path, ".multipliers[", k, "]");
    if (multiplier.value().empty()) {
      return PathError(absl::StrCat(multiplier_path, ".value"),
                       "must not be empty");
    }
    if (const auto [it, inserted] = seen.try_emplace(multiplier.value(), k);
        !inserted) {
      return PathError(absl::StrCat(multiplier_path, ".value"),
                       absl::StrCat("duplicate value \"", multiplier.value(),
                                    "\" (also multipliers[", it->second, "])"));
    }
    const double m = multiplier.multiplier();
    if (!std::isfinite(m) || m <= 0 || m > kMaxMultiplier) {
      return PathError(
          absl::StrCat(multiplier_path, ".multiplier"),
          absl::StrCat("must be in (0, ", FormatNumber(kMaxMultiplier),
                       "], got ", FormatNumber(m)));
    }
  }
  return absl::OkStatus();
}

absl::Status ValidateFloors(const v1::TierProgram& program,
                            const DeclaredNames& names,
                            const std::string& path) {
  const std::vector<std::string>& tiers = names.programs.at(program.name());
  for (int k = 0; k < program.floors_size(); ++k) {
    const v1::Floor& floor = program.floors(k);
    const std::string floor_path = absl::StrCat(path, ".floors[", k, "]");
    if (!floor.has_when()) {
      return PathError(absl::StrCat(floor_path, ".when"), "required");
    }
    STANDING_RETURN_IF_ERROR(
        ValidateCondition(floor.when(), names, program.name(),
                          absl::StrCat(floor_path, ".when")));
    if (std::find(tiers.begin(), tiers.end(), floor.tier()) == tiers.end()) {
      return PathError(absl::StrCat(floor_path, ".tier"),
                       absl::StrCat("program \"", program.name(),
                                    "\" has no tier \"", floor.tier(), "\""));
    }
  }
  return absl::OkStatus();
}

absl::Status ValidateProgram(const v1::Policy& policy, int i,
                             const DeclaredNames& names,
                             absl::flat_hash_map<std::string, int>* seen) {
  const v1::TierProgram& program = policy.tier_programs(i);
  const std::string path = absl::StrCat("tier_programs[", i, "]");
  STANDING_RETURN_IF_ERROR(
      ValidateName(program.name(), "tier program", "tier_programs", i, seen));
  STANDING_RETURN_IF_ERROR(ValidateTiers(program, names, path));
  STANDING_RETURN_IF_ERROR(ValidateTiming(program, path));
  STANDING_RETURN_IF_ERROR(
      ValidateDays(program.grace_days(), absl::StrCat(path, ".grace_days")));
  STANDING_RETURN_IF_ERROR(ValidateDays(
      program.minimum_stay_days(), absl::StrCat(path, ".minimum_stay_days")));
  STANDING_RETURN_IF_ERROR(ValidateMultipliers(program, names, path));
  return ValidateFloors(program, names, path);
}

// Programs are evaluated after the programs they reference through
// tier_at_least, so those references must not form a cycle.
class CycleFinder {
 public:
  explicit CycleFinder(const v1::Policy& policy) : policy_(policy) {
    const int n = policy.tier_programs_size();
    for (int i = 0; i < n; ++i) index_[policy.tier_programs(i).name()] = i;
    edges_.resize(n);
    for (int i = 0; i < n; ++i) {
      std::vector<std::string> referenced;
      const v1::TierProgram& program = policy.tier_programs(i);
      for (const v1::Tier& tier : program.tiers()) {
        internal::CollectProgramReferences(tier.qualify(), &referenced);
      }
      for (const v1::Floor& floor : program.floors()) {
        internal::CollectProgramReferences(floor.when(), &referenced);
      }
      for (const std::string& name : referenced) {
        if (const auto it = index_.find(name); it != index_.end()) {
          edges_[i].push_back(it->second);
        }
      }
    }
    state_.assign(n, kUnvisited);
  }

  absl::Status Check() {
    for (int i = 0; i < static_cast<int>(edges_.size()); ++i) {
      if (state_[i] == kUnvisited) STANDING_RETURN_IF_ERROR(Visit(i));
    }
    return absl::OkStatus();
  }

 private:
  enum State { kUnvisited, kOnStack, kDone };

  absl::Status Visit(int i) {
    state_[i] = kOnStack;
    stack_.push_back(i);
    for (int next : edges_[i]) {
      if (state_[next] == kOnStack) return CycleError(i, next);
      if (state_[next] == kUnvisited) STANDING_RETURN_IF_ERROR(Visit(next));
    }
    stack_.pop_back();
    state_[i] = kDone;
    return absl::OkStatus();
  }

  // The cycle runs from `start` (on the stack) through `last` back to it.
  absl::Status CycleError(int last, int start) const {
    std::vector<absl::string_view> cycle;
    const auto from = std::find(stack_.begin(), stack_.end(), start);
    for (auto it = from; it != stack_.end(); ++it) {
      cycle.push_back(policy_.tier_programs(*it).name());
    }
    cycle.push_back(policy_.tier_programs(start).name());
    return PathError(
        absl::StrCat("tier_programs[", last, "]"),
        absl::StrCat("dependency cycle ", absl::StrJoin(cycle, " -> "),
                     " (through tier_at_least)"));
  }

  const v1::Policy& policy_;
  absl::flat_hash_map<std::string, int> index_;
  std::vector<std::vector<int>> edges_;
  std::vector<State> state_;
  std::vector<int> stack_;
};

absl::Status ValidatePrograms(const v1::Policy& policy,
                              const DeclaredNames& names) {
  // A credit-only policy (an ERP that grades and checks credit) is fine.
  if (policy.tier_programs().empty() && !policy.has_credit()) {
    return PathError("tier_programs",
                     "at least one tier program (or a credit section) is "
                     "required");
  }
  absl::flat_hash_map<std::string, int> seen;
  for (int i = 0; i < policy.tier_programs_size(); ++i) {
    STANDING_RETURN_IF_ERROR(ValidateProgram(policy, i, names, &seen));
  }
  return CycleFinder(policy).Check();
}

DeclaredNames CollectNames(const v1::Policy& policy) {
  DeclaredNames names;
  for (const v1::AttributeDecl& attribute : policy.attributes()) {
    names.attributes.try_emplace(attribute.name(), attribute.type());
  }
  for (const v1::MetricDef& metric : policy.metrics()) {
    names.metrics.insert(metric.name());
  }
  for (const v1::TierProgram& program : policy.tier_programs()) {
    auto [it, inserted] = names.programs.try_emplace(program.name());
    if (!inserted) continue;
    for (const v1::Tier& tier : program.tiers()) {
      it->second.push_back(tier.name());
    }
  }
  return names;
}

}  // namespace

absl::Status ValidatePolicyStructure(const v1::Policy& policy) {
  STANDING_RETURN_IF_ERROR(ValidateHeader(policy));
  STANDING_RETURN_IF_ERROR(ValidateAttributes(policy));
  // References may point forward (a ratio to a later metric, a metric to a
  // program), so every name is collected before anything is checked.
  const DeclaredNames names = CollectNames(policy);
  STANDING_RETURN_IF_ERROR(ValidateMetrics(policy, names));
  return ValidatePrograms(policy, names);
}

// Service levels and entitlements are checked as they compile (their rules
// need resolved names), so full validation is a compilation.
absl::Status ValidatePolicy(const v1::Policy& policy) {
  Interner scratch;
  return CompilePolicy(policy, scratch).status();
}

}  // namespace standing
