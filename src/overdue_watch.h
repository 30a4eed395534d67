// Which customers are overdue, for the time-driven hard rules of a review
// (days past due grow without events).
//
// An exact index ordered by oldest due time would be updated twice per
// invoice and payment pair (an erase and an insert in a tree). Instead the
// event path only pushes the new oldest due time onto a min-heap (most
// pushes are O(1): due times mostly grow), and a review checks what it
// pops against the account: entries whose account has moved on are
// dropped. Customers found overdue stay listed until a review sees they
// no longer are.
#ifndef STANDING_SRC_OVERDUE_WATCH_H_
#define STANDING_SRC_OVERDUE_WATCH_H_

#include <algorithm>
#include <cstdint>
#include <functional>
#include <utility>
#include <vector>

namespace standing {

class OverdueWatch {
 public:
  // The account `sequence`'s oldest open invoice is now due at `due`.
  // `oldest_due(s)` reads an account (0: none open) and `accounts` is how
  // many there are, to rebuild the heap when stale entries pile up.
  template <typename OldestDue>
  void Watch(int64_t due, uint64_t sequence, size_t accounts,
             const OldestDue& oldest_due) {
    if (heap_.size() > 2 * accounts + 64) {
      heap_.clear();
      for (uint64_t s = 0; s < accounts; ++s) {
        if (const int64_t d = oldest_due(s); d != 0) heap_.emplace_back(d, s);
      }
      std::make_heap(heap_.begin(), heap_.end(), std::greater<>());
      return;  // the rebuild saw `due` already
    }
    heap_.emplace_back(due, sequence);
    std::push_heap(heap_.begin(), heap_.end(), std::greater<>());
  }

  // The customers whose oldest open invoice was due before `t`, by
  // (oldest due time, sequence).
  template <typename OldestDue>
  std::vector<uint64_t> Overdue(int64_t t, const OldestDue& oldest_due) {
    while (!heap_.empty() && heap_.front().first < t) {
      const auto [due, s] = heap_.front();
      std::pop_heap(heap_.begin(), heap_.end(), std::greater<>());
      heap_.pop_back();
      if (oldest_due(s) != due) continue;  // paid or superseded since
      if (s >= listed_flag_.size()) listed_flag_.resize(s + 1, false);
      if (listed_flag_[s]) continue;
      listed_flag_[s] = true;
      listed_.push_back(s);
    }
    std::vector<std::pair<int64_t, uint64_t>> due_now;
    size_t kept = 0;
    for (uint64_t s : listed_) {
      const int64_t d = oldest_due(s);
      if (d == 0 || d >= t) {
        // No longer overdue; the heap holds its later due time, if any.
        listed_flag_[s] = false;
        if (d != 0) Rewatch(d, s);
        continue;
      }
      listed_[kept++] = s;
      due_now.emplace_back(d, s);
    }
    listed_.resize(kept);
    std::sort(due_now.begin(), due_now.end());
    std::vector<uint64_t> out;
    out.reserve(due_now.size());
    for (const auto& [d, s] : due_now) out.push_back(s);
    return out;
  }

  void Clear() {
    heap_.clear();
    listed_.clear();
    listed_flag_.clear();
  }

 private:
  void Rewatch(int64_t due, uint64_t sequence) {
    heap_.emplace_back(due, sequence);
    std::push_heap(heap_.begin(), heap_.end(), std::greater<>());
  }

  std::vector<std::pair<int64_t, uint64_t>> heap_;  // min-heap by due time
  std::vector<uint64_t> listed_;                    // found overdue at a review
  std::vector<bool> listed_flag_;
};

}  // namespace standing

#endif  // STANDING_SRC_OVERDUE_WATCH_H_
