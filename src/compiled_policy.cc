#include "compiled_policy.h"

#include <algorithm>
#include <bit>
#include <cmath>
#include <functional>
#include <map>

#include "absl/status/status.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "standing/policy.h"

namespace standing {
namespace {

absl::Status Error(absl::string_view path, absl::string_view message) {
  return absl::InvalidArgumentError(absl::StrCat(path, ": ", message));
}

absl::StatusOr<int64_t> ParseDate(absl::string_view text) {
  int y = 0, m = 0, d = 0;
  if (text.size() != 10 || text[4] != '-' || text[7] != '-' ||
      !absl::SimpleAtoi(text.substr(0, 4), &y) ||
      !absl::SimpleAtoi(text.substr(5, 2), &m) ||
      !absl::SimpleAtoi(text.substr(8, 2), &d) || m < 1 || m > 12 || d < 1 ||
      d > DaysInMonth(y, m)) {
    return absl::InvalidArgumentError(
        absl::StrCat("\"", text, "\" is not a date YYYY-MM-DD"));
  }
  return DaysFromCivil(y, m, d);
}

// Words one calendar slot of a DISTINCT_DAYS bitmap needs.
int DayBitmapWords(int period) {
  switch (period) {
    case v1::MONTH:
      return 1;
    case v1::QUARTER:
      return 2;
    default:
      return 6;
  }
}

class Compiler {
 public:
  Compiler(const v1::Policy& policy, Interner& interner, CompiledPolicy& out)
      : policy_(policy), interner_(interner), out_(out) {}

  absl::Status Run() {
    out_.source = policy_;
    out_.fingerprint = PolicyFingerprint(policy_);
    auto clock = LocalClock::Parse(policy_.time_zone());
    if (!clock.ok()) return clock.status();
    out_.clock = *clock;
    out_.currency = policy_.currency();
    out_.late_horizon_seconds = int64_t{policy_.late_event_horizon_days() > 0
                                            ? policy_.late_event_horizon_days()
                                            : 7} *
                                kSecondsPerDay;
    if (policy_.attributes_size() > 64) {
      return Error("attributes", "at most 64 attributes are supported");
    }
    for (const auto& a : policy_.attributes()) {
      out_.attribute_names.push_back(a.name());
      out_.attribute_types.push_back(a.type());
    }
    // Programs are named before conditions refer to them.
    for (int i = 0; i < policy_.tier_programs_size(); ++i) {
      CompiledProgram p;
      p.name = policy_.tier_programs(i).name();
      p.path = absl::StrCat("tier_programs[", i, "]");
      for (const auto& t : policy_.tier_programs(i).tiers()) {
        p.tiers.push_back(CompiledTier{t.name(), -1, ""});
      }
      out_.programs.push_back(std::move(p));
    }
    if (auto s = CompileMetrics(); !s.ok()) return s;
    for (int i = 0; i < policy_.tier_programs_size(); ++i) {
      if (auto s = CompileProgram(i); !s.ok()) return s;
    }
    if (auto s = OrderPrograms(); !s.ok()) return s;
    // Before LayOut, which fills the read offsets of every condition node.
    if (auto s = CompileServicePolicy(
            policy_,
            [this](const v1::Condition& c, const std::string& path) {
              return CompileCondition(c, path, -1);
            },
            &out_.service);
        !s.ok()) {
      return s;
    }
    if (auto s = CompileCreditPolicy(
            policy_,
            [this](const v1::Condition& c, const std::string& path) {
              return CompileCondition(c, path, -1);
            },
            [this](absl::string_view name) { return out_.FindMetric(name); },
            out_.service, &out_.credit);
        !s.ok()) {
      return s;
    }
    LayOut();
    return absl::OkStatus();
  }

