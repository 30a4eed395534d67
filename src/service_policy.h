// The compiled service levels of a policy (docs/service-levels.md):
// calendars, deadline rules, percentage targets, and per (program, tier)
// cadences, obligations and manager capacity, with names resolved to
// indices. Validation errors name the field path.
#ifndef STANDING_SRC_SERVICE_POLICY_H_
#define STANDING_SRC_SERVICE_POLICY_H_

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "civil_time.h"
#include "duration.h"
#include "standing/v1/policy.pb.h"
#include "work_calendar.h"

namespace standing {

struct CompiledDeadline {
  std::string name;
  std::vector<std::string> request_types;  // empty: any
  std::vector<std::string> priorities;     // empty: any
  int condition = -1;                      // CompiledPolicy node, -1: always
  Duration respond_within;
  Duration resolve_within;
  Duration warn_after;
};

struct CompiledTarget {
  std::string name;
  std::vector<std::string> request_types;
  int program = -1;
  uint64_t tier_mask = 0;  // bit per tier of `program`
  Duration respond_within;
  double percent = 0;
  int period = v1::MONTH;
};

struct CompiledCadence {
  int program = 0;
  int tier = 0;
  std::string name;
  std::vector<std::string> channels;
  Duration every;
};

struct CompiledObligation {
  int program = 0;
  int tier = 0;
  std::string name;
  bool on_exit = false;
  Duration due_after;
  int before = -1;  // index of another obligation in `obligations`
  Duration lead;
  std::vector<std::string> completed_by_channels;
  bool completed_by_manager = false;
};

struct TierService {
  std::vector<int> cadences;     // indices into ServicePolicy::cadences
  std::vector<int> obligations;  // indices into ServicePolicy::obligations
  int capacity_slot = -1;        // index into capacity_tiers
  bool requires_manager = false;
};

struct ServicePolicy {
  std::vector<WorkCalendar> calendars;
  std::vector<std::string> calendar_names;
  int default_calendar = -1;
  std::vector<CompiledDeadline> deadlines;
  std::vector<CompiledTarget> targets;
  std::vector<CompiledCadence> cadences;
  std::vector<CompiledObligation> obligations;
  // [program][tier]
  std::vector<std::vector<TierService>> tiers;
  // (program, tier) of each capacity slot, and its capacity.
  struct CapacityTier {
    int program;
    int tier;
    int capacity;
  };
  std::vector<CapacityTier> capacity_tiers;
  // Whether any customer needs per-customer service state (cadences,
  // obligations, capacity, required managers).
  bool tracks_customers = false;

  const WorkCalendar* Calendar(const Duration& d) const {
    return d.calendar >= 0 ? &calendars[d.calendar] : nullptr;
  }
  int FindCalendar(absl::string_view name) const;
};

// Validates and resolves one duration (`path` names it in errors).
// `required`: unset is an error; `allow_working_hours`: WORKING_HOURS and
// WORKING_MINUTES are allowed (not for leads, which count back in days).
absl::Status CompileDuration(const ServicePolicy& sp,
                             const v1::DurationSpec& spec,
                             const std::string& path, bool required,
                             bool allow_working_hours, Duration* d);

// Compiles `policy`'s calendars and service levels into `out`. Conditions
// (deadline rules' `when`) are compiled by `compile_condition(condition,
// path)`, which returns the node index or an error.
absl::Status CompileServicePolicy(
    const v1::Policy& policy,
    const std::function<absl::StatusOr<int>(
        const v1::Condition&, const std::string&)>& compile_condition,
    ServicePolicy* out);

}  // namespace standing

#endif  // STANDING_SRC_SERVICE_POLICY_H_
