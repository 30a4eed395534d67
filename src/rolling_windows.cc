#include "rolling_windows.h"

#include <cstdlib>
#include <cstring>
#include <limits>
#include <new>

namespace standing {
namespace {

// Entry slots per group in a new block: most groups see few distinct days
// in their first weeks, and a region doubles when it fills.
constexpr uint32_t kInitialRegion = 2;
// head and size are 16-bit.
constexpr uint32_t kMaxRegion = std::numeric_limits<uint16_t>::max();

}  // namespace

size_t RollingWindows::BlockBytes(uint32_t slots) {
  // A multiple of 64 bytes: the pool then aligns the block to 64.
  return (sizeof(RollingEntry) * size_t{slots} + 63) & ~size_t{63};
}

std::byte* RollingWindows::Allocate(uint32_t slots) {
  return static_cast<std::byte*>(PoolAllocate(BlockBytes(slots)));
}

RollingWindows::RollingWindows(int groups) {
  if (groups <= 0) return;
  const uint32_t first = HeaderSlots(groups);
  block_ = Allocate(first + static_cast<uint32_t>(groups) * kInitialRegion);
  Region* r = regions();
  for (int g = 0; g < groups; ++g) {
    r[g] = Region{
        first + static_cast<uint32_t>(g) * kInitialRegion, 0, 0, 0, 0, 0, 0};
  }
  end_slot() = first + static_cast<uint32_t>(groups) * kInitialRegion;
}

void RollingWindows::SyncDays(Region& r) const {
  if (r.size == 0) return;
  const RollingEntry* e = slots() + r.begin + r.head;
  r.first_day = e[0].day;
  r.last_day = e[r.size - 1].day;
}

void RollingWindows::MakeRoom(int group) {
  Region& r = regions()[group];
  const uint32_t capacity = RegionCapacity(group);
  if (r.head > 0 && uint32_t{r.size} * 4 <= capacity * 3) {
    RollingEntry* base = slots() + r.begin;
    std::memmove(base, base + r.head, sizeof(RollingEntry) * r.size);
    r.head = 0;
    return;
  }
  const uint32_t grown = std::min(capacity * 2, kMaxRegion);
  // Unreachable: a group holds at most kMaxEntries + 1 entries.
  if (grown <= r.size) std::abort();
  const uint32_t delta = grown - capacity;
  const int groups = this->groups();
  const uint32_t end = end_slot();
  if (BlockBytes(end + delta) <= PoolBlockSize(BlockBytes(end))) {
    // The block's size class has room: move the later regions up in place.
    if (group + 1 < groups) {
      RollingEntry* later = slots() + regions()[group + 1].begin;
      std::memmove(later + delta, later,
                   sizeof(RollingEntry) * (end - regions()[group + 1].begin));
      for (int g = group + 1; g < groups; ++g) regions()[g].begin += delta;
    }
    end_slot() = end + delta;
    return;
  }
  RollingWindows next;
  next.block_ = Allocate(end + delta);
  for (int g = 0; g < groups; ++g) {
    Region moved = regions()[g];
    const RollingEntry* from = slots() + moved.begin + moved.head;
    if (g > group) moved.begin += delta;
    moved.head = 0;
    std::memcpy(next.slots() + moved.begin, from,
                sizeof(RollingEntry) * moved.size);
    next.regions()[g] = moved;
  }
  next.end_slot() = end + delta;
  std::swap(block_, next.block_);  // `next` frees the old block
}

void RollingWindows::Insert(int group, int64_t day, int64_t value,
                            Combine combine, int64_t keep_days) {
  Region* r = &regions()[group];
  RollingEntry* e = slots() + r->begin + r->head;
  uint32_t n = r->size;
  // Where the day goes: after the newest entry (a new day, read from the
  // descriptor), else found from the newest back (a late event).
  uint32_t k = n;
  if (n > 0 && day < r->last_day) {
    while (k > 0 && e[k - 1].day > day) --k;
    if (k > 0 && e[k - 1].day == day) {  // a late day that has an entry
      Merge(*r, e[k - 1], value, combine);
      if (r->first_day < r->last_day - keep_days) {
        DropBefore(group, r->last_day - keep_days);
      }
      return;
    }
  }
  if (r->head + n == RegionCapacity(group)) {
    MakeRoom(group);
    r = &regions()[group];
    e = slots() + r->begin + r->head;
  }
  std::memmove(e + k + 1, e + k, sizeof(RollingEntry) * (n - k));
  const int64_t init =
      combine == Combine::kMin   ? std::numeric_limits<int64_t>::max()
      : combine == Combine::kMax ? std::numeric_limits<int64_t>::min()
                                 : 0;
  e[k] = RollingEntry{static_cast<int32_t>(day), 0, init};
  r->sum += static_cast<uint64_t>(init);
  r->size = static_cast<uint16_t>(++n);
  Merge(*r, e[k], value, combine);
  if (k == 0) r->first_day = static_cast<int32_t>(day);
  if (k == n - 1) r->last_day = static_cast<int32_t>(day);
  if (r->first_day < r->last_day - keep_days) {
    DropBefore(group, r->last_day - keep_days);
  }
}

void RollingWindows::DropBefore(int group, int64_t day) {
  Region& r = regions()[group];
  const RollingEntry* e = slots() + r.begin + r.head;
  uint32_t drop = 0;
  while (drop < r.size && e[drop].day < day) {
    r.sum -= static_cast<uint64_t>(e[drop].value);
    r.count -= e[drop].count;
    ++drop;
  }
  if (drop == 0) return;
  r.size = static_cast<uint16_t>(r.size - drop);
  r.head = r.size == 0 ? 0 : static_cast<uint16_t>(r.head + drop);
  SyncDays(r);
}

bool RollingWindows::Append(int group, const RollingEntry& entry) {
  Region* r = &regions()[group];
  if (r->size >= kMaxEntries) return false;
  if (r->size > 0 && r->last_day >= entry.day) return false;
  if (r->head + r->size == RegionCapacity(group)) {
    MakeRoom(group);
    r = &regions()[group];
  }
  slots()[r->begin + r->head + r->size] = entry;
  r->size = static_cast<uint16_t>(r->size + 1);
  r->sum += static_cast<uint64_t>(entry.value);
  r->count += entry.count;
  SyncDays(*r);
  return true;
}

void RollingWindows::Clear(int group) {
  Region& r = regions()[group];
  r.head = 0;
  r.size = 0;
  r.sum = 0;
  r.count = 0;
}

RollingTotals RollingWindows::Totals(int group, int64_t after_day,
                                     int64_t through_day) const {
  const Region& r = regions()[group];
  if (r.size == 0) return RollingTotals{};
  uint64_t sum = r.sum;
  int64_t count = r.count;
  uint32_t lo = 0, hi = r.size;
  const RollingEntry* e = slots() + r.begin + r.head;
  if (r.first_day <= after_day) {
    for (; lo < hi && e[lo].day <= after_day; ++lo) {
      sum -= static_cast<uint64_t>(e[lo].value);
      count -= e[lo].count;
    }
  }
  if (r.last_day > through_day) {
    for (; hi > lo && e[hi - 1].day > through_day; --hi) {
      sum -= static_cast<uint64_t>(e[hi - 1].value);
      count -= e[hi - 1].count;
    }
  }
  return RollingTotals{static_cast<int64_t>(sum), count,
                       static_cast<int64_t>(hi - lo)};
}

int64_t RollingWindows::NextChange(int group, int64_t day,
                                   int64_t window_days) const {
  const Region& r = regions()[group];
  if (r.size == 0) return kNoChange;
  const RollingEntry* e = slots() + r.begin + r.head;
  // The oldest entry in the window or after it.
  uint32_t first = 0;
  if (r.first_day <= day - window_days) {
    while (first < r.size && e[first].day <= day - window_days) ++first;
  }
  int64_t change = kNoChange;
  const int64_t first_day = first == 0       ? r.first_day
                            : first < r.size ? e[first].day
                                             : kNoChange;
  if (first_day <= day) change = first_day + window_days;
  // The first entry after `day`.
  if (r.last_day > day) {
    uint32_t later = r.size;
    while (later > first && e[later - 1].day > day) --later;
    if (later < r.size) change = std::min<int64_t>(change, e[later].day);
  }
  return change;
}

}  // namespace standing