 private:
  absl::StatusOr<AttrTest> CompileAttrTest(const v1::AttributeTest& test,
                                           absl::string_view path) {
    AttrTest out;
    out.attribute = out_.FindAttribute(test.attribute());
    if (out.attribute < 0) {
      return Error(
          path, absl::StrCat("unknown attribute \"", test.attribute(), "\""));
    }
    out.negate = test.negate();
    const auto type = out_.attribute_types[out.attribute];
    for (const std::string& v : test.values()) {
      int64_t word = 0;
      switch (type) {
        case v1::AttributeDecl::TEXT:
          word = interner_.Intern(v);
          break;
        case v1::AttributeDecl::INTEGER:
          if (!absl::SimpleAtoi(v, &word)) {
            return Error(path, absl::StrCat("\"", v, "\" is not an integer"));
          }
          break;
        case v1::AttributeDecl::NUMBER: {
          double d = 0;
          if (!absl::SimpleAtod(v, &d) || !std::isfinite(d)) {
            return Error(path, absl::StrCat("\"", v, "\" is not a number"));
          }
          word = std::bit_cast<int64_t>(d);
          break;
        }
        case v1::AttributeDecl::FLAG:
          if (v == "true") {
            word = 1;
          } else if (v == "false") {
            word = 0;
          } else {
            return Error(path, absl::StrCat("\"", v, "\" is not true/false"));
          }
          break;
        case v1::AttributeDecl::DATE: {
          auto day = ParseDate(v);
          if (!day.ok()) return Error(path, day.status().message());
          word = *day;
          break;
        }
        default:
          return Error(path, "attribute has no type");
      }
      out.values.push_back(word);
    }
    return out;
  }

  absl::StatusOr<CompiledFilter> CompileFilter(const v1::MetricDef& m,
                                               absl::string_view path) {
    CompiledFilter f;
    const auto& src = m.filter();
    for (int k : src.kinds()) {
      if (k <= 0 || k > 31) return Error(path, "unknown event kind");
      f.kind_mask |= 1u << k;
    }
    if (f.kind_mask == 0) {
      switch (m.field()) {
        case v1::FULFILLED:
          f.kind_mask = 1u << v1::OBLIGATION;
          break;
        case v1::BALANCE_AMOUNT:
          f.kind_mask = 1u << v1::BALANCE;
          break;
        case v1::ON_TIME:
          f.kind_mask = 1u << v1::SETTLEMENT;
          break;
        default:
          f.kind_mask = 1u << v1::PURCHASE;
      }
    }
    f.categories.assign(src.categories().begin(), src.categories().end());
    f.exclude_categories.assign(src.exclude_categories().begin(),
                                src.exclude_categories().end());
    f.channels.assign(src.channels().begin(), src.channels().end());
    f.contact_kinds.assign(src.contact_kinds().begin(),
                           src.contact_kinds().end());
    for (int i = 0; i < src.customer_size(); ++i) {
      auto t = CompileAttrTest(src.customer(i),
                               absl::StrCat(path, ".filter.customer[", i, "]"));
      if (!t.ok()) return t.status();
      f.customer.push_back(*std::move(t));
    }
    return f;
  }

  absl::Status CompileMetrics() {
    std::map<std::string, int> group_by_key;
    // First pass: non-ratio metrics and their state groups.
    for (int i = 0; i < policy_.metrics_size(); ++i) {
      const auto& m = policy_.metrics(i);
      const std::string path = absl::StrCat("metrics[", i, "]");
      CompiledMetric cm;
      cm.name = m.name();
      cm.aggregate = m.aggregate();
      if (m.aggregate() == v1::RATIO) {
        out_.metrics.push_back(std::move(cm));
        continue;
      }
      if (m.aggregate() == v1::RECEIVABLE) {
        // Read from the credit account, no state of its own.
        cm.receivable = m.receivable();
        out_.metrics.push_back(std::move(cm));
        continue;
      }
      StateGroup g;
      g.aggregate = m.aggregate();
      g.field = m.field();
      switch (m.window().kind_case()) {
        case v1::Window::kRollingDays:
          g.window = WindowKind::kRolling;
          g.rolling_days = m.window().rolling_days();
          if (g.rolling_days <= 0) {
            return Error(path + ".window.rolling_days", "must be positive");
          }
          break;
        case v1::Window::kCalendar:
          g.window = WindowKind::kCalendar;
          g.period = m.window().calendar().period();
          if (g.period < v1::MONTH || g.period > v1::YEAR) {
            return Error(path + ".window.calendar.period", "must be set");
          }
          cm.back = m.window().calendar().periods_back();
          break;
        case v1::Window::kSinceTierStart:
          g.window = WindowKind::kSinceTierStart;
          g.tier_program = out_.FindProgram(m.window().since_tier_start());
          if (g.tier_program < 0) {
            return Error(path + ".window.since_tier_start",
                         "unknown tier program");
          }
          break;
        default:
          g.window = WindowKind::kSinceEnrolment;
      }
      if (m.aggregate() == v1::RECENCY_DAYS) {
        // Recency needs only the last instant; its window is irrelevant.
        g.window = WindowKind::kSinceEnrolment;
        g.period = 0;
        g.rolling_days = 0;
        g.tier_program = -1;
        cm.back = 0;
      }
      auto filter = CompileFilter(m, path);
      if (!filter.ok()) return filter.status();
      g.filter = *std::move(filter);
      g.key = absl::StrCat(
          static_cast<int>(g.aggregate), "|", static_cast<int>(g.field), "|",
          static_cast<int>(g.window), "|", g.period, "|", g.rolling_days, "|",
          g.tier_program < 0 ? "" : out_.programs[g.tier_program].name, "|",
          m.filter().SerializeAsString());
      auto [it, inserted] = group_by_key.emplace(g.key, out_.groups.size());
      if (inserted) out_.groups.push_back(std::move(g));
      cm.group = it->second;
      StateGroup& group = out_.groups[cm.group];
      // A late event may belong to the period before the oldest one read,
      // so calendar rings keep one more slot when the horizon is non-zero.
      if (group.window == WindowKind::kCalendar) {
        group.slots = std::max(group.slots, cm.back + 2);
      }
      out_.metrics.push_back(std::move(cm));
    }
    for (int i = 0; i < policy_.metrics_size(); ++i) {
      const auto& m = policy_.metrics(i);
      if (m.aggregate() != v1::RATIO) continue;
      const std::string path = absl::StrCat("metrics[", i, "]");
      CompiledMetric& cm = out_.metrics[i];
      cm.numerator = out_.FindMetric(m.numerator());
      cm.denominator = out_.FindMetric(m.denominator());
      const auto operand_ok = [this](int metric) {
        return metric >= 0 && out_.metrics[metric].aggregate != v1::RATIO;
      };
      if (!operand_ok(cm.numerator)) {
        return Error(path + ".numerator", "must name a non-ratio metric");
      }
      if (!operand_ok(cm.denominator)) {
        return Error(path + ".denominator", "must name a non-ratio metric");
      }
    }
    return absl::OkStatus();
  }

