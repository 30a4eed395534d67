#include "condition_eval.h"

#include <algorithm>

#include "absl/strings/str_cat.h"

namespace standing {
namespace {

bool Compare(double value, v1::Comparator op, double threshold) {
  switch (op) {
    case v1::GE:
      return value >= threshold;
    case v1::GT:
      return value > threshold;
    case v1::LE:
      return value <= threshold;
    case v1::LT:
      return value < threshold;
    case v1::EQ:
      return value == threshold;
    case v1::NE:
      return value != threshold;
    default:
      return false;
  }
}

}  // namespace

const char* ComparatorText(v1::Comparator op) {
  switch (op) {
    case v1::GE:
      return ">=";
    case v1::GT:
      return ">";
    case v1::LE:
      return "<=";
    case v1::LT:
      return "<";
    case v1::EQ:
      return "==";
    case v1::NE:
      return "!=";
    default:
      return "?";
  }
}

bool AttributeTestHolds(const CompiledPolicy& policy, const AttrTest& test,
                        const int64_t* words) {
  const bool present = (words[policy.presence_offset] >> test.attribute) & 1;
  bool holds = false;
  if (present) {
    const int64_t v = words[test.attribute];
    holds = test.values.empty()
                ? v != 0
                : std::find(test.values.begin(), test.values.end(), v) !=
                      test.values.end();
  }
  return holds != test.negate;
}

bool EvalCondition(const EvalInput& in, int index) {
  const CondNode& node = in.policy.nodes[index];
  const uint32_t* kids = in.policy.children.data() + node.first_child;
  switch (node.kind) {
    case CondNode::Kind::kAll: {
      bool result = true;
      for (uint32_t i = 0; i < node.child_count; ++i) {
        if (!EvalCondition(in, static_cast<int>(kids[i]))) {
          result = false;
          if (in.checks == nullptr) break;
        }
      }
      return result;
    }
    case CondNode::Kind::kAny: {
      bool result = false;
      for (uint32_t i = 0; i < node.child_count; ++i) {
        if (EvalCondition(in, static_cast<int>(kids[i]))) {
          result = true;
          if (in.checks == nullptr) break;
        }
      }
      return result;
    }
    case CondNode::Kind::kNot:
      return !EvalCondition(in, static_cast<int>(kids[0]));
    case CondNode::Kind::kMetric: {
      MetricRead read;
      if (in.cache != nullptr && node.a < MetricCache::kCapacity) {
        const uint64_t bit = uint64_t{1} << node.a;
        if (!(in.cache->valid & bit)) {
          const MetricRead fresh =
              ReadMetric(in.policy, node.a, in.customer, in.as_of);
          in.cache->value[node.a] = fresh.value;
          in.cache->missing[node.a] = fresh.missing;
          in.cache->valid |= bit;
        }
        read.value = in.cache->value[node.a];
        read.missing = in.cache->missing[node.a];
      } else {
        read = ReadMetric(in.policy, node.a, in.customer, in.as_of);
      }
      const double multiplier = node.unscaled ? 1.0 : in.multiplier;
      const double threshold = node.value * multiplier;
      const bool holds = read.missing ? node.when_missing
                                      : Compare(read.value, node.op, threshold);
      if (in.checks != nullptr) {
        v1::Check& c = in.checks->emplace_back();
        c.set_path(node.path);
        c.set_label(node.label);
        c.set_metric(in.policy.metrics[node.a].name);
        c.set_value(read.value);
        c.set_missing(read.missing);
        c.set_op(ComparatorText(node.op));
        c.set_threshold(threshold);
        c.set_multiplier(multiplier);
        c.set_holds(holds);
      }
      return holds;
    }
    case CondNode::Kind::kAttr: {
      const AttrTest& test = in.policy.attr_tests[node.a];
      const bool holds = AttributeTestHolds(in.policy, test, in.customer.words);
      if (in.checks != nullptr) {
        v1::Check& c = in.checks->emplace_back();
        c.set_path(node.path);
        c.set_label(node.label);
        c.set_holds(holds);
        c.set_detail(
            absl::StrCat(test.negate ? "not " : "", "attribute ",
                         in.policy.attribute_names[test.attribute],
                         test.values.empty() ? " is set" : " in list"));
      }
      return holds;
    }
    case CondNode::Kind::kTierAtLeast: {
      const int tier =
          ProgramState(in.policy, in.customer.words, node.a).tier();
      const bool holds = tier >= node.b;
      if (in.checks != nullptr) {
        const CompiledProgram& p = in.policy.programs[node.a];
        v1::Check& c = in.checks->emplace_back();
        c.set_path(node.path);
        c.set_label(node.label);
        c.set_holds(holds);
        c.set_detail(absl::StrCat(p.name, " is ", p.tiers[tier].name,
                                  holds ? ", at least " : ", below ",
                                  p.tiers[node.b].name));
      }
      return holds;
    }
  }
  return false;
}

}  // namespace standing
