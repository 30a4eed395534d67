// The credit phase of the demo: a synthetic B2B customer base under
// examples/policies/credit.json (rule set 3 of DOMAIN.md) from October 2025
// to the end of 2026: purchases, contract obligations fulfilled or missed,
// orders checked with Engine::CheckCredit before they are placed, invoices,
// payments on time, late or never, quarterly reviews whose grade changes go
// through approval steps (approved, rejected or left to escalate). Then the
// questions finance asks: how many customers in each grade, which approvals
// are waiting, what a clerk and a supervisor may read, and what the credit
// check says for a sample of orders.
#ifndef STANDING_EXAMPLES_DEMO_CREDIT_DEMO_H_
#define STANDING_EXAMPLES_DEMO_CREDIT_DEMO_H_

#include <cstddef>
#include <cstdint>
#include <string>

namespace standing_demo {

struct CreditDemoOptions {
  size_t customers = 20000;
  uint64_t seed = 20260101;
  size_t chunk = 4096;
  std::string policy_path;
};

// Runs the phase and prints its report; returns the process exit code.
int RunCreditDemo(const CreditDemoOptions& options);

}  // namespace standing_demo

#endif  // STANDING_EXAMPLES_DEMO_CREDIT_DEMO_H_