  absl::StatusOr<int> CompileCondition(const v1::Condition& c,
                                       const std::string& path, int program) {
    const int index = static_cast<int>(out_.nodes.size());
    out_.nodes.emplace_back();
    out_.node_text.push_back(CondText{path, c.label()});
    CondNode node;
    std::vector<int> kids;
    switch (c.kind_case()) {
      case v1::Condition::kAll:
      case v1::Condition::kAny: {
        const bool all = c.kind_case() == v1::Condition::kAll;
        node.kind = all ? CondNode::Kind::kAll : CondNode::Kind::kAny;
        const auto& list = all ? c.all() : c.any();
        if (list.conditions_size() == 0) return Error(path, "empty list");
        for (int i = 0; i < list.conditions_size(); ++i) {
          auto kid = CompileCondition(
              list.conditions(i),
              absl::StrCat(path, all ? ".all[" : ".any[", i, "]"), program);
          if (!kid.ok()) return kid.status();
          kids.push_back(*kid);
        }
        break;
      }
      case v1::Condition::kNot: {
        node.kind = CondNode::Kind::kNot;
        auto kid = CompileCondition(c.not_(), path + ".not", program);
        if (!kid.ok()) return kid.status();
        kids.push_back(*kid);
        break;
      }
      case v1::Condition::kMetric: {
        node.kind = CondNode::Kind::kMetric;
        const auto& m = c.metric();
        node.a = out_.FindMetric(m.metric());
        if (node.a < 0) {
          return Error(path + ".metric",
                       absl::StrCat("unknown metric \"", m.metric(), "\""));
        }
        if (m.op() < v1::GE || m.op() > v1::NE) {
          return Error(path + ".metric.op", "must be set");
        }
        if (!std::isfinite(m.value())) {
          return Error(path + ".metric.value", "must be a finite number");
        }
        node.op = m.op();
        node.value = m.value();
        node.unscaled = m.unscaled();
        node.when_missing = m.when_missing();
        break;
      }
      case v1::Condition::kAttribute: {
        node.kind = CondNode::Kind::kAttr;
        auto t = CompileAttrTest(c.attribute(), path + ".attribute");
        if (!t.ok()) return t.status();
        node.a = static_cast<int>(attr_tests_.size());
        attr_tests_.push_back(*std::move(t));
        break;
      }
      case v1::Condition::kTierAtLeast: {
        node.kind = CondNode::Kind::kTierAtLeast;
        node.a = out_.FindProgram(c.tier_at_least().program());
        if (node.a < 0) {
          return Error(path + ".tier_at_least", "unknown tier program");
        }
        if (node.a == program) {
          return Error(path + ".tier_at_least",
                       "must name another program than its own");
        }
        node.b = out_.FindTier(node.a, c.tier_at_least().tier());
        if (node.b < 0) {
          return Error(
              path + ".tier_at_least",
              absl::StrCat("unknown tier \"", c.tier_at_least().tier(), "\""));
        }
        // Program -1: a condition outside any program (service levels).
        if (program >= 0) {
          auto& deps = out_.programs[program].depends_on;
          if (std::find(deps.begin(), deps.end(), node.a) == deps.end()) {
            deps.push_back(node.a);
          }
        }
        break;
      }
      default:
        return Error(path, "condition has no kind");
    }
    node.first_child = static_cast<uint32_t>(out_.children.size());
    node.child_count = static_cast<uint32_t>(kids.size());
    for (int k : kids) out_.children.push_back(static_cast<uint32_t>(k));
    out_.nodes[index] = std::move(node);
    return index;
  }

