// The service-levels phase of the demo: a synthetic population under
// examples/policies/service_levels.json (rule set 4 of DOMAIN.md) with
// account managers, contacts and service requests through 2026, then the
// questions a branch asks: who is overdue for a call or a visit, which
// managers are over capacity, which VIPs have no manager, which requests
// are past their deadline, and what a customer is entitled to.
#ifndef STANDING_EXAMPLES_DEMO_SERVICE_DEMO_H_
#define STANDING_EXAMPLES_DEMO_SERVICE_DEMO_H_

#include <cstddef>
#include <cstdint>
#include <string>

namespace standing_demo {

struct ServiceDemoOptions {
  size_t customers = 30000;
  // Account managers; 0: one per 100 customers (a few hundred).
  size_t managers = 0;
  uint64_t seed = 20260101;
  size_t chunk = 4096;
  std::string policy_path;
  // Managers listed in the overdue table.
  size_t top = 10;
};

// Runs the phase and prints its report; returns the process exit code.
int RunServiceDemo(const ServiceDemoOptions& options);

}  // namespace standing_demo

#endif  // STANDING_EXAMPLES_DEMO_SERVICE_DEMO_H_
