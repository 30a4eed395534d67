// ParsePolicy, ValidatePolicy and PolicyFingerprint. Malformed policies are
// a valid base policy with a text-format overlay merged on top (repeated
// fields append, so an added metric is metrics[6], an added program
// tier_programs[1]); each row names the path and reason expected first.
#include <limits>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "google/protobuf/text_format.h"
#include "google/protobuf/util/json_util.h"
#include "google/protobuf/util/message_differencer.h"
#include "gtest/gtest.h"
#include "standing/policy.h"

namespace standing {
namespace {

using google::protobuf::TextFormat;
using google::protobuf::util::MessageDifferencer;

// Valid: three attributes, six metrics (a ratio declared before its
// operands), one program "member" normal < silver < gold with a yearly
// review and a group multiplier.
constexpr std::string_view kBasePolicy = R"pb(
  name: "retail"
  version: "1"
  time_zone: "+08:00"
  currency: "CNY"
  attributes { name: "region" type: TEXT }
  attributes { name: "upstream_key" type: FLAG }
  attributes { name: "city_group" type: INTEGER }
  metrics {
    name: "spend_year"
    aggregate: SUM
    field: AMOUNT
    window { calendar { period: YEAR } }
    filter { kinds: PURCHASE }
  }
  metrics {
    name: "purchases_year"
    aggregate: COUNT
    window { calendar { period: YEAR } }
    filter { kinds: PURCHASE }
  }
  metrics {
    name: "max_purchase"
    aggregate: MAX
    field: AMOUNT
    window { rolling_days: 365 }
  }
  metrics {
    name: "fulfilment"
    aggregate: RATIO
    numerator: "fulfilled"
    denominator: "due"
  }
  metrics {
    name: "fulfilled"
    aggregate: SUM
    field: FULFILLED
    window { calendar { period: YEAR } }
  }
  metrics {
    name: "due"
    aggregate: COUNT
    window { calendar { period: YEAR } }
    filter { kinds: OBLIGATION }
  }
  tier_programs {
    name: "member"
    tiers { name: "normal" }
    tiers {
      name: "silver"
      qualify { metric { metric: "spend_year" op: GE value: 10000 } }
    }
    tiers {
      name: "gold"
      qualify {
        any {
          conditions { metric { metric: "spend_year" op: GE value: 50000 } }
          conditions { metric { metric: "max_purchase" op: GE value: 10000 } }
        }
      }
    }
    review { yearly { month: 1 day: 1 } }
    multiplier_attribute: "city_group"
    multipliers { value: "2" multiplier: 0.85 }
  }
)pb";

v1::Policy BasePolicy() {
  v1::Policy policy;
  EXPECT_TRUE(TextFormat::ParseFromString(std::string(kBasePolicy), &policy));
  return policy;
}

// A program overlay: tier_programs[1] named `name` with two tiers, the
// second qualifying on `qualify`, reviewed monthly.
std::string Program(absl::string_view name, absl::string_view qualify,
                    absl::string_view extra = "") {
  return absl::StrCat("tier_programs { name: \"", name,
                      "\" tiers { name: \"low\" } tiers { name: \"high\" "
                      "qualify { ",
                      qualify, " } } review { monthly: true } ", extra, " }");
}

struct BadPolicy {
  std::string name;      // test name
  std::string overlay;   // text format merged onto kBasePolicy
  std::string expected;  // the message starts with this
};

std::vector<BadPolicy> BadPolicies() {
  return {
      // --- policy header ---
      {"EmptyName", R"pb(name: "")pb", "name: must not be empty"},
      {"LowercaseCurrency", R"pb(currency: "cny")pb",
       "currency: must be a 3-letter uppercase ISO 4217 code such as \"CNY\", "
       "got \"cny\""},
      {"LongCurrency", R"pb(currency: "CNYX")pb",
       "currency: must be a 3-letter uppercase"},
      {"NamedTimeZone", R"pb(time_zone: "Asia/Shanghai")pb",
       "time_zone: \"Asia/Shanghai\" is not supported: only fixed UTC offsets "
       "such as \"+08:00\" are supported"},
      {"TimeZoneOutOfRange", R"pb(time_zone: "+14:30")pb",
       "time_zone: offset \"+14:30\" is outside -14:00..+14:00"},
      {"TimeZoneShortForm", R"pb(time_zone: "+8:00")pb",
       "time_zone: must be +HH:MM or -HH:MM, got \"+8:00\""},
      {"TimeZoneBadMinutes", R"pb(time_zone: "-03:60")pb",
       "time_zone: must be +HH:MM or -HH:MM"},
      {"NegativeHorizon", R"pb(late_event_horizon_days: -1)pb",
       "late_event_horizon_days: must be in 0..366, got -1"},
      {"HugeHorizon", R"pb(late_event_horizon_days: 400)pb",
       "late_event_horizon_days: must be in 0..366, got 400"},

      // --- attributes ---
      {"AttributeNameNotIdentifier",
       R"pb(attributes { name: "2fast" type: TEXT })pb",
       "attributes[3].name: \"2fast\" is not an identifier"},
      {"AttributeNameEmpty", R"pb(attributes { type: TEXT })pb",
       "attributes[3].name: must not be empty"},
      {"DuplicateAttribute", R"pb(attributes { name: "region" type: TEXT })pb",
       "attributes[3].name: duplicate attribute \"region\" (also "
       "attributes[0])"},
      {"AttributeTypeMissing", R"pb(attributes { name: "tier_code" })pb",
       "attributes[3].type: must be specified"},

      // --- metrics ---
      {"DuplicateMetric",
       R"pb(metrics {
              name: "due"
              aggregate: COUNT
              window { since_enrolment: true }
            })pb",
       "metrics[6].name: duplicate metric \"due\" (also metrics[5])"},
      {"MetricNameWithSpace",
       R"pb(metrics {
              name: "spend year"
              aggregate: COUNT
              window { since_enrolment: true }
            })pb",
       "metrics[6].name: \"spend year\" is not an identifier"},
      {"AggregateMissing",
       R"pb(metrics {
              name: "m"
              window { since_enrolment: true }
            })pb",
       "metrics[6].aggregate: must be specified"},
      {"SumWithoutField",
       R"pb(metrics {
              name: "m"
              aggregate: SUM
              window { since_enrolment: true }
            })pb",
       "metrics[6].field: required for aggregate SUM"},
      {"CountWithField",
       R"pb(metrics {
              name: "m"
              aggregate: COUNT
              field: AMOUNT
              window { since_enrolment: true }
            })pb",
       "metrics[6].field: must not be set for aggregate COUNT"},
      {"RecencyWithField",
       R"pb(metrics {
              name: "m"
              aggregate: RECENCY_DAYS
              field: QUANTITY
              window { since_enrolment: true }
            })pb",
       "metrics[6].field: must not be set for aggregate RECENCY_DAYS"},
      {"TimeWeightedAverageOfAmount",
       R"pb(metrics {
              name: "m"
              aggregate: TIME_WEIGHTED_AVERAGE
              field: AMOUNT
              window { calendar { period: YEAR } }
            })pb",
       "metrics[6].field: must be BALANCE_AMOUNT for TIME_WEIGHTED_AVERAGE"},
      {"TimeWeightedAverageRolling",
       R"pb(metrics {
              name: "m"
              aggregate: TIME_WEIGHTED_AVERAGE
              field: BALANCE_AMOUNT
              window { rolling_days: 30 }
            })pb",
       "metrics[6].window: TIME_WEIGHTED_AVERAGE supports only calendar and "
       "since_enrolment windows"},
      {"DistinctDaysSinceEnrolment",
       R"pb(metrics {
              name: "m"
              aggregate: DISTINCT_DAYS
              window { since_enrolment: true }
            })pb",
       "metrics[6].window: DISTINCT_DAYS supports only calendar and "
       "rolling_days windows"},
      {"WindowMissing",
       R"pb(metrics { name: "m" aggregate: SUM field: AMOUNT })pb",
       "metrics[6].window: required for aggregate SUM"},
      {"WindowKindMissing", R"pb(metrics {
                                   name: "m"
                                   aggregate: SUM
                                   field: AMOUNT
                                   window {}
                                 })pb",
       "metrics[6].window: must set one of rolling_days, calendar"},
      {"RollingDaysZero",
       R"pb(metrics {
              name: "m"
              aggregate: COUNT
              window { rolling_days: 0 }
            })pb",
       "metrics[6].window.rolling_days: must be positive"},
      {"RollingDaysTooLong",
       R"pb(metrics {
              name: "m"
              aggregate: COUNT
              window { rolling_days: 4000 }
            })pb",
       "metrics[6].window.rolling_days: must be at most 3660"},
      {"CalendarPeriodMissing",
       R"pb(metrics {
              name: "m"
              aggregate: COUNT
              window { calendar { periods_back: 1 } }
            })pb",
       "metrics[6].window.calendar.period: must be specified"},
      {"CalendarTooFarBack",
       R"pb(metrics {
              name: "m"
              aggregate: COUNT
              window { calendar { period: MONTH periods_back: 13 } }
            })pb",
       "metrics[6].window.calendar.periods_back: must be in 0..12, got 13"},
      {"SinceEnrolmentFalse",
       R"pb(metrics {
              name: "m"
              aggregate: COUNT
              window { since_enrolment: false }
            })pb",
       "metrics[6].window.since_enrolment: must be true when set"},
      {"SinceTierStartUnknownProgram",
       R"pb(metrics {
              name: "m"
              aggregate: COUNT
              window { since_tier_start: "vip" }
            })pb",
       "metrics[6].window.since_tier_start: unknown tier program \"vip\""},
      {"RatioUnknownNumerator",
       R"pb(metrics {
              name: "r"
              aggregate: RATIO
              numerator: "nope"
              denominator: "due"
            })pb",
       "metrics[6].numerator: unknown metric \"nope\""},
      {"RatioOfRatio",
       R"pb(metrics {
              name: "r"
              aggregate: RATIO
              numerator: "due"
              denominator: "fulfilment"
            })pb",
       "metrics[6].denominator: metric \"fulfilment\" is itself a RATIO"},
      {"RatioSelf",
       R"pb(metrics {
              name: "r"
              aggregate: RATIO
              numerator: "r"
              denominator: "due"
            })pb",
       "metrics[6].numerator: must name another metric"},
      {"RatioMissingDenominator",
       R"pb(metrics { name: "r" aggregate: RATIO numerator: "due" })pb",
       "metrics[6].denominator: required for RATIO"},
      {"RatioWithWindow",
       R"pb(metrics {
              name: "r"
              aggregate: RATIO
              numerator: "fulfilled"
              denominator: "due"
              window { rolling_days: 30 }
            })pb",
       "metrics[6].window: must not be set on a RATIO metric"},
      {"RatioWithFilter",
       R"pb(metrics {
              name: "r"
              aggregate: RATIO
              numerator: "fulfilled"
              denominator: "due"
              filter { kinds: PURCHASE }
            })pb",
       "metrics[6].filter: must not be set on a RATIO metric"},
      {"NumeratorOnSum",
       R"pb(metrics {
              name: "m"
              aggregate: SUM
              field: AMOUNT
              numerator: "due"
              window { rolling_days: 30 }
            })pb",
       "metrics[6].numerator: only RATIO metrics have a numerator"},
      {"FilterKindUnspecified",
       R"pb(metrics {
              name: "m"
              aggregate: COUNT
              window { rolling_days: 30 }
              filter { kinds: PURCHASE kinds: EVENT_KIND_UNSPECIFIED }
            })pb",
       "metrics[6].filter.kinds[1]: must be a specified event kind"},
      {"FilterKindLacksField",
       R"pb(metrics {
              name: "m"
              aggregate: SUM
              field: QUANTITY
              window { rolling_days: 30 }
              filter { kinds: PURCHASE kinds: PAYMENT }
            })pb",
       "metrics[6].filter.kinds[1]: PAYMENT events carry no QUANTITY"},
      {"BalanceFieldOnPurchases",
       R"pb(metrics {
              name: "m"
              aggregate: TIME_WEIGHTED_AVERAGE
              field: BALANCE_AMOUNT
              window { calendar { period: YEAR } }
              filter { kinds: PURCHASE }
            })pb",
       "metrics[6].filter.kinds[0]: PURCHASE events carry no BALANCE_AMOUNT"},
      {"CategoriesOverlap",
       R"pb(metrics {
              name: "m"
              aggregate: COUNT
              window { rolling_days: 30 }
              filter {
                categories: "tv"
                categories: "phone"
                exclude_categories: "phone"
              }
            })pb",
       "metrics[6].filter.exclude_categories[0]: \"phone\" is also in "
       "categories"},
      {"FilterUndeclaredAttribute",
       R"pb(metrics {
              name: "m"
              aggregate: COUNT
              window { rolling_days: 30 }
              filter { customer { attribute: "vip" } }
            })pb",
       "metrics[6].filter.customer[0]: unknown attribute \"vip\""},
      {"FilterFlagWithValues",
       R"pb(metrics {
              name: "m"
              aggregate: COUNT
              window { rolling_days: 30 }
              filter { customer { attribute: "upstream_key" values: "yes" } }
            })pb",
       "metrics[6].filter.customer[0]: flag attribute \"upstream_key\" takes "
       "no values"},
      {"FilterTextWithoutValues",
       R"pb(metrics {
              name: "m"
              aggregate: COUNT
              window { rolling_days: 30 }
              filter { customer { attribute: "region" negate: true } }
            })pb",
       "metrics[6].filter.customer[0]: attribute \"region\" needs at least "
       "one value"},
      {"FilterIntegerValueNotInteger",
       R"pb(metrics {
              name: "m"
              aggregate: COUNT
              window { rolling_days: 30 }
              filter {
                customer { attribute: "city_group" values: "2" values: "two" }
              }
            })pb",
       "metrics[6].filter.customer[0].values[1]: \"two\" is not an integer"},

      // --- tier programs: names and tiers ---
      {"DuplicateProgram",
       Program("member", R"pb(metric { metric: "due" op: GE value: 1 })pb"),
       "tier_programs[1].name: duplicate tier program \"member\" (also "
       "tier_programs[0])"},
      {"ProgramNameNotIdentifier",
       Program("credit list",
               R"pb(metric { metric: "due" op: GE value: 1 })pb"),
       "tier_programs[1].name: \"credit list\" is not an identifier"},
      {"SingleTier",
       R"pb(tier_programs {
              name: "solo"
              tiers { name: "only" }
              downgrade: IMMEDIATE
            })pb",
       "tier_programs[1].tiers: needs at least 2 tiers"},
      {"BaseTierWithQualify",
       R"pb(tier_programs {
              name: "p"
              tiers {
                name: "low"
                qualify { metric { metric: "due" op: GE value: 0 } }
              }
              tiers {
                name: "high"
                qualify { metric { metric: "due" op: GE value: 1 } }
              }
              review { monthly: true }
            })pb",
       "tier_programs[1].tiers[0].qualify: the base tier (tiers[0]) must not "
       "have a qualify condition"},
      {"UpperTierWithoutQualify",
       R"pb(tier_programs {
              name: "p"
              tiers { name: "low" }
              tiers { name: "high" }
              review { monthly: true }
            })pb",
       "tier_programs[1].tiers[1].qualify: required on every tier above the "
       "base tier"},
      {"DuplicateTier",
       R"pb(tier_programs {
              name: "p"
              tiers { name: "low" }
              tiers {
                name: "low"
                qualify { metric { metric: "due" op: GE value: 1 } }
              }
              review { monthly: true }
            })pb",
       "tier_programs[1].tiers[1].name: duplicate tier \"low\" (also "
       "tiers[0])"},
      {"EmptyTierName",
       R"pb(tier_programs {
              name: "p"
              tiers {}
              tiers {
                name: "high"
                qualify { metric { metric: "due" op: GE value: 1 } }
              }
              review { monthly: true }
            })pb",
       "tier_programs[1].tiers[0].name: must not be empty"},

      // --- conditions ---
      {"ConditionKindMissing", Program("p", R"pb(label: "nothing")pb"),
       "tier_programs[1].tiers[1].qualify: must set one of all, any, not, "
       "metric, attribute, tier_at_least"},
      {"EmptyAll", Program("p", R"pb(all {})pb"),
       "tier_programs[1].tiers[1].qualify.all: must list at least one "
       "condition"},
      {"NestedUnknownMetric",
       Program("p",
               R"pb(all {
                      conditions { metric { metric: "due" op: GE value: 1 } }
                      conditions {
                        any {
                          conditions {
                            not { metric { metric: "nope" op: GE value: 1 } }
                          }
                        }
                      }
                    })pb"),
       "tier_programs[1].tiers[1].qualify.all[1].any[0].not.metric: unknown "
       "metric \"nope\""},
      {"ComparisonOpMissing",
       Program("p", R"pb(metric { metric: "due" value: 1 })pb"),
       "tier_programs[1].tiers[1].qualify.metric: op must be specified"},
      {"ComparisonInfinite",
       Program("p", R"pb(metric { metric: "due" op: LT value: inf })pb"),
       "tier_programs[1].tiers[1].qualify.metric: value must be finite"},
      {"ComparisonNaN",
       Program("p", R"pb(metric { metric: "due" op: EQ value: nan })pb"),
       "tier_programs[1].tiers[1].qualify.metric: value must be finite"},
      {"ConditionUnknownAttribute",
       Program("p", R"pb(any {
                           conditions { attribute { attribute: "province" } }
                         })pb"),
       "tier_programs[1].tiers[1].qualify.any[0].attribute: unknown attribute "
       "\"province\""},
      {"ConditionFlagWithValues", Program("p", R"pb(attribute {
                                                      attribute: "upstream_key"
                                                      values: "1"
                                                    })pb"),
       "tier_programs[1].tiers[1].qualify.attribute: flag attribute"},
      {"TierAtLeastUnknownProgram",
       Program("p", R"pb(tier_at_least { program: "vip" tier: "gold" })pb"),
       "tier_programs[1].tiers[1].qualify.tier_at_least: unknown tier program "
       "\"vip\""},
      {"TierAtLeastUnknownTier", Program("p", R"pb(tier_at_least {
                                                     program: "member"
                                                     tier: "platinum"
                                                   })pb"),
       "tier_programs[1].tiers[1].qualify.tier_at_least: program \"member\" "
       "has no tier \"platinum\""},
      {"TierAtLeastOwnProgram",
       Program("p", R"pb(tier_at_least { program: "p" tier: "low" })pb"),
       "tier_programs[1].tiers[1].qualify.tier_at_least: must not reference "
       "its own program \"p\""},

      // --- monotonic thresholds ---
      {"ThresholdNotIncreasingInAny",
       R"pb(tier_programs {
              name: "p"
              tiers { name: "t0" }
              tiers {
                name: "t1"
                qualify { metric { metric: "spend_year" op: GE value: 10000 } }
              }
              tiers {
                name: "t2"
                qualify {
                  any {
                    conditions { attribute { attribute: "upstream_key" } }
                    conditions {
                      metric { metric: "spend_year" op: GT value: 8000 }
                    }
                  }
                }
              }
              review { monthly: true }
            })pb",
       "tier_programs[1].tiers[2].qualify.any[1].metric: threshold must "
       "exceed tiers[1]'s (10000)"},
      {"ThresholdEqualDirect",
       R"pb(tier_programs {
              name: "p"
              tiers { name: "t0" }
              tiers {
                name: "t1"
                qualify {
                  all {
                    conditions {
                      metric { metric: "spend_year" op: GE value: 2000000 }
                    }
                    conditions {
                      metric { metric: "spend_year" op: LT value: 5000000 }
                    }
                  }
                }
              }
              tiers {
                name: "t2"
                qualify { metric { metric: "spend_year" op: GE value: 2e6 } }
              }
              review { monthly: true }
            })pb",
       "tier_programs[1].tiers[2].qualify.metric: threshold must exceed "
       "tiers[1]'s (2000000) for metric \"spend_year\", got 2000000"},

      // --- timing and review ---
      {"ReviewMissingForDefaultDowngrade",
       R"pb(tier_programs {
              name: "p"
              tiers { name: "low" }
              tiers {
                name: "high"
                qualify { metric { metric: "due" op: GE value: 1 } }
              }
            })pb",
       "tier_programs[1].review: required because downgrade is AT_REVIEW "
       "(the default)"},
      {"ReviewMissingForDeferredUpgrade",
       R"pb(tier_programs {
              name: "p"
              tiers { name: "low" }
              tiers {
                name: "high"
                qualify { metric { metric: "due" op: GE value: 1 } }
              }
              upgrade: AT_REVIEW
              downgrade: IMMEDIATE
            })pb",
       "tier_programs[1].review: required because upgrade is AT_REVIEW"},
      {"ReviewKindMissing",
       R"pb(tier_programs {
              name: "p"
              tiers { name: "low" }
              tiers {
                name: "high"
                qualify { metric { metric: "due" op: GE value: 1 } }
              }
              review {}
            })pb",
       "tier_programs[1].review: must set one of yearly, quarterly"},
      {"ReviewFebruary29",
       R"pb(tier_programs {
              name: "p"
              tiers { name: "low" }
              tiers {
                name: "high"
                qualify { metric { metric: "due" op: GE value: 1 } }
              }
              review { yearly { month: 2 day: 29 } }
            })pb",
       "tier_programs[1].review.yearly.day: February 29 does not occur every "
       "year; use Feb 28 or Mar 1"},
      {"ReviewApril31",
       R"pb(tier_programs {
              name: "p"
              tiers { name: "low" }
              tiers {
                name: "high"
                qualify { metric { metric: "due" op: GE value: 1 } }
              }
              review { yearly { month: 4 day: 31 } }
            })pb",
       "tier_programs[1].review.yearly.day: must be in 1..30 for month 4, got "
       "31"},
      {"ReviewMonth13",
       R"pb(tier_programs {
              name: "p"
              tiers { name: "low" }
              tiers {
                name: "high"
                qualify { metric { metric: "due" op: GE value: 1 } }
              }
              review { yearly { month: 13 day: 1 } }
            })pb",
       "tier_programs[1].review.yearly.month: must be in 1..12, got 13"},
      {"ReviewQuarterlyFalse",
       R"pb(tier_programs {
              name: "p"
              tiers { name: "low" }
              tiers {
                name: "high"
                qualify { metric { metric: "due" op: GE value: 1 } }
              }
              review { quarterly: false }
            })pb",
       "tier_programs[1].review.quarterly: must be true when set"},
      {"NegativeGrace",
       Program("p", R"pb(metric { metric: "due" op: GE value: 1 })pb",
               "grace_days: -1"),
       "tier_programs[1].grace_days: must be in 0..3660, got -1"},
      {"LongMinimumStay",
       Program("p", R"pb(metric { metric: "due" op: GE value: 1 })pb",
               "minimum_stay_days: 4000"),
       "tier_programs[1].minimum_stay_days: must be in 0..3660, got 4000"},

      // --- multipliers ---
      {"MultipliersWithoutAttribute",
       Program("p", R"pb(metric { metric: "due" op: GE value: 1 })pb",
               R"pb(multipliers { value: "2" multiplier: 0.8 })pb"),
       "tier_programs[1].multiplier_attribute: required when multipliers are "
       "given"},
      {"MultiplierAttributeUndeclared",
       Program("p", R"pb(metric { metric: "due" op: GE value: 1 })pb",
               R"pb(multiplier_attribute: "province"
                    multipliers { value: "2" multiplier: 0.8 })pb"),
       "tier_programs[1].multiplier_attribute: unknown attribute "
       "\"province\""},
      {"MultiplierZero",
       Program("p", R"pb(metric { metric: "due" op: GE value: 1 })pb",
               R"pb(multiplier_attribute: "region"
                    multipliers { value: "north" })pb"),
       "tier_programs[1].multipliers[0].multiplier: must be in (0, 10], got "
       "0"},
      {"MultiplierTooLarge",
       Program("p", R"pb(metric { metric: "due" op: GE value: 1 })pb",
               R"pb(multiplier_attribute: "region"
                    multipliers { value: "north" multiplier: 10.5 })pb"),
       "tier_programs[1].multipliers[0].multiplier: must be in (0, 10], got "
       "10.5"},
      {"MultiplierValueEmpty",
       Program("p", R"pb(metric { metric: "due" op: GE value: 1 })pb",
               R"pb(multiplier_attribute: "region"
                    multipliers { multiplier: 0.9 })pb"),
       "tier_programs[1].multipliers[0].value: must not be empty"},
      {"MultiplierValueDuplicate",
       Program("p", R"pb(metric { metric: "due" op: GE value: 1 })pb",
               R"pb(multiplier_attribute: "region"
                    multipliers { value: "north" multiplier: 0.9 }
                    multipliers { value: "north" multiplier: 0.8 })pb"),
       "tier_programs[1].multipliers[1].value: duplicate value \"north\" "
       "(also multipliers[0])"},

      // --- floors ---
      {"FloorUnknownTier",
       Program("p", R"pb(metric { metric: "due" op: GE value: 1 })pb",
               R"pb(floors {
                      tier: "top"
                      when { attribute { attribute: "upstream_key" } }
                    })pb"),
       "tier_programs[1].floors[0].tier: program \"p\" has no tier \"top\""},
      {"FloorWithoutWhen",
       Program("p", R"pb(metric { metric: "due" op: GE value: 1 })pb",
               R"pb(floors { tier: "high" })pb"),
       "tier_programs[1].floors[0].when: required"},
      {"FloorOnOwnProgram",
       Program(
           "p", R"pb(metric { metric: "due" op: GE value: 1 })pb",
           R"pb(floors {
                  tier: "high"
                  when { not { tier_at_least { program: "p" tier: "low" } } }
                })pb"),
       "tier_programs[1].floors[0].when.not.tier_at_least: must not reference "
       "its own program \"p\""},

      // --- dependency cycles ---
      {"TwoProgramCycle",
       Program("a", R"pb(tier_at_least { program: "b" tier: "high" })pb") +
           Program("b", R"pb(metric { metric: "due" op: GE value: 1 })pb",
                   R"pb(floors {
                          tier: "high"
                          when { tier_at_least { program: "a" tier: "high" } }
                        })pb"),
       "tier_programs[2]: dependency cycle a -> b -> a"},
      {"ThreeProgramCycle",
       Program("a", R"pb(tier_at_least { program: "member" tier: "gold" })pb") +
           Program("b", R"pb(tier_at_least { program: "c" tier: "high" })pb") +
           Program("c", R"pb(tier_at_least { program: "d" tier: "high" })pb") +
           Program(
               "d",
               R"pb(any {
                      conditions { tier_at_least { program: "a" tier: "high" } }
                      conditions { tier_at_least { program: "b" tier: "high" } }
                    })pb"),
       "tier_programs[4]: dependency cycle b -> c -> d -> b"},
  };
}