  absl::Status CompileProgram(int i) {
    const auto& src = policy_.tier_programs(i);
    CompiledProgram& p = out_.programs[i];
    if (src.tiers_size() < 2) {
      return Error(p.path + ".tiers", "a program needs at least 2 tiers");
    }
    for (int t = 0; t < src.tiers_size(); ++t) {
      const std::string path = absl::StrCat(p.path, ".tiers[", t, "].qualify");
      p.tiers[t].path = path;
      if (t == 0) {
        if (src.tiers(0).has_qualify()) {
          return Error(path, "the base tier must not have a condition");
        }
        continue;
      }
      if (!src.tiers(t).has_qualify()) return Error(path, "is required");
      auto node = CompileCondition(src.tiers(t).qualify(), path, i);
      if (!node.ok()) return node.status();
      out_.programs[i].tiers[t].condition = *node;
    }
    p.upgrade_immediate = src.upgrade() != v1::TierProgram::AT_REVIEW;
    p.downgrade_immediate = src.downgrade() == v1::TierProgram::IMMEDIATE;
    p.one_tier_down = src.downgrade_mode() == v1::TierProgram::ONE_TIER_DOWN;
    switch (src.review().kind_case()) {
      case v1::ReviewSchedule::kYearly:
        p.review = ReviewKind::kYearly;
        p.review_month = src.review().yearly().month();
        p.review_day = src.review().yearly().day();
        if (p.review_month < 1 || p.review_month > 12 || p.review_day < 1 ||
            p.review_day > DaysInMonth(2001, p.review_month)) {
          return Error(p.path + ".review.yearly", "not a valid month and day");
        }
        break;
      case v1::ReviewSchedule::kQuarterly:
        p.review = ReviewKind::kQuarterly;
        break;
      case v1::ReviewSchedule::kMonthly:
        p.review = ReviewKind::kMonthly;
        break;
      case v1::ReviewSchedule::kEnrolmentAnniversary:
        p.review = ReviewKind::kEnrolmentAnniversary;
        break;
      case v1::ReviewSchedule::kTierAnniversary:
        p.review = ReviewKind::kTierAnniversary;
        break;
      default:
        p.review = ReviewKind::kNone;
    }
    p.grace_days = src.grace_days();
    p.minimum_stay_days = src.minimum_stay_days();
    if (!src.multiplier_attribute().empty()) {
      p.multiplier_attribute = out_.FindAttribute(src.multiplier_attribute());
      if (p.multiplier_attribute < 0) {
        return Error(p.path + ".multiplier_attribute", "unknown attribute");
      }
      for (const auto& m : src.multipliers()) {
        p.multipliers.emplace_back(interner_.Intern(m.value()), m.multiplier());
      }
    }
    for (int f = 0; f < src.floors_size(); ++f) {
      const std::string path = absl::StrCat(p.path, ".floors[", f, "]");
      CompiledFloor floor;
      floor.path = path;
      floor.tier = out_.FindTier(i, src.floors(f).tier());
      if (floor.tier < 0) return Error(path + ".tier", "unknown tier");
      auto node = CompileCondition(src.floors(f).when(), path + ".when", i);
      if (!node.ok()) return node.status();
      floor.condition = *node;
      out_.programs[i].floors.push_back(std::move(floor));
    }
    return absl::OkStatus();
  }

