// Entitlements (issue 5): per-tier benefits with inheritance, compiled into
// flat tables so resolving a customer's entitlements is a few array reads.
// Semantics: docs/service-levels.md, "Entitlements".
#ifndef STANDING_SRC_ENTITLEMENTS_H_
#define STANDING_SRC_ENTITLEMENTS_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "standing/v1/policy.pb.h"
#include "standing/v1/service.pb.h"

namespace standing {

// One entitlement as a (program, tier) has it, inheritance already applied.
struct EntitlementCell {
  static constexpr int32_t kAbsent = -1;
  // Favourability among every value the policy gives this entitlement:
  // higher wins across programs, ties keep the earlier program. Computed at
  // compile time so resolution compares integers whatever the type.
  // kAbsent: the tier does not have it (never granted, or revoked).
  int32_t score = kAbsent;
  int32_t defined_by = -1;  // tier of the same program that set the value
  int64_t integer = 0;      // RANK, AMOUNT, FLAG (0/1), TEXT (index in texts)
  double number = 0;        // PERCENT, MULTIPLIER
};

struct CompiledEntitlements {
  struct Decl {
    std::string name;
    v1::EntitlementDecl::Type type = v1::EntitlementDecl::TYPE_UNSPECIFIED;
  };
  std::vector<Decl> decls;  // declaration order = output order
  std::vector<std::string> texts;
  // Row of (program p, tier t): cells[(first_row[p] + t) * decls.size()].
  std::vector<uint32_t> first_row;
  std::vector<EntitlementCell> cells;

  bool empty() const { return decls.empty(); }
  const EntitlementCell* Row(int program, int tier) const {
    return cells.data() +
           (static_cast<size_t>(first_row[program]) + tier) * decls.size();
  }
  // Writes `cell`'s value of entitlement `e` into `out`, reusing it.
  void WriteValue(int e, const EntitlementCell& cell,
                  v1::EntitlementValue* out) const;
};

// Validates service_levels.entitlements and every Tier.entitlements (errors
// name the path, as ValidatePolicy's do) and builds the tables. Expects the
// rest of the policy to be valid already (programs and tiers named).
absl::StatusOr<CompiledEntitlements> CompileEntitlements(
    const v1::Policy& policy);

}  // namespace standing

#endif  // STANDING_SRC_ENTITLEMENTS_H_