class BadPolicyTest : public testing::TestWithParam<BadPolicy> {};

TEST_P(BadPolicyTest, ReportsPathAndReason) {
  const BadPolicy& row = GetParam();
  v1::Policy policy = BasePolicy();
  ASSERT_TRUE(TextFormat::MergeFromString(row.overlay, &policy)) << row.overlay;
  const absl::Status status = ValidatePolicy(policy);
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument) << status;
  EXPECT_TRUE(absl::StartsWith(status.message(), row.expected))
      << "  actual: " << status.message() << "\nexpected: " << row.expected;
}

INSTANTIATE_TEST_SUITE_P(Validation, BadPolicyTest,
                         testing::ValuesIn(BadPolicies()),
                         [](const testing::TestParamInfo<BadPolicy>& info) {
                           return info.param.name;
                         });

TEST(ValidatePolicyTest, BasePolicyIsValid) {
  EXPECT_TRUE(ValidatePolicy(BasePolicy()).ok())
      << ValidatePolicy(BasePolicy());
}

TEST(ValidatePolicyTest, NoTierPrograms) {
  v1::Policy policy = BasePolicy();
  policy.clear_tier_programs();
  EXPECT_EQ(ValidatePolicy(policy).message(),
            "tier_programs: at least one tier program (or a credit section) is "
            "required");
}

