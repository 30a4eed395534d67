// Validation of conditions and attribute tests, the parts of a policy that
// reference names declared elsewhere in it. Used by ValidatePolicy.
#ifndef STANDING_SRC_CONDITION_VALIDATOR_H_
#define STANDING_SRC_CONDITION_VALIDATOR_H_

#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "standing/v1/policy.pb.h"

namespace standing::internal {

// The names a policy declares (first declaration wins; duplicates are
// reported where they are declared).
struct DeclaredNames {
  absl::flat_hash_map<std::string, v1::AttributeDecl::Type> attributes;
  absl::flat_hash_set<std::string> metrics;
  // Program name -> its tier names, lowest first.
  absl::flat_hash_map<std::string, std::vector<std::string>> programs;
};

// Returns from the enclosing function when `expr` is not OK.
#define STANDING_RETURN_IF_ERROR(expr)                  \
  do {                                                  \
    if (absl::Status status_ = (expr); !status_.ok()) { \
      return status_;                                   \
    }                                                   \
  } while (false)

// InvalidArgument "<path>: <message>".
absl::Status PathError(absl::string_view path, absl::string_view message);

// [A-Za-z_][A-Za-z0-9_]*
bool IsIdentifier(absl::string_view name);

// A number as people write it: 10000 rather than 1e+04, 0.85 as is.
std::string FormatNumber(double value);

// An attribute test names a declared attribute; a FLAG test has no values,
// any other type at least one, each parseable as that type.
absl::Status ValidateAttributeTest(const v1::AttributeTest& test,
                                   const DeclaredNames& names,
                                   absl::string_view path);

// Validates `condition` and everything under it. `own_program` is the
// program whose tier or floor holds the condition: a tier_at_least on it
// would make the program depend on itself.
absl::Status ValidateCondition(const v1::Condition& condition,
                               const DeclaredNames& names,
                               absl::string_view own_program,
                               const std::string& path);

// Appends the program of every tier_at_least anywhere in `condition`.
void CollectProgramReferences(const v1::Condition& condition,
                              std::vector<std::string>* programs);

}  // namespace standing::internal

#endif  // STANDING_SRC_CONDITION_VALIDATOR_H_
