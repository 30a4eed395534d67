#include "condition_eval.h"

#include <algorithm>
#include <limits>

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

namespace {

// Calendar SUM/COUNT/MAX/MIN and recency read inline (what thresholds
// mostly read); everything else through ReadMetric, memoised in the cache
// when there is one. The head word holds the newest period + 1 (0: none),
// so with h = head word the ring holds periods [h - slots, h - 1], and an
// empty ring (h = 0) holds none. MAX/MIN slots hold a sentinel (the
// identity of the aggregate) until a value arrives: read as missing, as
// ReadMetric does.
inline MetricRead ReadForCondition(const EvalInput& in, const CondNode& node) {
  const int64_t* words = in.customer.words;
  switch (node.read) {
    case CondNode::Read::kMetric:
      break;
    case CondNode::Read::kRecency: {
      const int64_t last = words[node.offset];
      const int64_t from =
          in.policy.clock.LocalDay(last != 0 ? last : in.customer.enrolled_at);
      return {static_cast<double>(std::max<int64_t>(0, in.as_of.day - from)),
              false};
    }
    case CondNode::Read::kCalendarScalar:
    case CondNode::Read::kCalendarMax:
    case CondNode::Read::kCalendarMin: {
      const bool scalar = node.read == CondNode::Read::kCalendarScalar;
      const int64_t head_word = words[node.head_offset];
      const int64_t q = in.as_of.period_index[node.period] - node.back;
      if (q >= head_word || q < head_word - node.slots) return {0, !scalar};
      const int64_t v = words[node.offset + RingIndex(q, node.slots)];
      if (!scalar && v == (node.read == CondNode::Read::kCalendarMax
                               ? std::numeric_limits<int64_t>::min()
                               : std::numeric_limits<int64_t>::max())) {
        return {0, true};
      }
      return {static_cast<double>(v), false};
    }
  }
  const int m = node.a;
  if (in.cache == nullptr || m >= MetricCache::kCapacity) {
    return ReadMetric(in.policy, m, in.customer, in.as_of);
  }
  const uint64_t bit = uint64_t{1} << m;
  if (!(in.cache->valid & bit)) {
    const MetricRead fresh = ReadMetric(in.policy, m, in.customer, in.as_of);
    in.cache->value[m] = fresh.value;
    in.cache->missing[m] = fresh.missing;
    in.cache->valid |= bit;
  }
  return {in.cache->value[m], in.cache->missing[m]};
}

inline bool MetricHolds(const EvalInput& in, const CondNode& node,
                        MetricRead read, double* threshold_out = nullptr,
                        double* multiplier_out = nullptr) {
  const double multiplier = node.unscaled ? 1.0 : in.multiplier;
  const double threshold = node.value * multiplier;
  if (threshold_out != nullptr) *threshold_out = threshold;
  if (multiplier_out != nullptr) *multiplier_out = multiplier;
  return read.missing ? node.when_missing
                      : Compare(read.value, node.op, threshold);
}

// Leaves (metric comparisons, the common case) are evaluated in the
// caller's loop instead of through another call.
inline bool EvalChild(const EvalInput& in, uint32_t index) {
  const CondNode& node = in.policy.nodes[index];
  if (node.kind == CondNode::Kind::kMetric) {
    return MetricHolds(in, node, ReadForCondition(in, node));
  }
  return EvalConditionFast(in, static_cast<int>(index));
}

// The hot path: short-circuits, records nothing. Kept free of the
// explanation code so its frame stays small.
}  // namespace

bool EvalConditionFast(const EvalInput& in, int index) {
  const CondNode& node = in.policy.nodes[index];
  switch (node.kind) {
    case CondNode::Kind::kMetric:
      return MetricHolds(in, node, ReadForCondition(in, node));
    case CondNode::Kind::kAll: {
      const uint32_t* kids = in.policy.children.data() + node.first_child;
      for (uint32_t i = 0; i < node.child_count; ++i) {
        if (!EvalChild(in, kids[i])) return false;
      }
      return true;
    }
    case CondNode::Kind::kAny: {
      const uint32_t* kids = in.policy.children.data() + node.first_child;
      for (uint32_t i = 0; i < node.child_count; ++i) {
        if (EvalChild(in, kids[i])) return true;
      }
      return false;
    }
    case CondNode::Kind::kNot:
      return !EvalChild(in, in.policy.children[node.first_child]);
    case CondNode::Kind::kAttr:
      return AttributeTestHolds(in.policy, in.policy.attr_tests[node.a],
                                in.customer.words);
    case CondNode::Kind::kTierAtLeast:
      return ProgramState(in.policy, in.customer.words, node.a).tier() >=
             node.b;
  }
  return false;
}

namespace {

// The explanation path: evaluates every branch and records each check.
bool EvalRecording(const EvalInput& in, int index) {
  const CondNode& node = in.policy.nodes[index];
  const CondText& text = in.policy.node_text[index];
  const uint32_t* kids = in.policy.children.data() + node.first_child;
  switch (node.kind) {
    case CondNode::Kind::kAll: {
      bool result = true;
      for (uint32_t i = 0; i < node.child_count; ++i) {
        result = EvalRecording(in, static_cast<int>(kids[i])) && result;
      }
      return result;
    }
    case CondNode::Kind::kAny: {
      bool result = false;
      for (uint32_t i = 0; i < node.child_count; ++i) {
        result = EvalRecording(in, static_cast<int>(kids[i])) || result;
      }
      return result;
    }
    case CondNode::Kind::kNot:
      return !EvalRecording(in, static_cast<int>(kids[0]));
    case CondNode::Kind::kMetric: {
      const MetricRead read = ReadForCondition(in, node);
      double threshold = 0, multiplier = 1;
      const bool holds = MetricHolds(in, node, read, &threshold, &multiplier);
      v1::Check& c = in.checks->emplace_back();
      c.set_path(text.path);
      c.set_label(text.label);
      c.set_metric(in.policy.metrics[node.a].name);
      c.set_value(read.value);
      c.set_missing(read.missing);
      c.set_op(ComparatorText(node.op));
      c.set_threshold(threshold);
      c.set_multiplier(multiplier);
      c.set_holds(holds);
      return holds;
    }
    case CondNode::Kind::kAttr: {
      const AttrTest& test = in.policy.attr_tests[node.a];
      const bool holds = AttributeTestHolds(in.policy, test, in.customer.words);
      v1::Check& c = in.checks->emplace_back();
      c.set_path(text.path);
      c.set_label(text.label);
      c.set_holds(holds);
      c.set_detail(absl::StrCat(test.negate ? "not " : "", "attribute ",
                                in.policy.attribute_names[test.attribute],
                                test.values.empty() ? " is set" : " in list"));
      return holds;
    }
    case CondNode::Kind::kTierAtLeast: {
      const int tier =
          ProgramState(in.policy, in.customer.words, node.a).tier();
      const bool holds = tier >= node.b;
      const CompiledProgram& p = in.policy.programs[node.a];
      v1::Check& c = in.checks->emplace_back();
      c.set_path(text.path);
      c.set_label(text.label);
      c.set_holds(holds);
      c.set_detail(absl::StrCat(p.name, " is ", p.tiers[tier].name,
                                holds ? ", at least " : ", below ",
                                p.tiers[node.b].name));
      return holds;
    }
  }
  return false;
}

}  // namespace

bool EvalCondition(const EvalInput& in, int index) {
  return in.checks == nullptr ? EvalConditionFast(in, index)
                              : EvalRecording(in, index);
}

}  // namespace standing