TEST(ValidatePolicyTest, UnknownEnumValues) {
  v1::Policy policy = BasePolicy();
  policy.mutable_tier_programs(0)->set_upgrade(
      static_cast<v1::TierProgram::Timing>(7));
  EXPECT_EQ(ValidatePolicy(policy).message(),
            "tier_programs[0].upgrade: unknown value 7");

  policy = BasePolicy();
  policy.mutable_metrics(0)->mutable_filter()->set_kinds(
      0, static_cast<v1::EventKind>(42));
  EXPECT_EQ(ValidatePolicy(policy).message(),
            "metrics[0].filter.kinds[0]: unknown value 42");
}

// A key-account policy using most features: forward references, floors on
// another program, balances, distinct days, a since-tier-start window,
// immediate downgrades without a review.
constexpr std::string_view kRichPolicy = R"pb(
  name: "key_accounts"
  time_zone: "-03:30"
  currency: "USD"
  late_event_horizon_days: 0
  attributes { name: "upstream_key" type: FLAG }
  attributes { name: "revenue_group" type: INTEGER }
  attributes { name: "score" type: NUMBER }
  attributes { name: "region" type: TEXT }
  metrics {
    name: "fulfilment_rate"
    aggregate: RATIO
    numerator: "fulfilled"
    denominator: "obligations"
  }
  metrics {
    name: "fulfilled"
    aggregate: SUM
    field: FULFILLED
    window { since_tier_start: "credit" }
    filter { kinds: OBLIGATION }
  }
  metrics {
    name: "obligations"
    aggregate: COUNT
    window { since_tier_start: "credit" }
    filter { kinds: OBLIGATION }
  }
  metrics {
    name: "revenue"
    aggregate: SUM
    field: AMOUNT
    window { calendar { period: YEAR periods_back: 1 } }
    filter {
      kinds: INVOICE
      kinds: PAYMENT
      categories: "mail"
      exclude_categories: "stamps"
      customer {
        attribute: "region"
        values: "north"
        values: "east"
        negate: true
      }
      customer { attribute: "score" values: "0.5" }
    }
  }
  metrics {
    name: "avg_balance"
    aggregate: TIME_WEIGHTED_AVERAGE
    field: BALANCE_AMOUNT
    window { since_enrolment: true }
  }
  metrics {
    name: "active_days"
    aggregate: DISTINCT_DAYS
    window { rolling_days: 90 }
  }
  metrics {
    name: "quiet_days"
    aggregate: RECENCY_DAYS
    window { rolling_days: 3660 }
    filter { kinds: CONTACT }
  }
  tier_programs {
    name: "service"
    tiers { name: "普通" }
    tiers {
      name: "铂金"
      qualify { tier_at_least { program: "revenue_tier" tier: "platinum" } }
    }
    downgrade: IMMEDIATE
    floors {
      tier: "铂金"
      when { attribute { attribute: "upstream_key" } }
    }
  }
  tier_programs {
    name: "revenue_tier"
    tiers { name: "none" }
    tiers {
      name: "vip"
      qualify {
        all {
          conditions { metric { metric: "revenue" op: GE value: 10000 } }
          conditions { metric { metric: "revenue" op: LT value: 200000 } }
        }
      }
    }
    tiers {
      name: "gold"
      qualify { metric { metric: "revenue" op: GE value: 200000 } }
    }
    tiers {
      name: "platinum"
      qualify {
        any {
          conditions { metric { metric: "revenue" op: GT value: 2000000 } }
          conditions { metric { metric: "avg_balance" op: GE value: 1e6 } }
        }
      }
    }
    tiers {
      name: "diamond"
      qualify {
        any {
          conditions { metric { metric: "revenue" op: GE value: 5000000 } }
          conditions { attribute { attribute: "upstream_key" } }
          conditions { metric { metric: "active_days" op: GE value: 0 } }
        }
      }
    }
    upgrade: IMMEDIATE
    downgrade: AT_REVIEW
    downgrade_mode: ONE_TIER_DOWN
    review { yearly { month: 2 day: 28 } }
    grace_days: 90
    minimum_stay_days: 365
    multiplier_attribute: "revenue_group"
    multipliers { value: "2" multiplier: 0.9 }
    multipliers { value: "3" multiplier: 0.8 }
    floors {
      tier: "gold"
      when { tier_at_least { program: "credit" tier: "green" } }
    }
  }
  tier_programs {
    name: "credit"
    tiers { name: "black" }
    tiers {
      name: "green"
      qualify {
        all {
          conditions {
            metric {
              metric: "fulfilment_rate"
              op: GE
              value: 0.75
              unscaled: true
            }
          }
          conditions {
            metric { metric: "quiet_days" op: LE value: 180 when_missing: true }
          }
          conditions {
            not { attribute { attribute: "revenue_group" values: "9" } }
          }
        }
      }
    }
    review { tier_anniversary: true }
  }
)pb";

