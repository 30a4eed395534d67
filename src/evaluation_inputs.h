// What each evaluation after an event reads, so that an evaluation whose
// inputs have not changed since the customer's last one can be skipped.
//
// Most events feed none of the metrics a customer's tiers or credit rules
// read (an invoice, a payment, a contact), and on the same day the metrics
// they read hold the same values: evaluating again would decide nothing
// new. The customer keeps a marker word "evaluated on day D with no change
// resulting; inputs constant until day U"; within [D, U) an evaluation is
// skipped unless the event fed one of its metrics or the evaluation reads
// values that change by the second (time-weighted balances, receivables).
#ifndef STANDING_SRC_EVALUATION_INPUTS_H_
#define STANDING_SRC_EVALUATION_INPUTS_H_

#include <cstdint>
#include <vector>

namespace standing {

struct CompiledPolicy;
struct CustomerWords;
struct AsOf;

// The inputs of one evaluation (a condition tree, a metric, a limit).
struct ReadSet {
  uint32_t kinds = 0;  // bit per v1::EventKind feeding a metric read
  // Reads a value that changes between events at any instant
  // (time-weighted balances, receivables): never skipped.
  bool continuous = false;
  // State groups whose reads change with the day alone (rolling and
  // calendar windows, recency), for the end of the constant stretch.
  std::vector<int> timed_groups;

  void Add(const ReadSet& other);
};

struct EvaluationInputs {
  std::vector<ReadSet> program;     // per tier program: tiers and floors
  std::vector<ReadSet> hard_rules;  // parallel to credit.hard_rules
  ReadSet score;                    // the credit score sheet
  ReadSet limits;                   // formula limits of every grade
  ReadSet all;                      // the union, for the marker's end day
  // No rolling window among the inputs: the end day follows from the day
  // alone (period ends, recency), so a marker that covers an event's day
  // needs no recomputing after it.
  bool end_day_by_date = false;
};

EvaluationInputs CompileEvaluationInputs(const CompiledPolicy& policy);

// The marker word: [D, U) as two local day numbers; 0 is "none".
inline int64_t StableMarker(int64_t from_day, int64_t until_day) {
  return (from_day & 0xffffffff) | (until_day << 32);
}
inline bool StableOn(int64_t marker, int64_t day) {
  return (marker & 0xffffffff) <= day && day < (marker >> 32);
}

// The first local day after `as_of` on which a timed input of `inputs`
// reads differently with no event in between.
int64_t InputsConstantUntil(const CompiledPolicy& policy, const ReadSet& inputs,
                            const CustomerWords& c, const AsOf& as_of);

// What the current event changed, for the skip decisions of the event path
// (Effects::inputs). `stable`: the customer's marker covers the event's day
// and nothing but the event has changed since.
struct EventInputs {
  bool stable = false;
  uint32_t fed_kinds = 0;
  // Set when an evaluation that the marker covers ran, so the marker must
  // be computed again.
  bool evaluated = false;

  // Whether an evaluation reading `r` would decide as it did last time.
  bool Unchanged(const ReadSet& r) const {
    return stable && !r.continuous && (r.kinds & fed_kinds) == 0;
  }
  // Records an evaluation of `r` that runs.
  void Ran(const ReadSet& r) {
    if (!r.continuous) evaluated = true;
  }
};

}  // namespace standing

#endif  // STANDING_SRC_EVALUATION_INPUTS_H_
