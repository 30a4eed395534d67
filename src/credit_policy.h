// The compiled credit section of a policy (docs/credit.md): grades with
// their limits, terms and control modes, the score sheet, hard rules,
// approval steps and who may read or raise credit. Validation errors name
// the field path (`credit.grades[2].min_score: must exceed grades[1]`).
#ifndef STANDING_SRC_CREDIT_POLICY_H_
#define STANDING_SRC_CREDIT_POLICY_H_

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "duration.h"
#include "service_policy.h"
#include "standing/v1/policy.pb.h"

namespace standing {

struct CompiledGrade {
  std::string name;
  double min_score = 0;  // the lowest grade has none (-infinity)
  v1::CreditControl control = v1::CONTROL_BLOCK;
  bool blocked = false;
  int32_t term_days = 0;
  int32_t overdue_tolerance_days = 0;
  // Limit: a fixed amount, or multiple * metric / months in [minimum, cap].
  int64_t fixed_limit = 0;
  int limit_metric = -1;  // CompiledPolicy metric, -1: fixed
  double limit_factor = 0;
  int64_t limit_cap = 0;  // 0: none
  int64_t limit_minimum = 0;
};

struct CompiledScoreItem {
  std::string name;
  int metric = -1;
  double weight = 1;
  std::vector<std::pair<double, double>> bands;  // (at_least, points) asc.
  double missing_points = 0;
};

struct CompiledHardRule {
  std::string name;
  int condition = -1;  // CompiledPolicy node
  int grade = 0;
};

struct CompiledApprovalStep {
  std::string name;
  std::vector<std::string> roles;
  Duration within;
  std::string escalate_to;

  // Whether `role` may decide the step (the escalation role too, once the
  // step has escalated).
  bool Allows(absl::string_view role, bool escalated) const;
  // Whether escalation adds a role (it may already be one of `roles`).
  bool EscalationAddsRole() const;
};

enum class CreditReview : uint8_t { kNone, kYearly, kQuarterly, kMonthly };

struct CompiledCredit {
  bool enabled = false;  // the policy has a credit section
  std::string name = "credit";
  std::vector<CompiledGrade> grades;  // lowest first
  std::vector<CompiledScoreItem> items;
  std::vector<CompiledHardRule> hard_rules;
  bool upgrade_immediate = false;
  bool downgrade_immediate = false;
  CreditReview review = CreditReview::kNone;
  int review_month = 1;
  int review_day = 1;
  std::vector<CompiledApprovalStep> steps;
  std::vector<std::string> readers;
  std::vector<std::string> limit_approvers;
  // Whether any grade's limit follows a metric (recomputed on events).
  bool formula_limits = false;

  int FindGrade(absl::string_view name) const;
  bool MayRead(absl::string_view role) const;
  bool MayRaiseLimit(absl::string_view role) const;
};

// Compiles `policy.credit()` into `out`. Conditions (hard rules) are
// compiled by `compile_condition(condition, path)`; metric names resolve
// through `find_metric` (-1: unknown); approval durations use the
// calendars of `service`.
absl::Status CompileCreditPolicy(
    const v1::Policy& policy,
    const std::function<absl::StatusOr<int>(
        const v1::Condition&, const std::string&)>& compile_condition,
    const std::function<int(absl::string_view)>& find_metric,
    const ServicePolicy& service, CompiledCredit* out);

// The next credit review strictly after `t` (0: none scheduled).
int64_t NextCreditReview(const CompiledCredit& credit, const LocalClock& clock,
                         int64_t t);

}  // namespace standing

#endif  // STANDING_SRC_CREDIT_POLICY_H_