  absl::Status OrderPrograms() {
    const int n = static_cast<int>(out_.programs.size());
    std::vector<int> state(n, 0);  // 0 new, 1 visiting, 2 done
    std::vector<int> stack;
    std::function<absl::Status(int)> visit = [&](int p) -> absl::Status {
      if (state[p] == 2) return absl::OkStatus();
      stack.push_back(p);
      if (state[p] == 1) {
        std::vector<std::string> names;
        auto first = std::find(stack.begin(), stack.end(), p);
        for (auto it = first; it != stack.end(); ++it) {
          names.push_back(out_.programs[*it].name);
        }
        return Error(
            out_.programs[p].path,
            absl::StrCat("dependency cycle ", absl::StrJoin(names, " -> ")));
      }
      state[p] = 1;
      for (int d : out_.programs[p].depends_on) {
        if (auto s = visit(d); !s.ok()) return s;
      }
      state[p] = 2;
      stack.pop_back();
      out_.program_order.push_back(p);
      return absl::OkStatus();
    };
    for (int p = 0; p < n; ++p) {
      if (auto s = visit(p); !s.ok()) return s;
    }
    return absl::OkStatus();
  }

  void AssignCategoryBits() {
    auto& names = out_.filter_categories;
    auto bit_of = [&](const std::string& c) {
      auto it = std::find(names.begin(), names.end(), c);
      if (it == names.end()) {
        names.push_back(c);
        it = names.end() - 1;
      }
      const auto i = static_cast<size_t>(it - names.begin());
      return i < 64 ? uint64_t{1} << i : 0;
    };
    for (StateGroup& g : out_.groups) {
      for (const auto& c : g.filter.categories) {
        g.filter.include_mask |= bit_of(c);
      }
      for (const auto& c : g.filter.exclude_categories) {
        g.filter.exclude_mask |= bit_of(c);
      }
    }
    out_.category_masks = names.size() <= 64;
  }

  void LayOut() {
    uint32_t words = static_cast<uint32_t>(out_.attribute_names.size());
    out_.presence_offset = words++;
    out_.program_offset = words;
    words += 2 * static_cast<uint32_t>(out_.programs.size());
    out_.stable_offset = words++;
    out_.metric_offset = words;
    out_.groups_by_kind.assign(32, {});
    out_.groups_by_period.assign(4, {});
    for (int g = 0; g < static_cast<int>(out_.groups.size()); ++g) {
      StateGroup& group = out_.groups[g];
      for (int k = 0; k < 32; ++k) {
        if (group.filter.kind_mask & (1u << k)) {
          out_.groups_by_kind[k].push_back(g);
        }
      }
      if (group.window == WindowKind::kRolling) {
        group.rolling_index = out_.rolling_count++;
        out_.rolling_kinds.push_back(group.filter.kind_mask);
        group.slots = 0;
        group.offset = words;
        continue;
      }
      if (group.window == WindowKind::kCalendar) {
        out_.groups_by_period[group.period].push_back(g);
        if (out_.period_head_offset[group.period] < 0) {
          out_.period_head_offset[group.period] = static_cast<int>(words++);
        }
      } else {
        group.slots = 1;
      }
      switch (group.aggregate) {
        case v1::AVERAGE:
          group.slot_words = 2;
          break;
        case v1::DISTINCT_DAYS:
          group.slot_words = DayBitmapWords(group.period);
          break;
        case v1::RECENCY_DAYS:
          group.slots = 1;
          group.slot_words = 1;
          break;
        default:
          group.slot_words = 1;
      }
      group.offset = words;
      words += group.slots * group.slot_words;
      if (group.aggregate == v1::TIME_WEIGHTED_AVERAGE) words += 2;
      absl::StrAppend(&group.key, "|", group.slots);
    }
    AssignCategoryBits();
    for (CondNode& node : out_.nodes) {
      if (node.kind != CondNode::Kind::kMetric) continue;
      const CompiledMetric& m = out_.metrics[node.a];
      if (m.group < 0) continue;
      const StateGroup& g = out_.groups[m.group];
      if (g.aggregate == v1::RECENCY_DAYS) {
        node.read = CondNode::Read::kRecency;
        node.offset = g.offset;
        continue;
      }
      if (g.window != WindowKind::kCalendar) continue;
      switch (g.aggregate) {
        case v1::SUM:
        case v1::COUNT:
          node.read = CondNode::Read::kCalendarScalar;
          break;
        case v1::MAX:
          node.read = CondNode::Read::kCalendarMax;
          break;
        case v1::MIN:
          node.read = CondNode::Read::kCalendarMin;
          break;
        default:
          continue;
      }
      node.period = static_cast<uint8_t>(g.period);
      node.slots = static_cast<uint16_t>(g.slots);
      node.head_offset = out_.period_head_offset[g.period];
      node.offset = g.offset;
      node.back = m.back;
    }
    out_.total_words = words;
  }