TEST(ValidatePolicyTest, RichPolicyIsValid) {
  v1::Policy policy;
  ASSERT_TRUE(TextFormat::ParseFromString(std::string(kRichPolicy), &policy));
  EXPECT_TRUE(ValidatePolicy(policy).ok()) << ValidatePolicy(policy);
}

TEST(ValidatePolicyTest, BoundaryValuesAreValid) {
  for (std::string_view zone : {"", "+14:00", "-14:00", "+05:45", "+00:00"}) {
    v1::Policy policy = BasePolicy();
    policy.set_time_zone(std::string(zone));
    EXPECT_TRUE(ValidatePolicy(policy).ok()) << zone;
  }
  v1::Policy policy = BasePolicy();
  policy.set_late_event_horizon_days(366);
  v1::TierProgram& program = *policy.mutable_tier_programs(0);
  program.set_grace_days(3660);
  program.set_minimum_stay_days(3660);
  program.mutable_multipliers(0)->set_multiplier(10);
  program.mutable_review()->mutable_yearly()->set_month(12);
  program.mutable_review()->mutable_yearly()->set_day(31);
  EXPECT_TRUE(ValidatePolicy(policy).ok()) << ValidatePolicy(policy);
}

TEST(ValidatePolicyTest, ThresholdsOnlyComparedBetweenNeighbours) {
  // gold's 12000 on max_purchase exceeds silver's (none); a smaller
  // threshold nested two levels deep is not a direct position.
  v1::Policy policy = BasePolicy();
  ASSERT_TRUE(TextFormat::MergeFromString(
      R"pb(tier_programs {
             name: "p"
             tiers { name: "t0" }
             tiers {
               name: "t1"
               qualify { metric { metric: "spend_year" op: GE value: 100 } }
             }
             tiers {
               name: "t2"
               qualify {
                 any {
                   conditions {
                     all {
                       conditions {
                         metric { metric: "spend_year" op: GE value: 50 }
                       }
                     }
                   }
                   conditions {
                     metric { metric: "spend_year" op: LE value: 10 }
                   }
                   conditions {
                     metric { metric: "max_purchase" op: GE value: 1 }
                   }
                 }
               }
             }
             review { monthly: true }
           })pb",
      &policy));
  EXPECT_TRUE(ValidatePolicy(policy).ok()) << ValidatePolicy(policy);
}

