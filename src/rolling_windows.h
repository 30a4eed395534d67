// A customer's rolling-window metric state: per window group, one entry per
// local day that had events, oldest first.
//
// All of a customer's groups live in ONE block (block_pool.h), so an event
// reaches them through one pointer (a vector of buffers cost a cache miss for
// the array and another for each vector's data). The block is 64-byte aligned
// and made of 16-byte slots:
//
//   Region  per group {begin, head, size, first_day, last_day, sum,
//           count}                                          32 bytes each
//   End     {slots}: where the last region ends             16 bytes
//   RollingEntry per slot, for the rest of the block        16 bytes each
//
// Two descriptors share a cache line, so the groups one event kind feeds,
// when adjacent in the policy, are one line. A descriptor keeps the running
// sum and count over all the group's entries and the days of its oldest and
// newest entries beside its position. An append then touches the
// descriptor and the newest entry, and a SUM/COUNT/AVERAGE/DISTINCT_DAYS
// read, or the search for when a window next changes, touches entries only
// when some fall outside the window; at 100,000 customers each line not
// touched is a cache miss saved. Region positions count slots from the
// block's start, so an entry's address needs no header size; the group
// count follows from where region 0 begins.
//
// Group g owns slots [begin, begin + region capacity), where the region
// capacity runs to the next group's begin (the last: to the End slot's). Its
// live entries are [begin + head, begin + head + size). Appends (today's day,
// the common case) go to the region's end and never move other groups'
// entries; dropping expired entries advances `head`. When an insert
// reaches the region's end, the region is compacted (head back to 0) if
// that frees at least a quarter of it, else that region is doubled (a
// region just larger than its window would otherwise be compacted on every
// append): in place, moving the later regions up, when the block's pool
// size class has the room, else in a new block. Regions start at two entries; a
// group holds at most the window plus the late-event horizon (4,029 days),
// far below the 16-bit head and size limit.
#ifndef STANDING_SRC_ROLLING_WINDOWS_H_
#define STANDING_SRC_ROLLING_WINDOWS_H_

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <span>
#include <utility>
#include <vector>

#include "block_pool.h"

namespace standing {

struct RollingEntry {
  int32_t day;
  int32_t count;
  int64_t value;  // sum, or min / max for those aggregates
};
static_assert(sizeof(RollingEntry) == 16);

// What a window's entries add up to between two days.
struct RollingTotals {
  int64_t sum = 0;    // of the entries' values
  int64_t count = 0;  // of the entries' counts
  int64_t days = 0;   // entries (one per day)
};

class RollingWindows {
 public:
  // How a value merges into the entry of its day.
  enum class Combine : uint8_t { kSum, kMin, kMax };

  // Entries per group that Append accepts (a snapshot's groups): far more
  // than a window holds (4,029 days at most), and a region doubled past it
  // still fits 16 bits.
  static constexpr int kMaxEntries = 1 << 14;

  RollingWindows() = default;  // no groups, no block
  explicit RollingWindows(int groups);
  ~RollingWindows() { Free(block_); }
  RollingWindows(RollingWindows&& other) noexcept
      : block_(std::exchange(other.block_, nullptr)) {}
  RollingWindows& operator=(RollingWindows&& other) noexcept {
    std::swap(block_, other.block_);
    return *this;
  }
  RollingWindows(const RollingWindows&) = delete;
  RollingWindows& operator=(const RollingWindows&) = delete;

  int groups() const {
    return block_ == nullptr ? 0 : static_cast<int>(regions()[0].begin / 2);
  }

  // The group's entries, oldest first; valid until the next change.
  std::span<const RollingEntry> entries(int group) const {
    const Region& r = regions()[group];
    return {slots() + r.begin + r.head, r.size};
  }

  // Merges `value` into the entry of `day` (a new entry when the day has
  // none, inserted in day order for a late event), then drops the entries
  // more than `keep_days` days older than the newest: they can no longer
  // be read. Allocates only when the group's region is full. Inline for
  // the common case, a day that already has the newest entry.
  void Add(int group, int64_t day, int64_t value, Combine combine,
           int64_t keep_days) {
    Region& r = regions()[group];
    if (r.size == 0 || r.last_day != day) {
      Insert(group, day, value, combine, keep_days);
      return;
    }
    Merge(r, slots()[r.begin + r.head + r.size - 1], value, combine);
    if (r.first_day < day - keep_days) DropBefore(group, day - keep_days);
  }

  // Appends an entry newer than the group's newest (a snapshot, another
  // policy's state). False, changing nothing, when it is not newer or the
  // group already holds kMaxEntries.
  [[nodiscard]] bool Append(int group, const RollingEntry& entry);

  void Clear(int group);

  // Totals over the entries with after_day < day <= through_day
  // (after_day < through_day): the running totals less the entries
  // outside, found from either end (none read when all are inside).
  RollingTotals Totals(int group, int64_t after_day, int64_t through_day) const;

