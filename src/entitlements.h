// Entitlements (issue 5): per-tier benefits with inheritance, compiled into
// flat tables so resolving a customer's entitlements is a few array reads.
// Semantics: docs/service-levels.md, "Entitlements".
#ifndef STANDING_SRC_ENTITLEMENTS_H_
#define STANDING_SRC_ENTITLEMENTS_H_

#include <cstddef>
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

// One entitlement of a customer's result: the program whose value won, the
// customer's tier there, and the winning cell of that (program, tier) row.
struct ResolvedCell {
  int32_t decl = 0;
  int32_t program = 0;
  int32_t tier = 0;
  uint32_t cell = 0;  // index in CompiledEntitlements::cells
};

struct CompiledEntitlements {
  // Above this many (tier combination x declaration) entries no result table
  // is built and each call resolves the customer's row of every program
  // instead (same result, slower): 64 Ki entries of 16 bytes, 1 MiB.
  static constexpr size_t kMaxTableEntries = size_t{1} << 16;

  struct Decl {
    std::string name;
    v1::EntitlementDecl::Type type = v1::EntitlementDecl::TYPE_UNSPECIFIED;
  };
  // Unique per compilation: how per-thread state keyed by cell index
  // (engine_entitlements.cc) notices another policy.
  uint64_t id = 0;
  std::vector<Decl> decls;  // declaration order = output order
  std::vector<std::string> texts;
  // Row of (program p, tier t): cells[(first_row[p] + t) * decls.size()].
  std::vector<uint32_t> first_row;
  std::vector<EntitlementCell> cells;

  // The result per combination of tiers, resolved once per policy: the
  // combination of tiers t[p] is number sum(t[p] * stride[p]) (mixed
  // radix; stride 0 for a program that grants nothing, whose tier cannot
  // change the result), and its entries are
  // table[table_begin[n] .. table_begin[n + 1]), in declaration order.
  // Empty when the policy has none or it would exceed kMaxTableEntries.
  std::vector<uint32_t> stride;
  std::vector<uint32_t> table_begin;
  std::vector<ResolvedCell> table;

  bool empty() const { return decls.empty(); }
  bool has_table() const { return !table_begin.empty(); }
  const EntitlementCell* Row(int program, int tier) const {
    return cells.data() +
           (static_cast<size_t>(first_row[program]) + tier) * decls.size();
  }
  // The winners for the customer whose tier in program p is tiers[p],
  // computed from the rows (what the table holds, for policies without
  // one); `out` has room for decls.size() entries. Returns how many.
  int Resolve(const int* tiers, ResolvedCell* out) const;
};

// Validates service_levels.entitlements and every Tier.entitlements (errors
// name the path, as ValidatePolicy's do) and builds the tables. Expects the
// rest of the policy to be valid already (programs and tiers named).
// `max_table_entries` bounds the result table (tests lower it to exercise
// resolution without one).
absl::StatusOr<CompiledEntitlements> CompileEntitlements(
    const v1::Policy& policy,
    size_t max_table_entries = CompiledEntitlements::kMaxTableEntries);

}  // namespace standing

#endif  // STANDING_SRC_ENTITLEMENTS_H_