// --- ParsePolicy ---------------------------------------------------------

TEST(ParsePolicyTest, RejectsEmptyInput) {
  for (PolicyFormat format :
       {PolicyFormat::kJson, PolicyFormat::kText, PolicyFormat::kBinary}) {
    const auto policy = ParsePolicy("", format);
    ASSERT_FALSE(policy.ok());
    EXPECT_EQ(policy.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_TRUE(absl::StrContains(policy.status().message(), "empty input"))
        << policy.status();
  }
  EXPECT_EQ(ParsePolicy(" \n\t", PolicyFormat::kText).status().message(),
            "policy (text): empty input");
}

TEST(ParsePolicyTest, MalformedJsonHasLineAndColumn) {
  const auto policy =
      ParsePolicy("{\"name\": \"x\",\n \"currency\": }", PolicyFormat::kJson);
  ASSERT_FALSE(policy.ok());
  EXPECT_EQ(policy.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(
      absl::StartsWith(policy.status().message(), "policy (json): 2:14: "))
      << policy.status();

  // Columns count characters, not bytes.
  const auto bad_literal =
      ParsePolicy("{\"name\": \"钻石\", \"currency\": x}", PolicyFormat::kJson);
  ASSERT_FALSE(bad_literal.ok());
  EXPECT_TRUE(
      absl::StartsWith(bad_literal.status().message(), "policy (json): 1:28: "))
      << bad_literal.status();
}

TEST(ParsePolicyTest, UnknownJsonFieldIsRefused) {
  const auto policy =
      ParsePolicy(R"({"name": "x", "currencyy": "CNY"})", PolicyFormat::kJson);
  ASSERT_FALSE(policy.ok());
  EXPECT_EQ(policy.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(absl::StartsWith(policy.status().message(), "policy (json): "));
  EXPECT_TRUE(absl::StrContains(policy.status().message(), "currencyy"))
      << policy.status();
}

TEST(ParsePolicyTest, LenientJsonSyntaxDoesNotMisplaceErrors) {
  // Protobuf accepts trailing commas; the error is the unknown field, with
  // no position.
  EXPECT_EQ(
      ParsePolicy(R"({"nme": "x",})", PolicyFormat::kJson).status().message(),
      "policy (json): nme: Cannot find field.");
  EXPECT_EQ(ParsePolicy("[1]", PolicyFormat::kJson).status().message(),
            "policy (json): Root element must be a message.");
}

TEST(ParsePolicyTest, JsonTypeErrorNamesTheField) {
  const auto policy =
      ParsePolicy(R"({"metrics": [{"name": "m", "aggregate": "SUMM"}]})",
                  PolicyFormat::kJson);
  ASSERT_FALSE(policy.ok());
  EXPECT_TRUE(
      absl::StrContains(policy.status().message(), "metrics[0].aggregate"))
      << policy.status();
}

TEST(ParsePolicyTest, MalformedTextHasLineAndColumn) {
  const auto policy =
      ParsePolicy("name: \"x\"\ncurrency \"CNY\"\n", PolicyFormat::kText);
  ASSERT_FALSE(policy.ok());
  EXPECT_EQ(policy.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(
      absl::StartsWith(policy.status().message(), "policy (text): 2:10: "))
      << policy.status();

  const auto unknown =
      ParsePolicy("name: \"x\"\nnmae: \"y\"", PolicyFormat::kText);
  ASSERT_FALSE(unknown.ok());
  EXPECT_TRUE(absl::StartsWith(unknown.status().message(), "policy (text): 2:"))
      << unknown.status();
  EXPECT_TRUE(absl::StrContains(unknown.status().message(), "nmae"));
}

TEST(ParsePolicyTest, TruncatedBinaryIsRefused) {
  std::string bytes = BasePolicy().SerializeAsString();
  bytes.pop_back();
  const auto policy = ParsePolicy(bytes, PolicyFormat::kBinary);
  ASSERT_FALSE(policy.ok());
  EXPECT_EQ(policy.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(absl::StartsWith(policy.status().message(),
                               "policy (binary): malformed or truncated"))
      << policy.status();

  EXPECT_FALSE(ParsePolicy("\xff\xff\xff\xff", PolicyFormat::kBinary).ok());
}

TEST(ParsePolicyTest, RoundTripsInEveryFormat) {
  v1::Policy original;
  ASSERT_TRUE(TextFormat::ParseFromString(std::string(kRichPolicy), &original));

  std::string json;
  ASSERT_TRUE(
      google::protobuf::util::MessageToJsonString(original, &json).ok());
  std::string text;
  ASSERT_TRUE(TextFormat::PrintToString(original, &text));
  const std::string binary = original.SerializeAsString();

  for (const auto& [bytes, format] :
       std::vector<std::pair<std::string, PolicyFormat>>{
           {json, PolicyFormat::kJson},
           {text, PolicyFormat::kText},
           {binary, PolicyFormat::kBinary}}) {
    const auto parsed = ParsePolicy(bytes, format);
    ASSERT_TRUE(parsed.ok()) << parsed.status();
    EXPECT_TRUE(MessageDifferencer::Equals(*parsed, original))
        << static_cast<int>(format);
    EXPECT_EQ(PolicyFingerprint(*parsed), PolicyFingerprint(original));
    EXPECT_TRUE(ValidatePolicy(*parsed).ok());
  }
}

TEST(PolicyFingerprintTest, ChangesWithContent) {
  const v1::Policy base = BasePolicy();
  v1::Policy copy = base;
  EXPECT_EQ(PolicyFingerprint(base), PolicyFingerprint(copy));
  EXPECT_NE(PolicyFingerprint(base), PolicyFingerprint(v1::Policy()));

  copy.mutable_tier_programs(0)
      ->mutable_tiers(1)
      ->mutable_qualify()
      ->mutable_metric()
      ->set_value(10001);
  EXPECT_NE(PolicyFingerprint(base), PolicyFingerprint(copy));
}

TEST(PolicyFingerprintTest, EmptyPolicyIsFnvOffsetBasis) {
  // FNV-1a of no bytes is the offset basis: pins the algorithm.
  EXPECT_EQ(PolicyFingerprint(v1::Policy()), 14695981039346656037ull);
}

}  // namespace
}  // namespace standing
