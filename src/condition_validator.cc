// Validation of conditions (all/any/not trees of metric comparisons,
// attribute tests and tier comparisons) and of attribute tests.
#include "condition_validator.h"

#include <charconv>
#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/string_view.h"

namespace standing::internal {

absl::Status PathError(absl::string_view path, absl::string_view message) {
  return absl::InvalidArgumentError(absl::StrCat(path, ": ", message));
}

bool IsIdentifier(absl::string_view name) {
  if (name.empty()) return false;
  const auto head = static_cast<unsigned char>(name[0]);
  if (!absl::ascii_isalpha(head) && head != '_') return false;
  for (char c : name.substr(1)) {
    const auto u = static_cast<unsigned char>(c);
    if (!absl::ascii_isalnum(u) && u != '_') return false;
  }
  return true;
}

std::string FormatNumber(double value) {
  if (std::isfinite(value) && value == std::trunc(value) &&
      std::fabs(value) < 1e15) {
    return absl::StrFormat("%.0f", value);
  }
  // Shortest text that reads back as the same double.
  char buffer[64];
  const auto result = std::to_chars(buffer, buffer + sizeof(buffer), value);
  return std::string(buffer, result.ptr);
}

absl::Status ValidateAttributeTest(const v1::AttributeTest& test,
                                   const DeclaredNames& names,
                                   absl::string_view path) {
  if (test.attribute().empty()) {
    return PathError(path, "attribute must be named");
  }
  const auto it = names.attributes.find(test.attribute());
  if (it == names.attributes.end()) {
    return PathError(path,
                     absl::StrCat("unknown attribute \"", test.attribute(),
                                  "\" (not declared in attributes)"));
  }
  const v1::AttributeDecl::Type type = it->second;
  if (type == v1::AttributeDecl::FLAG) {
    if (!test.values().empty()) {
      return PathError(path, absl::StrCat("flag attribute \"", test.attribute(),
                                          "\" takes no values (the test is "
                                          "\"flag is true\"; use negate)"));
    }
    return absl::OkStatus();
  }
  if (test.values().empty()) {
    return PathError(path, absl::StrCat("attribute \"", test.attribute(),
                                        "\" needs at least one value"));
  }
  // Values are text; numeric ones must read as the declared type, or the
  // test could never match.
  for (int k = 0; k < test.values_size(); ++k) {
    const std::string& value = test.values(k);
    int64_t integer = 0;
    double number = 0;
    if (type == v1::AttributeDecl::INTEGER &&
        !absl::SimpleAtoi(value, &integer)) {
      return PathError(absl::StrCat(path, ".values[", k, "]"),
                       absl::StrCat("\"", value, "\" is not an integer (",
                                    test.attribute(), " is INTEGER)"));
    }
    if (type == v1::AttributeDecl::NUMBER &&
        (!absl::SimpleAtod(value, &number) || !std::isfinite(number))) {
      return PathError(absl::StrCat(path, ".values[", k, "]"),
                       absl::StrCat("\"", value, "\" is not a finite number (",
                                    test.attribute(), " is NUMBER)"));
    }
  }
  return absl::OkStatus();
}

namespace {

absl::Status ValidateMetricComparison(const v1::MetricComparison& comparison,
                                      const DeclaredNames& names,
                                      absl::string_view path) {
  if (comparison.metric().empty()) {
    return PathError(path, "metric must be named");
  }
  if (!names.metrics.contains(comparison.metric())) {
    return PathError(
        path, absl::StrCat("unknown metric \"", comparison.metric(), "\""));
  }
  if (comparison.op() == v1::COMPARATOR_UNSPECIFIED) {
    return PathError(path, "op must be specified (GE, GT, LE, LT, EQ, NE)");
  }
  if (!v1::Comparator_IsValid(comparison.op())) {
    return PathError(path, absl::StrCat("unknown op ", comparison.op()));
  }
  if (!std::isfinite(comparison.value())) {
    return PathError(path, "value must be finite");
  }
  return absl::OkStatus();
}

absl::Status ValidateTierAtLeast(const v1::TierAtLeast& test,
                                 const DeclaredNames& names,
                                 absl::string_view own_program,
                                 absl::string_view path) {
  if (test.program().empty()) {
    return PathError(path, "program must be named");
  }
  if (test.program() == own_program) {
    return PathError(path, absl::StrCat("must not reference its own program \"",
                                        own_program, "\""));
  }
  const auto it = names.programs.find(test.program());
  if (it == names.programs.end()) {
    return PathError(
        path, absl::StrCat("unknown tier program \"", test.program(), "\""));
  }
  for (const std::string& tier : it->second) {
    if (tier == test.tier()) return absl::OkStatus();
  }
  return PathError(path, absl::StrCat("program \"", test.program(),
                                      "\" has no tier \"", test.tier(), "\""));
}

absl::Status ValidateList(const v1::ConditionList& list,
                          const DeclaredNames& names,
                          absl::string_view own_program,
                          const std::string& path) {
  if (list.conditions().empty()) {
    return PathError(path, "must list at least one condition");
  }
  for (int i = 0; i < list.conditions_size(); ++i) {
    if (absl::Status status =
            ValidateCondition(list.conditions(i), names, own_program,
                              absl::StrCat(path, "[", i, "]"));
        !status.ok()) {
      return status;
    }
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status ValidateCondition(const v1::Condition& condition,
                               const DeclaredNames& names,
                               absl::string_view own_program,
                               const std::string& path) {
  switch (condition.kind_case()) {
    case v1::Condition::kAll:
      return ValidateList(condition.all(), names, own_program,
                          absl::StrCat(path, ".all"));
    case v1::Condition::kAny:
      return ValidateList(condition.any(), names, own_program,
                          absl::StrCat(path, ".any"));
    case v1::Condition::kNot:
      return ValidateCondition(condition.not_(), names, own_program,
                               absl::StrCat(path, ".not"));
    case v1::Condition::kMetric:
      return ValidateMetricComparison(condition.metric(), names,
                                      absl::StrCat(path, ".metric"));
    case v1::Condition::kAttribute:
      return ValidateAttributeTest(condition.attribute(), names,
                                   absl::StrCat(path, ".attribute"));
    case v1::Condition::kTierAtLeast:
      return ValidateTierAtLeast(condition.tier_at_least(), names, own_program,
                                 absl::StrCat(path, ".tier_at_least"));
    case v1::Condition::KIND_NOT_SET:
      break;
  }
  return PathError(path,
                   "must set one of all, any, not, metric, attribute, "
                   "tier_at_least");
}

void CollectProgramReferences(const v1::Condition& condition,
                              std::vector<std::string>* programs) {
  switch (condition.kind_case()) {
    case v1::Condition::kAll:
      for (const v1::Condition& child : condition.all().conditions()) {
        CollectProgramReferences(child, programs);
      }
      break;
    case v1::Condition::kAny:
      for (const v1::Condition& child : condition.any().conditions()) {
        CollectProgramReferences(child, programs);
      }
      break;
    case v1::Condition::kNot:
      CollectProgramReferences(condition.not_(), programs);
      break;
    case v1::Condition::kTierAtLeast:
      programs->push_back(condition.tier_at_least().program());
      break;
    default:
      break;
  }
}

}  // namespace standing::internal
