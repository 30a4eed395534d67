#include "customer_store.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <new>

namespace standing {

StateWords NewStateWords(size_t count) {
  auto* words = static_cast<int64_t*>(PoolAllocate(count * sizeof(int64_t)));
  std::fill_n(words, count, int64_t{0});
  return StateWords(words);
}

CustomerTable::~CustomerTable() {
  for (size_t c = 0; c < chunks_.size(); ++c) {
    const size_t used =
        c + 1 == chunks_.size() ? last_used_ : chunks_[c].capacity;
    for (size_t i = 0; i < used; ++i) chunks_[c].data[i].~CustomerRecord();
    PoolFree(chunks_[c].data);
  }
}

void CustomerTable::Place(uint64_t slot, uint64_t hash) {
  uint64_t i = hash & mask_;
  while (slots_[i] != 0) i = (i + 1) & mask_;
  slots_[i] = slot;
}

void CustomerTable::Grow() {
  const uint64_t capacity = slots_ == nullptr ? 16 : 2 * (mask_ + 1);
  std::unique_ptr<uint64_t[], PoolDelete> old = std::move(slots_);
  const uint64_t old_capacity = old == nullptr ? 0 : mask_ + 1;
  slots_.reset(static_cast<uint64_t*>(PoolAllocate(capacity * 8)));
  std::fill_n(slots_.get(), capacity, uint64_t{0});  // all empty
  mask_ = capacity - 1;
  for (uint64_t i = 0; i < old_capacity; ++i) {
    if (old[i] != 0) Place(old[i], Hash(Record(old[i])->id));
  }
}

std::pair<const CustomerRecord*, bool> CustomerTable::Insert(
    CustomerRecord&& rec) {
  const uint64_t hash = Hash(rec.id);
  if (const CustomerRecord* found = Find(rec.id, hash); found != nullptr) {
    return {found, false};
  }
  if (slots_ == nullptr || 5 * (size_ + 1) > 4 * (mask_ + 1)) Grow();
  if (chunks_.empty() || last_used_ == chunks_.back().capacity) {
    const size_t capacity =
        chunks_.empty() ? 16 : std::min(2 * chunks_.back().capacity, kMaxChunk);
    void* raw = PoolAllocate(capacity * sizeof(CustomerRecord));
    chunks_.push_back(Chunk{static_cast<CustomerRecord*>(raw), capacity});
    last_used_ = 0;
  }
  CustomerRecord* stored =
      new (&chunks_.back().data[last_used_]) CustomerRecord(std::move(rec));
  ++last_used_;
  const uintptr_t address = reinterpret_cast<uintptr_t>(stored);
  // User-space addresses are below 2^47 (x86-64) or 2^52 (AArch64 with
  // large VAs), well within the 54 bits a slot can hold.
  if ((address >> 54) != 0) {
    std::fprintf(stderr, "standing: record address %p out of range\n",
                 static_cast<void*>(stored));
    std::abort();
  }
  Place(((hash >> 48) << 48) | (address >> 6), hash);
  ++size_;
  return {stored, true};
}

}  // namespace standing
