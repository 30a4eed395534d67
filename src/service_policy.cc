#include "service_policy.h"

#include <cmath>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "condition_validator.h"

namespace standing {
namespace {

using internal::IsIdentifier;
using internal::PathError;

// About 100 years in any unit: enough for any service level, small enough
// that arithmetic on instants cannot overflow.
constexpr int64_t kMaxAmount[] = {
    0,              // UNIT_UNSPECIFIED
    3'200'000'000,  // SECONDS
    53'000'000,     // MINUTES
    880'000,        // HOURS
    36'600,         // DAYS
    5'300,          // WEEKS
    1'200,          // MONTHS
    53'000'000,     // WORKING_MINUTES
    880'000,        // WORKING_HOURS
    36'600,         // WORKING_DAYS
};

absl::Status CheckName(absl::string_view name, const std::string& path,
                       absl::string_view what,
                       absl::flat_hash_map<std::string, std::string>* seen) {
  if (name.empty()) return PathError(path, "must not be empty");
  if (!IsIdentifier(name)) {
    return PathError(path, absl::StrCat("\"", name,
                                        "\" is not an identifier "
                                        "([A-Za-z_][A-Za-z0-9_]*)"));
  }
  if (seen != nullptr) {
    auto [it, inserted] = seen->try_emplace(std::string(name), path);
    if (!inserted) {
      return PathError(path, absl::StrCat("duplicate ", what, " \"", name,
                                          "\" (also ", it->second, ")"));
    }
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status CompileDuration(const ServicePolicy& sp,
                             const v1::DurationSpec& spec,
                             const std::string& path, bool required,
                             bool allow_working_hours, Duration* d) {
  if (spec.unit() == v1::DurationSpec::UNIT_UNSPECIFIED) {
    if (spec.amount() != 0 || !spec.calendar().empty()) {
      return PathError(path + ".unit", "must be set");
    }
    if (required) return PathError(path, "must be set");
    return absl::OkStatus();
  }
  if (!v1::DurationSpec::Unit_IsValid(spec.unit())) {
    return PathError(path + ".unit", "unknown unit");
  }
  if (spec.amount() < 0) {
    return PathError(
        path + ".amount",
        absl::StrCat("must not be negative (got ", spec.amount(), ")"));
  }
  if (spec.amount() > kMaxAmount[spec.unit()]) {
    return PathError(path + ".amount",
                     absl::StrCat("at most ", kMaxAmount[spec.unit()], " ",
                                  v1::DurationSpec::Unit_Name(spec.unit())));
  }
  Duration out;
  out.unit = spec.unit();
  out.amount = spec.amount();
  if (!out.working()) {
    if (!spec.calendar().empty()) {
      return PathError(path + ".calendar",
                       "only working units (WORKING_*) use a calendar");
    }
    *d = out;
    return absl::OkStatus();
  }
  if (!allow_working_hours && spec.unit() != v1::DurationSpec::WORKING_DAYS) {
    return PathError(path + ".unit",
                     "a lead before another deadline counts whole days: use "
                     "WORKING_DAYS or calendar units");
  }
  if (spec.calendar().empty()) {
    if (sp.default_calendar < 0) {
      return PathError(path + ".calendar",
                       "working units need a calendar: name one here or in "
                       "service_levels.calendar");
    }
    out.calendar = sp.default_calendar;
  } else {
    out.calendar = sp.FindCalendar(spec.calendar());
    if (out.calendar < 0) {
      return PathError(path + ".calendar", absl::StrCat("unknown calendar \"",
                                                        spec.calendar(), "\""));
    }
  }
  *d = out;
  return absl::OkStatus();
}

namespace {

class Compiler {
 public:
  Compiler(const v1::Policy& policy, ServicePolicy* out)
      : policy_(policy), out_(*out) {}

  absl::Status Duration(const v1::DurationSpec& spec, const std::string& path,
                        bool required, bool allow_working_hours,
                        standing::Duration* d) {
    return CompileDuration(out_, spec, path, required, allow_working_hours, d);
  }

  absl::Status Strings(
      const google::protobuf::RepeatedPtrField<std::string>& in,
      const std::string& path, std::vector<std::string>* out) {
    for (int i = 0; i < in.size(); ++i) {
      if (in[i].empty()) {
        return PathError(absl::StrCat(path, "[", i, "]"), "must not be empty");
      }
      out->push_back(in[i]);
    }
    return absl::OkStatus();
  }

  absl::Status Calendars() {
    absl::flat_hash_map<std::string, std::string> seen;
    for (int i = 0; i < policy_.calendars_size(); ++i) {
      const std::string path = absl::StrCat("calendars[", i, "]");
      const v1::WorkCalendar& spec = policy_.calendars(i);
      STANDING_RETURN_IF_ERROR(
          CheckName(spec.name(), path + ".name", "calendar", &seen));
      auto cal = WorkCalendar::Create(spec);
      if (!cal.ok()) {
        return PathError(path, cal.status().message());
      }
      out_.calendars.push_back(*std::move(cal));
      out_.calendar_names.push_back(spec.name());
    }
    const auto& sl = policy_.service_levels();
    if (!sl.calendar().empty()) {
      out_.default_calendar = out_.FindCalendar(sl.calendar());
      if (out_.default_calendar < 0) {
        return PathError("service_levels.calendar",
                         absl::StrCat("unknown calendar \"", sl.calendar(),
                                      "\" (declare it in calendars)"));
      }
    }
    return absl::OkStatus();
  }

  absl::Status Deadlines(
      const std::function<absl::StatusOr<int>(
          const v1::Condition&, const std::string&)>& compile_condition) {
    absl::flat_hash_map<std::string, std::string> seen;
    const auto& sl = policy_.service_levels();
    for (int i = 0; i < sl.deadlines_size(); ++i) {
      const std::string path =
          absl::StrCat("service_levels.deadlines[", i, "]");
      const v1::DeadlineRule& r = sl.deadlines(i);
      CompiledDeadline d;
      d.name = r.name();
      STANDING_RETURN_IF_ERROR(
          CheckName(r.name(), path + ".name", "deadline rule", &seen));
      STANDING_RETURN_IF_ERROR(Strings(
          r.request_types(), path + ".request_types", &d.request_types));
      STANDING_RETURN_IF_ERROR(
          Strings(r.priorities(), path + ".priorities", &d.priorities));
      if (r.has_when()) {
        auto node = compile_condition(r.when(), path + ".when");
        if (!node.ok()) return node.status();
        d.condition = *node;
      }
      STANDING_RETURN_IF_ERROR(Duration(r.respond_within(),
                                        path + ".respond_within", false, true,
                                        &d.respond_within));
      STANDING_RETURN_IF_ERROR(Duration(r.resolve_within(),
                                        path + ".resolve_within", false, true,
                                        &d.resolve_within));
      STANDING_RETURN_IF_ERROR(Duration(r.warn_after(), path + ".warn_after",
                                        false, true, &d.warn_after));
      if (!d.respond_within.set() && !d.resolve_within.set()) {
        return PathError(path,
                         "needs respond_within or resolve_within (or both)");
      }
      out_.deadlines.push_back(std::move(d));
    }
    return absl::OkStatus();
  }

  absl::Status Targets() {
    absl::flat_hash_map<std::string, std::string> seen;
    const auto& sl = policy_.service_levels();
    for (int i = 0; i < sl.targets_size(); ++i) {
      const std::string path = absl::StrCat("service_levels.targets[", i, "]");
      const v1::PercentageTarget& t = sl.targets(i);
      CompiledTarget c;
      c.name = t.name();
      STANDING_RETURN_IF_ERROR(
          CheckName(t.name(), path + ".name", "target", &seen));
      STANDING_RETURN_IF_ERROR(Strings(
          t.request_types(), path + ".request_types", &c.request_types));
      c.program = FindProgram(t.program());
      if (c.program < 0) {
        return PathError(path + ".program",
                         absl::StrCat("unknown program \"", t.program(), "\""));
      }
      const v1::TierProgram& prog = policy_.tier_programs(c.program);
      if (t.tiers_size() == 0) {
        c.tier_mask = ~uint64_t{0};
      }
      for (int k = 0; k < t.tiers_size(); ++k) {
        const int tier = FindTier(prog, t.tiers(k));
        if (tier < 0) {
          return PathError(absl::StrCat(path, ".tiers[", k, "]"),
                           absl::StrCat("unknown tier \"", t.tiers(k),
                                        "\" in program \"", prog.name(), "\""));
        }
        if (tier >= 64) {
          return PathError(absl::StrCat(path, ".tiers[", k, "]"),
                           "targets support the first 64 tiers of a program");
        }
        c.tier_mask |= uint64_t{1} << tier;
      }
      STANDING_RETURN_IF_ERROR(Duration(t.respond_within(),
                                        path + ".respond_within", true, true,
                                        &c.respond_within));
      if (!(t.percent() > 0 && t.percent() <= 100)) {
        return PathError(
            path + ".percent",
            absl::StrCat("must be in (0, 100] (got ", t.percent(), ")"));
      }
      c.percent = t.percent();
      if (t.period() != v1::PERIOD_UNSPECIFIED) {
        if (!v1::Period_IsValid(t.period())) {
          return PathError(path + ".period", "unknown period");
        }
        c.period = t.period();
      }
      out_.targets.push_back(std::move(c));
    }
    return absl::OkStatus();
  }

  absl::Status Tiers() {
    out_.tiers.resize(policy_.tier_programs_size());
    for (int p = 0; p < policy_.tier_programs_size(); ++p) {
      const v1::TierProgram& prog = policy_.tier_programs(p);
      out_.tiers[p].resize(prog.tiers_size());
      for (int t = 0; t < prog.tiers_size(); ++t) {
        const v1::Tier& tier = prog.tiers(t);
        const std::string path =
            absl::StrCat("tier_programs[", p, "].tiers[", t, "]");
        TierService& ts = out_.tiers[p][t];
        absl::flat_hash_map<std::string, std::string> seen;
        for (int i = 0; i < tier.cadences_size(); ++i) {
          const std::string cp = absl::StrCat(path, ".cadences[", i, "]");
          const v1::Cadence& c = tier.cadences(i);
          CompiledCadence cc;
          cc.program = p;
          cc.tier = t;
          cc.name = c.name();
          STANDING_RETURN_IF_ERROR(
              CheckName(c.name(), cp + ".name", "cadence", &seen));
          if (c.channels_size() == 0) {
            return PathError(cp + ".channels", "name at least one channel");
          }
          STANDING_RETURN_IF_ERROR(
              Strings(c.channels(), cp + ".channels", &cc.channels));
          STANDING_RETURN_IF_ERROR(
              Duration(c.every(), cp + ".every", true, true, &cc.every));
          if (cc.every.amount == 0) {
            return PathError(cp + ".every.amount", "must be positive");
          }
          ts.cadences.push_back(static_cast<int>(out_.cadences.size()));
          out_.cadences.push_back(std::move(cc));
        }
        seen.clear();
        const int first = static_cast<int>(out_.obligations.size());
        for (int i = 0; i < tier.obligations_size(); ++i) {
          const std::string op = absl::StrCat(path, ".obligations[", i, "]");
          const v1::ObligationRule& o = tier.obligations(i);
          CompiledObligation co;
          co.program = p;
          co.tier = t;
          co.name = o.name();
          STANDING_RETURN_IF_ERROR(
              CheckName(o.name(), op + ".name", "obligation", &seen));
          if (!v1::ObligationRule::Trigger_IsValid(o.trigger())) {
            return PathError(op + ".trigger", "unknown trigger");
          }
          co.on_exit = o.trigger() == v1::ObligationRule::ON_EXIT;
          STANDING_RETURN_IF_ERROR(Duration(o.due_after(), op + ".due_after",
                                            false, true, &co.due_after));
          if (!o.before().empty()) {
            if (co.due_after.set()) {
              return PathError(op, "give due_after or before, not both");
            }
            STANDING_RETURN_IF_ERROR(
                Duration(o.lead(), op + ".lead", true, false, &co.lead));
          } else if (!co.due_after.set()) {
            return PathError(op, "needs due_after, or before with a lead");
          } else if (o.has_lead()) {
            return PathError(op + ".lead", "only with before");
          }
          STANDING_RETURN_IF_ERROR(Strings(o.completed_by_channels(),
                                           op + ".completed_by_channels",
                                           &co.completed_by_channels));
          co.completed_by_manager = o.completed_by_manager();
          ts.obligations.push_back(static_cast<int>(out_.obligations.size()));
          out_.obligations.push_back(std::move(co));
        }
        // `before` references, once all obligations of the tier are known.
        for (int i = 0; i < tier.obligations_size(); ++i) {
          const v1::ObligationRule& o = tier.obligations(i);
          if (o.before().empty()) continue;
          const std::string op =
              absl::StrCat(path, ".obligations[", i, "].before");
          CompiledObligation& co = out_.obligations[first + i];
          for (int k = 0; k < tier.obligations_size(); ++k) {
            const v1::ObligationRule& other = tier.obligations(k);
            if (other.name() != o.before()) continue;
            if (k == i || !other.before().empty()) {
              return PathError(op, absl::StrCat("\"", o.before(),
                                                "\" must be another obligation "
                                                "with its own due_after"));
            }
            if (out_.obligations[first + k].on_exit != co.on_exit) {
              return PathError(
                  op, absl::StrCat("\"", o.before(), "\" has another trigger"));
            }
            co.before = first + k;
          }
          if (co.before < 0) {
            return PathError(op, absl::StrCat("unknown obligation \"",
                                              o.before(), "\" in this tier"));
          }
        }
        if (tier.customers_per_manager() < 0) {
          return PathError(path + ".customers_per_manager",
                           "must not be negative");
        }
        if (tier.customers_per_manager() > 0) {
          ts.capacity_slot = static_cast<int>(out_.capacity_tiers.size());
          out_.capacity_tiers.push_back({p, t, tier.customers_per_manager()});
        }
        ts.requires_manager = tier.requires_manager();
        if (!ts.cadences.empty() || !ts.obligations.empty() ||
            ts.capacity_slot >= 0 || ts.requires_manager) {
          out_.tracks_customers = true;
        }
      }
    }
    return absl::OkStatus();
  }

 private:
  int FindProgram(absl::string_view name) const {
    for (int p = 0; p < policy_.tier_programs_size(); ++p) {
      if (policy_.tier_programs(p).name() == name) return p;
    }
    return -1;
  }
  static int FindTier(const v1::TierProgram& prog, absl::string_view name) {
    for (int t = 0; t < prog.tiers_size(); ++t) {
      if (prog.tiers(t).name() == name) return t;
    }
    return -1;
  }

  const v1::Policy& policy_;
  ServicePolicy& out_;
};

}  // namespace

int ServicePolicy::FindCalendar(absl::string_view name) const {
  for (size_t i = 0; i < calendar_names.size(); ++i) {
    if (calendar_names[i] == name) return static_cast<int>(i);
  }
  return -1;
}

absl::Status CompileServicePolicy(
    const v1::Policy& policy,
    const std::function<absl::StatusOr<int>(
        const v1::Condition&, const std::string&)>& compile_condition,
    ServicePolicy* out) {
  Compiler c(policy, out);
  STANDING_RETURN_IF_ERROR(c.Calendars());
  STANDING_RETURN_IF_ERROR(c.Deadlines(compile_condition));
  STANDING_RETURN_IF_ERROR(c.Targets());
  STANDING_RETURN_IF_ERROR(c.Tiers());
  return absl::OkStatus();
}

}  // namespace standing
