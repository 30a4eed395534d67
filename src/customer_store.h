// The in-memory customer store: a Boost.MultiIndex container of customer
// records, unique-hashed by id, plus per-(program, tier) member sets for
// listings and a due queue ordered by the next scheduled evaluation.
//
// Why not more Boost.MultiIndex indices: tier membership lives in
// absl::btree_set<uint64_t> of enrolment sequence numbers (~10 bytes per
// member where an ordered-index node costs ~48), and the schedule is a
// calendar queue (DueQueue) because re-keying an ordered index with
// modify() re-hashes the id and relinks the tree: 0.8 s per million
// customers at a year-end review, against a 1 s budget for the whole review.
// Memory per customer and review time are targets (bench/README.md).
#ifndef STANDING_SRC_CUSTOMER_STORE_H_
#define STANDING_SRC_CUSTOMER_STORE_H_

#include <cstdint>
#include <functional>
#include <limits>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/container/btree_map.h"
#include "absl/container/btree_set.h"
#include "absl/strings/string_view.h"
#include "boost/multi_index/hashed_index.hpp"
#include "boost/multi_index/member.hpp"
#include "boost/multi_index/tag.hpp"
#include "boost/multi_index_container.hpp"
#include "metric_state.h"

namespace standing {

inline constexpr int64_t kNever = std::numeric_limits<int64_t>::max();

struct CustomerRecord {
  std::string id;
  int64_t enrolled_at = 0;
  // Not an index key: the DueQueue holds (instant, sequence) entries and
  // skips those that no longer match this field.
  mutable int64_t next_eval = kNever;
  uint64_t sequence = 0;
  // Mutable through a const record: the indices do not depend on them.
  // `mutable` so ReplacePolicy can swap in a new layout. Rolling-window
  // buffers live in EngineState::rolling (most policies have none, and a
  // pointer here would cost 16 bytes per customer after malloc rounding).
  mutable std::unique_ptr<int64_t[]> words;
};

struct IdHash {
  size_t operator()(std::string_view s) const {
    return std::hash<std::string_view>()(s);
  }
  size_t operator()(absl::string_view s) const {
    return (*this)(std::string_view(s.data(), s.size()));
  }
  size_t operator()(const std::string& s) const {
    return (*this)(std::string_view(s));
  }
};
struct IdEq {
  template <typename A, typename B>
  bool operator()(const A& a, const B& b) const {
    return std::string_view(a.data(), a.size()) ==
           std::string_view(b.data(), b.size());
  }
};

struct ById {};

using CustomerSet = boost::multi_index_container<
    CustomerRecord,
    boost::multi_index::indexed_by<boost::multi_index::hashed_unique<
        boost::multi_index::tag<ById>,
        boost::multi_index::member<CustomerRecord, std::string,
                                   &CustomerRecord::id>,
        IdHash, IdEq>>>;

// Sequence numbers by due instant. A customer whose next evaluation moves
// gets a new entry; the old one stays until its instant is reached and is
// skipped then (its instant no longer equals the record's next_eval).
using DueQueue = absl::btree_map<int64_t, std::vector<uint64_t>>;

// Members of each tier of each program, by enrolment sequence.
using TierMembers = std::vector<std::vector<absl::btree_set<uint64_t>>>;

}  // namespace standing

#endif  // STANDING_SRC_CUSTOMER_STORE_H_