  // The first day after `day` on which a window of `window_days` days
  // ending that day reads differently: its oldest entry leaves the window,
  // or a later entry (a late event's, dated ahead) enters it. kNoChange
  // when neither happens.
  static constexpr int64_t kNoChange = std::numeric_limits<int32_t>::max();
  int64_t NextChange(int group, int64_t day, int64_t window_days) const;

  // Cache hints (EngineState's batch pipeline), for the groups whose bit
  // in `group_kinds[g]` meets `kinds` (the windows an event writes). The
  // hints never fault; PrefetchEnds reads the descriptors, so it comes a
  // step after PrefetchRegions.
  void PrefetchRegions(const uint32_t* group_kinds, int groups,
                       uint32_t kinds) const {
    if (block_ == nullptr) return;
    for (int g = 0; g < groups; ++g) {
      if (group_kinds[g] & kinds) __builtin_prefetch(&regions()[g]);
    }
  }
  // The newest entry of those groups (where events add and reads end).
  void PrefetchEnds(const uint32_t* group_kinds, int groups,
                    uint32_t kinds) const {
    if (block_ == nullptr) return;
    for (int g = 0; g < groups; ++g) {
      const Region& r = regions()[g];
      if ((group_kinds[g] & kinds) && r.size > 0) {
        __builtin_prefetch(slots() + r.begin + r.head + r.size - 1);
      }
    }
  }

 private:
  struct Region {
    uint32_t begin;  // first slot of the region
    uint16_t head;   // first live entry, from begin
    uint16_t size;   // live entries
    // Days of the oldest and newest live entries (when size > 0).
    int32_t first_day;
    int32_t last_day;
    // Over all live entries; the sum modulo 2^64, so that the in-window
    // sum comes out exact whenever it fits in 64 bits.
    uint64_t sum;
    int64_t count;
  };
  static_assert(sizeof(Region) == 32 && offsetof(Region, begin) == 0);
  // After the last region: where it ends (the block's slot count).
  struct End {
    uint32_t slots;
  };
  static_assert(offsetof(End, slots) == 0);
  // Region slots (two per group) plus the End slot.
  static uint32_t HeaderSlots(int groups) {
    return 2 * static_cast<uint32_t>(groups) + 1;
  }
  static size_t BlockBytes(uint32_t slots);
  static std::byte* Allocate(uint32_t slots);
  static void Free(std::byte* block) { PoolFree(block); }

  const Region* regions() const {
    return reinterpret_cast<const Region*>(block_);
  }
  Region* regions() { return reinterpret_cast<Region*>(block_); }
  uint32_t& end_slot() {
    return reinterpret_cast<End*>(block_ + sizeof(Region) * groups())->slots;
  }
  uint32_t end_slot() const {
    return reinterpret_cast<const End*>(block_ + sizeof(Region) * groups())
        ->slots;
  }
  // The first slots hold the descriptors, never an entry.
  const RollingEntry* slots() const {
    return reinterpret_cast<const RollingEntry*>(block_);
  }
  RollingEntry* slots() { return reinterpret_cast<RollingEntry*>(block_); }
  // Up to where the next region begins; for the last, the End slot, whose
  // `slots` sits where a region's `begin` would (so region 0's line, which
  // gives the group count, is not read).
  uint32_t RegionCapacity(int group) const {
    const uint32_t end = *reinterpret_cast<const uint32_t*>(
        block_ + sizeof(Region) * static_cast<size_t>(group + 1));
    return end - regions()[group].begin;
  }

  static void Merge(Region& r, RollingEntry& e, int64_t value,
                    Combine combine) {
    e.count += 1;
    r.count += 1;
    const int64_t before = e.value;
    switch (combine) {
      case Combine::kMin:
        e.value = std::min(before, value);
        break;
      case Combine::kMax:
        e.value = std::max(before, value);
        break;
      case Combine::kSum:
        e.value += value;
        break;
    }
    r.sum += static_cast<uint64_t>(e.value) - static_cast<uint64_t>(before);
  }
  // Add for a day without the newest entry: a new day, or a late one.
  void Insert(int group, int64_t day, int64_t value, Combine combine,
              int64_t keep_days);
  // Drops the group's entries before `day`.
  void DropBefore(int group, int64_t day);
  // Room for one more entry at the end of a full region: compacts it or
  // doubles it, in place when the block's size class has the room, else
  // in a new block.
  void MakeRoom(int group);
  // Sets the descriptor's first and last days from its entries.
  void SyncDays(Region& r) const;

  std::byte* block_ = nullptr;
};

// Every customer's RollingWindows, by enrolment sequence: one pointer read
// per event, from the block pool like the blocks themselves.
using RollingTable = std::vector<RollingWindows, PoolAllocator<RollingWindows>>;

}  // namespace standing

#endif  // STANDING_SRC_ROLLING_WINDOWS_H_
