// The in-memory customer store: customer records in a CustomerTable (an
// open-addressing id index over records stored in cache-line-sized slots),
// plus per-(program, tier) member sets for listings and a due queue ordered
// by the next scheduled evaluation.
//
// Why not Boost.MultiIndex for the id index (it held it until the
// perf-lookup work): every read and every event starts with the id lookup,
// and the hashed_unique index cost two dependent cache misses per lookup
// (the bucket array, then the node) plus std::hash; it also cannot prefetch
// the bucket of a later event in a batch. CustomerTable probes one 8-byte
// slot that carries a 16-bit hash fragment next to the record pointer, so a
// probe reads one cache line and touches a record only when the fragment
// matches; records are 64-byte aligned, one cache line each, and allocated
// in chunks (no per-record malloc header). bench/README.md has the numbers.
//
// Why not more indices of that kind either: tier membership lives in
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
#include <utility>
#include <vector>

#include "absl/container/btree_map.h"
#include "absl/container/btree_set.h"
#include "absl/hash/hash.h"
#include "absl/strings/string_view.h"
#include "block_pool.h"
#include "metric_state.h"
#include "short_bytes.h"

namespace standing {

inline constexpr int64_t kNever = std::numeric_limits<int64_t>::max();

// A customer's state words, from the block pool (block_pool.h: the pages
// one event touches are few and may be huge).
using StateWords = std::unique_ptr<int64_t[], PoolDelete>;
// `count` zeroed words.
StateWords NewStateWords(size_t count);

// One cache line: the id (inline when it is at most 15 bytes, as ids
// usually are), the enrolment instant, the schedule and the state words.
struct alignas(64) CustomerRecord {
  std::string id;
  int64_t enrolled_at = 0;
  // Not an index key: the DueQueue holds (instant, sequence) entries and
  // skips those that no longer match this field.
  mutable int64_t next_eval = kNever;
  uint64_t sequence = 0;
  // Mutable through a const record: the indices do not depend on them.
  // `mutable` so ReplacePolicy can swap in a new layout. Rolling-window
  // state lives in EngineState::rolling (most policies have none, and a
  // pointer here would not fit the record's one line).
  mutable StateWords words;
};
static_assert(sizeof(CustomerRecord) == 64, "a customer record is one line");

// Customer records by id. Records never move once inserted (pointers to
// them are kept in EngineState::by_sequence) and are never erased.
//
// The index is a power-of-two array of 8-byte slots probed linearly, at
// most 4/5 full: a slot holds the record's address divided by 64 in its
// low 48 bits and the top 16 bits of the id's hash above them (0: empty).
// A lookup reads one slot line and compares the fragment; the record (the
// second and last line) is read only when the fragment matches, so a
// miss on another id is one in 65,536 per probed slot. Records live in
// chunks of 64-byte slots that double in size up to 32,768 records (2 MiB),
// from the block pool like the index.
class CustomerTable {
 public:
  CustomerTable() = default;
  CustomerTable(const CustomerTable&) = delete;
  CustomerTable& operator=(const CustomerTable&) = delete;
  ~CustomerTable();

  static uint64_t Hash(absl::string_view id) {
    return absl::Hash<absl::string_view>()(id);
  }

  size_t size() const { return size_; }

  const CustomerRecord* Find(absl::string_view id) const {
    return Find(id, Hash(id));
  }
  const CustomerRecord* Find(absl::string_view id, uint64_t hash) const {
    if (slots_ == nullptr) return nullptr;
    const uint64_t tag = hash >> 48;
    for (uint64_t i = hash & mask_;; i = (i + 1) & mask_) {
      const uint64_t slot = slots_[i];
      if (slot == 0) return nullptr;
      if ((slot >> 48) != tag) continue;
      const CustomerRecord* rec = Record(slot);
      if (rec->id.size() == id.size() &&
          EqualBytes(rec->id.data(), id.data(), id.size())) {
        return rec;
      }
    }
  }

  // Prefetch hints for pipelined lookups (ApplyBatch): the slot line of
  // `hash`, then, once that line is in cache, the first record whose hash
  // fragment matches (without comparing ids, so nothing stalls).
  void PrefetchSlot(uint64_t hash) const {
    if (slots_ != nullptr) __builtin_prefetch(&slots_[hash & mask_]);
  }
  void PrefetchRecord(uint64_t hash) const {
    if (slots_ == nullptr) return;
    const uint64_t tag = hash >> 48;
    for (uint64_t i = hash & mask_;; i = (i + 1) & mask_) {
      const uint64_t slot = slots_[i];
      if (slot == 0) return;
      if ((slot >> 48) == tag) {
        __builtin_prefetch(Record(slot));
        return;
      }
    }
  }

  // Moves `rec` in unless its id is present; returns the stored record (or
  // the one holding the id) and whether it was inserted.
  std::pair<const CustomerRecord*, bool> Insert(CustomerRecord&& rec);

 private:
  static const CustomerRecord* Record(uint64_t slot) {
    return reinterpret_cast<const CustomerRecord*>(
        static_cast<uintptr_t>((slot & kAddressMask) << 6));
  }
  static constexpr uint64_t kAddressMask = (uint64_t{1} << 48) - 1;
  // 2 MiB: a chunk is one huge page when the pool gets them.
  static constexpr size_t kMaxChunk = 32768;

  void Place(uint64_t slot, uint64_t hash);
  void Grow();

  std::unique_ptr<uint64_t[], PoolDelete> slots_;
  uint64_t mask_ = 0;
  size_t size_ = 0;
  // Record storage: chunks of raw 64-byte-aligned memory; the last one is
  // filled up to `last_used_`.
  struct Chunk {
    CustomerRecord* data;
    size_t capacity;
  };
  std::vector<Chunk> chunks_;
  size_t last_used_ = 0;
};

// Sequence numbers by due instant. A customer whose next evaluation moves
// gets a new entry; the old one stays until its instant is reached and is
// skipped then (its instant no longer equals the record's next_eval).
using DueQueue = absl::btree_map<int64_t, std::vector<uint64_t>>;

// Members of each tier of each program, by enrolment sequence.
using TierMembers = std::vector<std::vector<absl::btree_set<uint64_t>>>;

}  // namespace standing

#endif  // STANDING_SRC_CUSTOMER_STORE_H_