  const v1::Policy& policy_;
  Interner& interner_;
  CompiledPolicy& out_;

 public:
  std::vector<AttrTest> attr_tests_;
};

}  // namespace

int CompiledPolicy::FindProgram(absl::string_view name) const {
  for (size_t i = 0; i < programs.size(); ++i) {
    if (programs[i].name == name) return static_cast<int>(i);
  }
  return -1;
}

int CompiledPolicy::FindTier(int program, absl::string_view name) const {
  const auto& tiers = programs[program].tiers;
  for (size_t i = 0; i < tiers.size(); ++i) {
    if (tiers[i].name == name) return static_cast<int>(i);
  }
  return -1;
}

int CompiledPolicy::FindMetric(absl::string_view name) const {
  for (size_t i = 0; i < metrics.size(); ++i) {
    if (metrics[i].name == name) return static_cast<int>(i);
  }
  return -1;
}

int CompiledPolicy::FindAttribute(absl::string_view name) const {
  for (size_t i = 0; i < attribute_names.size(); ++i) {
    if (attribute_names[i] == name) return static_cast<int>(i);
  }
  return -1;
}

absl::StatusOr<std::shared_ptr<const CompiledPolicy>> CompilePolicy(
    const v1::Policy& policy, Interner& interner) {
  if (auto s = ValidatePolicyStructure(policy); !s.ok()) return s;
  auto out = std::make_shared<CompiledPolicy>();
  Compiler compiler(policy, interner, *out);
  if (auto s = compiler.Run(); !s.ok()) return s;
  out->attr_tests = std::move(compiler.attr_tests_);
  out->inputs = CompileEvaluationInputs(*out);
  auto entitlements = CompileEntitlements(policy);
  if (!entitlements.ok()) return entitlements.status();
  out->entitlements = *std::move(entitlements);
  return std::shared_ptr<const CompiledPolicy>(std::move(out));
}

absl::StatusOr<int64_t> EncodeAttribute(const CompiledPolicy& policy,
                                        int attribute,
                                        const v1::AttributeValue& value,
                                        Interner& interner) {
  const auto type = policy.attribute_types[attribute];
  const std::string& name = policy.attribute_names[attribute];
  auto mismatch = [&](absl::string_view want) {
    return absl::InvalidArgumentError(
        absl::StrCat("attribute \"", name, "\": expected ", want));
  };
  switch (type) {
    case v1::AttributeDecl::TEXT:
      if (value.value_case() != v1::AttributeValue::kText) {
        return mismatch("text");
      }
      return interner.Intern(value.text());
    case v1::AttributeDecl::INTEGER:
      if (value.value_case() != v1::AttributeValue::kInteger) {
        return mismatch("integer");
      }
      return value.integer();
    case v1::AttributeDecl::NUMBER:
      if (value.value_case() != v1::AttributeValue::kNumber) {
        return mismatch("number");
      }
      if (!std::isfinite(value.number())) {
        return absl::InvalidArgumentError(
            absl::StrCat("attribute \"", name, "\": must be finite"));
      }
      return std::bit_cast<int64_t>(value.number());
    case v1::AttributeDecl::FLAG:
      if (value.value_case() != v1::AttributeValue::kFlag) {
        return mismatch("flag");
      }
      return value.flag() ? 1 : 0;
    case v1::AttributeDecl::DATE: {
      if (value.value_case() != v1::AttributeValue::kDate) {
        return mismatch("date");
      }
      const auto& d = value.date();
      if (d.year() < 1 || d.year() > 9999 || d.month() < 1 || d.month() > 12 ||
          d.day() < 1 || d.day() > DaysInMonth(d.year(), d.month())) {
        return absl::InvalidArgumentError(
            absl::StrCat("attribute \"", name, "\": ", d.year(), "-", d.month(),
                         "-", d.day(), " is not a valid date"));
      }
      return DaysFromCivil(d.year(), d.month(), d.day());
    }
    default:
      return mismatch("a declared type");
  }
}

}  // namespace standing
