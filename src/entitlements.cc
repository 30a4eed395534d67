// CompileEntitlements: validation in field order (declarations, then each
// program's tiers lowest first), then one table row per (program, tier) with
// inheritance applied, and a favourability score per cell.
#include "entitlements.h"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "condition_validator.h"

namespace standing {
namespace {

using internal::FormatNumber;
using internal::IsIdentifier;
using internal::PathError;
using Type = v1::EntitlementDecl::Type;

// The EntitlementValue field each type needs, as written in policies.
absl::string_view FieldOf(Type type) {
  switch (type) {
    case v1::EntitlementDecl::PERCENT:
      return "percent";
    case v1::EntitlementDecl::MULTIPLIER:
      return "multiplier";
    case v1::EntitlementDecl::RANK:
      return "rank";
    case v1::EntitlementDecl::AMOUNT:
      return "amount";
    case v1::EntitlementDecl::FLAG:
      return "flag";
    case v1::EntitlementDecl::TEXT:
      return "text";
    default:
      return "";
  }
}

v1::EntitlementValue::ValueCase CaseOf(Type type) {
  switch (type) {
    case v1::EntitlementDecl::PERCENT:
      return v1::EntitlementValue::kPercent;
    case v1::EntitlementDecl::MULTIPLIER:
      return v1::EntitlementValue::kMultiplier;
    case v1::EntitlementDecl::RANK:
      return v1::EntitlementValue::kRank;
    case v1::EntitlementDecl::AMOUNT:
      return v1::EntitlementValue::kAmount;
    case v1::EntitlementDecl::FLAG:
      return v1::EntitlementValue::kFlag;
    case v1::EntitlementDecl::TEXT:
      return v1::EntitlementValue::kText;
    default:
      return v1::EntitlementValue::VALUE_NOT_SET;
  }
}

absl::string_view FieldOf(v1::EntitlementValue::ValueCase value_case) {
  switch (value_case) {
    case v1::EntitlementValue::kPercent:
      return "percent";
    case v1::EntitlementValue::kMultiplier:
      return "multiplier";
    case v1::EntitlementValue::kRank:
      return "rank";
    case v1::EntitlementValue::kAmount:
      return "amount";
    case v1::EntitlementValue::kFlag:
      return "flag";
    case v1::EntitlementValue::kText:
      return "text";
    case v1::EntitlementValue::VALUE_NOT_SET:
      break;
  }
  return "none";
}

absl::Status ValidateDecls(const v1::ServiceLevels& levels,
                           absl::flat_hash_map<std::string, int>* index,
                           std::vector<CompiledEntitlements::Decl>* decls) {
  for (int i = 0; i < levels.entitlements_size(); ++i) {
    const v1::EntitlementDecl& decl = levels.entitlements(i);
    const std::string path =
        absl::StrCat("service_levels.entitlements[", i, "]");
    const std::string name_path = absl::StrCat(path, ".name");
    if (decl.name().empty()) return PathError(name_path, "must not be empty");
    if (!IsIdentifier(decl.name())) {
      return PathError(name_path, absl::StrCat("\"", decl.name(),
                                               "\" is not an identifier "
                                               "([A-Za-z_][A-Za-z0-9_]*)"));
    }
    if (const auto [it, inserted] = index->try_emplace(decl.name(), i);
        !inserted) {
      return PathError(name_path,
                       absl::StrCat("duplicate entitlement \"", decl.name(),
                                    "\" (also service_levels.entitlements[",
                                    it->second, "])"));
    }
    if (FieldOf(decl.type()).empty()) {
      return PathError(
          absl::StrCat(path, ".type"),
          absl::StrCat("must be PERCENT, MULTIPLIER, RANK, AMOUNT, FLAG or "
                       "TEXT (got ",
                       v1::EntitlementDecl::Type_Name(decl.type()).empty()
                           ? absl::StrCat(static_cast<int>(decl.type()))
                           : v1::EntitlementDecl::Type_Name(decl.type()),
                       ")"));
    }
    decls->push_back({decl.name(), decl.type()});
  }
  return absl::OkStatus();
}

// Checks a granted value against its declared type and range.
absl::Status ValidateValue(const v1::EntitlementValue& value, Type type,
                           const std::string& path) {
  if (value.value_case() != CaseOf(type)) {
    return PathError(
        path, absl::StrCat("a ", v1::EntitlementDecl::Type_Name(type),
                           " entitlement needs ", FieldOf(type), " (got ",
                           FieldOf(value.value_case()), ")"));
  }
  const std::string field_path = absl::StrCat(path, ".", FieldOf(type));
  switch (type) {
    case v1::EntitlementDecl::PERCENT:
      // Written as !(in range) so NaN fails too.
      if (!(value.percent() >= 0 && value.percent() <= 100)) {
        return PathError(field_path,
                         absl::StrCat("must be within 0..100, got ",
                                      FormatNumber(value.percent())));
      }
      break;
    case v1::EntitlementDecl::MULTIPLIER:
      if (!(value.multiplier() > 0) || std::isinf(value.multiplier())) {
        return PathError(field_path,
                         absl::StrCat("must be a finite number above 0, got ",
                                      FormatNumber(value.multiplier())));
      }
      break;
    case v1::EntitlementDecl::RANK:
      if (value.rank() < 1) {
        return PathError(field_path,
                         absl::StrCat("must be at least 1 (1 is served "
                                      "first), got ",
                                      value.rank()));
      }
      break;
    case v1::EntitlementDecl::AMOUNT:
      if (value.amount() < 0) {
        return PathError(field_path, absl::StrCat("must not be negative, got ",
                                                  value.amount()));
      }
      break;
    default:
      break;
  }
  return absl::OkStatus();
}

// Key of a cell's value: higher is more favourable. Integers stay integers
// (amounts beyond 2^53 must not tie). TEXT has none: every text value ties,
// so the first program keeps it.
using Key = std::pair<double, int64_t>;
Key Favourability(Type type, const EntitlementCell& cell) {
  switch (type) {
    case v1::EntitlementDecl::PERCENT:
    case v1::EntitlementDecl::MULTIPLIER:
      return {cell.number, 0};
    case v1::EntitlementDecl::RANK:
      return {0, -cell.integer};
    case v1::EntitlementDecl::AMOUNT:
    case v1::EntitlementDecl::FLAG:
      return {0, cell.integer};
    default:
      return {0, 0};
  }
}

}  // namespace

int CompiledEntitlements::Resolve(const int* tiers, ResolvedCell* out) const {
  const int programs = static_cast<int>(first_row.size());
  const size_t n = decls.size();
  int size = 0;
  for (size_t e = 0; e < n; ++e) {
    int best = -1;
    int32_t best_score = EntitlementCell::kAbsent;
    size_t best_cell = 0;
    for (int p = 0; p < programs; ++p) {
      const size_t c = (static_cast<size_t>(first_row[p]) + tiers[p]) * n + e;
      // Strictly greater: on a tie the earlier program keeps it.
      if (cells[c].score > best_score) {
        best_score = cells[c].score;
        best = p;
        best_cell = c;
      }
    }
    if (best < 0) continue;
    out[size++] = ResolvedCell{static_cast<int32_t>(e), best, tiers[best],
                               static_cast<uint32_t>(best_cell)};
  }
  return size;
}

namespace {

// Fills the result table of `ents` (its rows and scores done) unless it
// would exceed `max_entries`.
void BuildTable(const v1::Policy& policy, size_t max_entries,
                CompiledEntitlements& ents) {
  const size_t n = ents.decls.size();
  if (n == 0) return;
  const int programs = policy.tier_programs_size();
  std::vector<uint32_t> stride(programs, 0);
  std::vector<int> counts(programs, 0);
  size_t combos = 1;
  for (int p = 0; p < programs; ++p) {
    counts[p] = policy.tier_programs(p).tiers_size();
    const EntitlementCell* first = ents.Row(p, 0);
    const bool grants =
        std::any_of(first, first + static_cast<size_t>(counts[p]) * n,
                    [](const EntitlementCell& c) {
                      return c.score != EntitlementCell::kAbsent;
                    });
    if (!grants) continue;
    const size_t tiers = static_cast<size_t>(counts[p]);
    if (combos > max_entries / n / tiers) return;  // too many: no table
    stride[p] = static_cast<uint32_t>(combos);
    combos *= tiers;
  }
  std::vector<int> tiers(programs, 0);
  std::vector<ResolvedCell> row(n);
  ents.table_begin.reserve(combos + 1);
  for (size_t k = 0; k < combos; ++k) {
    for (int p = 0; p < programs; ++p) {
      tiers[p] =
          stride[p] == 0 ? 0 : static_cast<int>(k / stride[p]) % counts[p];
    }
    ents.table_begin.push_back(static_cast<uint32_t>(ents.table.size()));
    const int size = ents.Resolve(tiers.data(), row.data());
    ents.table.insert(ents.table.end(), row.begin(), row.begin() + size);
  }
  ents.table_begin.push_back(static_cast<uint32_t>(ents.table.size()));
  ents.stride = std::move(stride);
}

}  // namespace

absl::StatusOr<CompiledEntitlements> CompileEntitlements(
    const v1::Policy& policy, size_t max_table_entries) {
  static std::atomic<uint64_t> next_id{1};
  CompiledEntitlements out;
  out.id = next_id.fetch_add(1, std::memory_order_relaxed);
  absl::flat_hash_map<std::string, int> index;
  if (auto s = ValidateDecls(policy.service_levels(), &index, &out.decls);
      !s.ok()) {
    return s;
  }
  const size_t n = out.decls.size();
  uint32_t rows = 0;
  for (const v1::TierProgram& program : policy.tier_programs()) {
    out.first_row.push_back(rows);
    rows += static_cast<uint32_t>(program.tiers_size());
  }
  out.cells.resize(static_cast<size_t>(rows) * n);

  for (int p = 0; p < policy.tier_programs_size(); ++p) {
    const v1::TierProgram& program = policy.tier_programs(p);
    for (int t = 0; t < program.tiers_size(); ++t) {
      const v1::Tier& tier = program.tiers(t);
      EntitlementCell* row = out.cells.data() + (out.first_row[p] + t) * n;
      // Inherit everything from the tier below, then apply this tier's own.
      if (t > 0) std::copy(row - n, row, row);
      absl::flat_hash_map<int, int> named;  // entitlement -> first position
      for (int k = 0; k < tier.entitlements_size(); ++k) {
        const v1::Entitlement& ent = tier.entitlements(k);
        const std::string path = absl::StrCat("tier_programs[", p, "].tiers[",
                                              t, "].entitlements[", k, "]");
        const std::string name_path = absl::StrCat(path, ".name");
        if (ent.name().empty()) {
          return PathError(name_path, "must not be empty");
        }
        const auto it = index.find(ent.name());
        if (it == index.end()) {
          return PathError(
              name_path,
              absl::StrCat("unknown entitlement \"", ent.name(),
                           "\" (not declared in service_levels.entitlements)"));
        }
        const int e = it->second;
        if (const auto [seen, inserted] = named.try_emplace(e, k); !inserted) {
          return PathError(
              name_path,
              absl::StrCat("duplicate entitlement \"", ent.name(),
                           "\" (also entitlements[", seen->second, "])"));
        }
        EntitlementCell& cell = row[e];
        const std::string value_path = absl::StrCat(path, ".value");
        if (ent.revoke()) {
          if (ent.has_value()) {
            return PathError(value_path, "a revoke takes no value");
          }
          // Revoking what the tier below does not have is a no-op, most
          // likely a typo or a misplaced line: refuse it.
          if (cell.score == EntitlementCell::kAbsent) {
            return PathError(
                absl::StrCat(path, ".revoke"),
                absl::StrCat("nothing to revoke: \"", ent.name(),
                             "\" is not granted by a lower tier of the "
                             "program (or already revoked)"));
          }
          cell = EntitlementCell();
          continue;
        }
        const Type type = out.decls[e].type;
        if (auto s = ValidateValue(ent.value(), type, value_path); !s.ok()) {
          return s;
        }
        cell = EntitlementCell();
        cell.score = 0;  // present; ranked below
        cell.defined_by = t;
        const v1::EntitlementValue& v = ent.value();
        switch (type) {
          case v1::EntitlementDecl::PERCENT:
            cell.number = v.percent();
            break;
          case v1::EntitlementDecl::MULTIPLIER:
            cell.number = v.multiplier();
            break;
          case v1::EntitlementDecl::RANK:
            cell.integer = v.rank();
            break;
          case v1::EntitlementDecl::AMOUNT:
            cell.integer = v.amount();
            break;
          case v1::EntitlementDecl::FLAG:
            cell.integer = v.flag() ? 1 : 0;
            break;
          default:  // TEXT
            cell.integer = static_cast<int64_t>(out.texts.size());
            out.texts.push_back(v.text());
            break;
        }
      }
    }
  }

  // Scores: the position of each value among the entitlement's distinct
  // values, least favourable first. Equal values get equal scores, so a tie
  // keeps the first program in policy order.
  std::vector<Key> keys;
  for (size_t e = 0; e < n; ++e) {
    const Type type = out.decls[e].type;
    keys.clear();
    for (size_t r = 0; r < rows; ++r) {
      const EntitlementCell& cell = out.cells[r * n + e];
      if (cell.score != EntitlementCell::kAbsent) {
        keys.push_back(Favourability(type, cell));
      }
    }
    std::sort(keys.begin(), keys.end());
    keys.erase(std::unique(keys.begin(), keys.end()), keys.end());
    for (size_t r = 0; r < rows; ++r) {
      EntitlementCell& cell = out.cells[r * n + e];
      if (cell.score == EntitlementCell::kAbsent) continue;
      cell.score =
          static_cast<int32_t>(std::lower_bound(keys.begin(), keys.end(),
                                                Favourability(type, cell)) -
                               keys.begin());
    }
  }
  BuildTable(policy, max_table_entries, out);
  return out;
}

}  // namespace standing
