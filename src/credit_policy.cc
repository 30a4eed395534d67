#include "credit_policy.h"

#include <algorithm>
#include <cmath>

#include "absl/strings/str_cat.h"

namespace standing {
namespace {

absl::Status Error(absl::string_view path, absl::string_view message) {
  return absl::InvalidArgumentError(absl::StrCat(path, ": ", message));
}

bool Contains(const std::vector<std::string>& list, absl::string_view v) {
  return std::find(list.begin(), list.end(), v) != list.end();
}

absl::Status CompileRoles(
    const google::protobuf::RepeatedPtrField<std::string>& roles,
    const std::string& path, std::vector<std::string>* out) {
  for (int i = 0; i < roles.size(); ++i) {
    if (roles[i].empty()) {
      return Error(absl::StrCat(path, "[", i, "]"), "must not be empty");
    }
    out->push_back(roles[i]);
  }
  return absl::OkStatus();
}

absl::Status CompileLimit(const v1::CreditLimit& limit, const std::string& path,
                          const std::function<int(absl::string_view)>& find,
                          CompiledGrade* g) {
  switch (limit.kind_case()) {
    case v1::CreditLimit::kAmount:
      if (limit.amount() < 0) {
        return Error(path + ".amount", "must be zero or more");
      }
      g->fixed_limit = limit.amount();
      return absl::OkStatus();
    case v1::CreditLimit::kRevenueMultiple: {
      const auto& f = limit.revenue_multiple();
      const std::string fp = path + ".revenue_multiple";
      g->limit_metric = find(f.metric());
      if (g->limit_metric < 0) {
        return Error(fp + ".metric",
                     absl::StrCat("unknown metric \"", f.metric(), "\""));
      }
      if (f.months() < 1 || f.months() > 120) {
        return Error(fp + ".months", "must be in 1..120");
      }
      if (!std::isfinite(f.multiple()) || f.multiple() <= 0) {
        return Error(fp + ".multiple", "must be a positive number");
      }
      if (f.cap() < 0) return Error(fp + ".cap", "must be zero or more");
      if (f.minimum() < 0) {
        return Error(fp + ".minimum", "must be zero or more");
      }
      if (f.cap() > 0 && f.minimum() > f.cap()) {
        return Error(fp + ".minimum", "must not exceed the cap");
      }
      g->limit_factor = f.multiple() / f.months();
      g->limit_cap = f.cap();
      g->limit_minimum = f.minimum();
      return absl::OkStatus();
    }
    case v1::CreditLimit::KIND_NOT_SET:
      return absl::OkStatus();
  }
  return absl::OkStatus();
}

absl::Status CompileGrades(
    const v1::CreditPolicy& src,
    const std::function<int(absl::string_view)>& find_metric,
    CompiledCredit* out) {
  if (src.grades_size() == 0) {
    return Error("credit.grades", "at least one grade is required");
  }
  if (src.grades_size() > 64) {
    return Error("credit.grades", "at most 64 grades are supported");
  }
  for (int i = 0; i < src.grades_size(); ++i) {
    const v1::CreditGrade& s = src.grades(i);
    const std::string path = absl::StrCat("credit.grades[", i, "]");
    CompiledGrade g;
    g.name = s.name();
    if (g.name.empty()) return Error(path + ".name", "must not be empty");
    if (out->FindGrade(g.name) >= 0) {
      return Error(path + ".name",
                   absl::StrCat("\"", g.name, "\" is declared twice"));
    }
    if (i == 0) {
      if (s.has_min_score()) {
        return Error(path + ".min_score",
                     "must be absent on the lowest grade (it takes every "
                     "score below grades[1])");
      }
      g.min_score = -INFINITY;
    } else {
      if (!s.has_min_score()) {
        return Error(path + ".min_score", "is required above the lowest grade");
      }
      if (!std::isfinite(s.min_score())) {
        return Error(path + ".min_score", "must be a finite number");
      }
      g.min_score = s.min_score();
      if (i > 1 && g.min_score <= out->grades.back().min_score) {
        return Error(path + ".min_score",
                     absl::StrCat("must exceed grades[", i - 1, "]"));
      }
    }
    if (!v1::CreditControl_IsValid(s.control())) {
      return Error(path + ".control",
                   absl::StrCat("unknown value ", s.control()));
    }
    g.control = s.control() == v1::CREDIT_CONTROL_UNSPECIFIED
                    ? v1::CONTROL_BLOCK
                    : s.control();
    g.blocked = s.blocked();
    if (s.term_days() < 0 || s.term_days() > 3660) {
      return Error(path + ".term_days", "must be in 0..3660");
    }
    g.term_days = s.term_days();
    if (s.overdue_tolerance_days() < 0 || s.overdue_tolerance_days() > 3660) {
      return Error(path + ".overdue_tolerance_days", "must be in 0..3660");
    }
    g.overdue_tolerance_days = s.overdue_tolerance_days();
    if (auto st = CompileLimit(s.limit(), path + ".limit", find_metric, &g);
        !st.ok()) {
      return st;
    }
    if (g.limit_metric >= 0) out->formula_limits = true;
    out->grades.push_back(std::move(g));
  }
  return absl::OkStatus();
}

absl::Status CompileSheet(
    const v1::ScoreSheet& sheet,
    const std::function<int(absl::string_view)>& find_metric,
    CompiledCredit* out) {
  for (int i = 0; i < sheet.items_size(); ++i) {
    const v1::ScoreItem& s = sheet.items(i);
    const std::string path = absl::StrCat("credit.score_sheet.items[", i, "]");
    CompiledScoreItem item;
    item.name = s.name().empty() ? s.metric() : s.name();
    item.metric = find_metric(s.metric());
    if (item.metric < 0) {
      return Error(path + ".metric",
                   absl::StrCat("unknown metric \"", s.metric(), "\""));
    }
    if (!std::isfinite(s.weight()) || s.weight() < 0) {
      return Error(path + ".weight", "must be a finite number, zero or more");
    }
    item.weight = s.weight() == 0 ? 1.0 : s.weight();
    if (!std::isfinite(s.missing_points())) {
      return Error(path + ".missing_points", "must be a finite number");
    }
    item.missing_points = s.missing_points();
    if (s.bands_size() == 0) {
      return Error(path + ".bands", "at least one band is required");
    }
    for (int b = 0; b < s.bands_size(); ++b) {
      const std::string bp = absl::StrCat(path, ".bands[", b, "]");
      const auto& band = s.bands(b);
      if (!std::isfinite(band.at_least())) {
        return Error(bp + ".at_least", "must be a finite number");
      }
      if (!std::isfinite(band.points())) {
        return Error(bp + ".points", "must be a finite number");
      }
      if (b > 0 && band.at_least() <= s.bands(b - 1).at_least()) {
        return Error(bp + ".at_least",
                     absl::StrCat("must exceed bands[", b - 1, "]"));
      }
      item.bands.emplace_back(band.at_least(), band.points());
    }
    out->items.push_back(std::move(item));
  }
  return absl::OkStatus();
}

}  // namespace

int CompiledCredit::FindGrade(absl::string_view name) const {
  for (int i = 0; i < static_cast<int>(grades.size()); ++i) {
    if (grades[i].name == name) return i;
  }
  return -1;
}

bool CompiledApprovalStep::Allows(absl::string_view role,
                                  bool escalated) const {
  return !role.empty() &&
         (Contains(roles, role) || (escalated && role == escalate_to));
}

bool CompiledApprovalStep::EscalationAddsRole() const {
  return !escalate_to.empty() && !Contains(roles, escalate_to);
}

bool CompiledCredit::MayRead(absl::string_view role) const {
  return !role.empty() && Contains(readers, role);
}

bool CompiledCredit::MayRaiseLimit(absl::string_view role) const {
  return !role.empty() && Contains(limit_approvers, role);
}

absl::Status CompileCreditPolicy(
    const v1::Policy& policy,
    const std::function<absl::StatusOr<int>(
        const v1::Condition&, const std::string&)>& compile_condition,
    const std::function<int(absl::string_view)>& find_metric,
    const ServicePolicy& service, CompiledCredit* out) {
  *out = CompiledCredit();
  if (!policy.has_credit()) return absl::OkStatus();
  const v1::CreditPolicy& src = policy.credit();
  out->enabled = true;
  if (!src.name().empty()) out->name = src.name();
  for (const auto& program : policy.tier_programs()) {
    if (program.name() == out->name) {
      return Error("credit.name",
                   absl::StrCat("\"", out->name,
                                "\" is also a tier program's name; grade "
                                "changes carry it as their program"));
    }
  }
  if (auto s = CompileGrades(src, find_metric, out); !s.ok()) return s;
  if (auto s = CompileSheet(src.score_sheet(), find_metric, out); !s.ok()) {
    return s;
  }
  for (int i = 0; i < src.hard_rules_size(); ++i) {
    const v1::HardRule& s = src.hard_rules(i);
    const std::string path = absl::StrCat("credit.hard_rules[", i, "]");
    CompiledHardRule rule;
    rule.name = s.name().empty() ? path : s.name();
    rule.grade = out->FindGrade(s.grade());
    if (rule.grade < 0) {
      return Error(path + ".grade",
                   absl::StrCat("unknown grade \"", s.grade(), "\""));
    }
    if (!s.has_when()) return Error(path + ".when", "is required");
    auto node = compile_condition(s.when(), path + ".when");
    if (!node.ok()) return node.status();
    rule.condition = *node;
    out->hard_rules.push_back(std::move(rule));
  }
  const auto timing = [](v1::TierProgram::Timing t, const std::string& path,
                         bool* immediate) -> absl::Status {
    if (!v1::TierProgram::Timing_IsValid(t)) {
      return Error(path, absl::StrCat("unknown value ", t));
    }
    *immediate = t == v1::TierProgram::IMMEDIATE;
    return absl::OkStatus();
  };
  if (auto s = timing(src.upgrade(), "credit.upgrade", &out->upgrade_immediate);
      !s.ok()) {
    return s;
  }
  if (auto s = timing(src.downgrade(), "credit.downgrade",
                      &out->downgrade_immediate);
      !s.ok()) {
    return s;
  }
  switch (src.review().kind_case()) {
    case v1::ReviewSchedule::kYearly: {
      const int m = src.review().yearly().month();
      const int d = src.review().yearly().day();
      if (m < 1 || m > 12) {
        return Error("credit.review.yearly.month", "must be in 1..12");
      }
      if (d < 1 || d > 31) {
        return Error("credit.review.yearly.day", "must be in 1..31");
      }
      out->review = CreditReview::kYearly;
      out->review_month = m;
      out->review_day = d;
      break;
    }
    case v1::ReviewSchedule::kQuarterly:
      out->review = CreditReview::kQuarterly;
      break;
    case v1::ReviewSchedule::kMonthly:
      out->review = CreditReview::kMonthly;
      break;
    case v1::ReviewSchedule::kEnrolmentAnniversary:
    case v1::ReviewSchedule::kTierAnniversary:
      return Error("credit.review",
                   "must be yearly, quarterly or monthly (one instant for "
                   "every customer)");
    case v1::ReviewSchedule::KIND_NOT_SET:
      break;
  }
  for (int i = 0; i < src.approval_steps_size(); ++i) {
    const v1::ApprovalStep& s = src.approval_steps(i);
    const std::string path = absl::StrCat("credit.approval_steps[", i, "]");
    CompiledApprovalStep step;
    step.name = s.name().empty() ? absl::StrCat("step ", i + 1) : s.name();
    if (s.roles_size() == 0) {
      return Error(path + ".roles", "at least one role is required");
    }
    if (auto st = CompileRoles(s.roles(), path + ".roles", &step.roles);
        !st.ok()) {
      return st;
    }
    if (auto st = CompileDuration(service, s.within(), path + ".within",
                                  /*required=*/true,
                                  /*allow_working_hours=*/true, &step.within);
        !st.ok()) {
      return st;
    }
    step.escalate_to = s.escalate_to();
    out->steps.push_back(std::move(step));
  }
  if (!out->steps.empty() && out->review == CreditReview::kNone) {
    return Error("credit.approval_steps",
                 "approve grade changes proposed by a review; set "
                 "credit.review");
  }
  if (auto s = CompileRoles(src.readers(), "credit.readers", &out->readers);
      !s.ok()) {
    return s;
  }
  return CompileRoles(src.limit_approvers(), "credit.limit_approvers",
                      &out->limit_approvers);
}

int64_t NextCreditReview(const CompiledCredit& credit, const LocalClock& clock,
                         int64_t t) {
  switch (credit.review) {
    case CreditReview::kYearly:
      return clock.NextYearly(t, credit.review_month, credit.review_day);
    case CreditReview::kQuarterly:
      return clock.NextQuarterStart(t);
    case CreditReview::kMonthly:
      return clock.NextMonthStart(t);
    case CreditReview::kNone:
      return 0;
  }
  return 0;
}

}  // namespace standing
