// Process-wide storage for the engine's per-customer blocks (state words,
// rolling-window blocks, open invoices) and its large arrays (the id index,
// customer records, credit accounts), in memory the kernel may back with
// 2 MiB pages.
//
// Why: at 100,000 customers one event touches six or seven such blocks,
// each usually a cache miss and a TLB miss, and in a virtual machine
// (nested paging) a TLB miss walks two page tables. The pool helps twice:
// blocks of one kind lie together in allocation (enrolment) order, where
// malloc interleaves them with everything else, so neighbouring customers
// share pages; and its memory is marked MADV_HUGEPAGE, which with
// transparent huge pages in `madvise` mode (Debian's default) gets 2 MiB
// pages. glibc's malloc marks nothing unless GLIBC_TUNABLES asks it to,
// which a library cannot do for its host process. docs/memory.md has the
// measurements and what a host sees.
//
// Blocks of up to 4 KiB come from 2 MiB regions that each serve one size
// class (16-byte steps to 512 bytes, then four classes per doubling); a
// freed block goes on its region's free list, to be reused by the next
// allocation of that class, and a region whose blocks are all freed is
// unmapped (but one per class, kept for reuse, until nothing is live).
// Blocks over 4 KiB and under 2 MiB come from operator new; blocks of
// 2 MiB and more are mappings of their own. Regions are marked for huge
// pages only once the pool holds eight of them, so a process with a few
// thousand customers keeps small pages (its huge pages would be mostly
// empty); large mappings are always marked. All calls are thread-safe and
// fork-safe; they are rare on the event path (a block outgrowing itself).
//
// Where huge pages are unavailable (THP disabled, other systems) the pool
// works the same with small pages. Under AddressSanitizer every block
// comes from operator new, so the sanitizer sees each one.
#ifndef STANDING_SRC_BLOCK_POOL_H_
#define STANDING_SRC_BLOCK_POOL_H_

#include <cstddef>
#include <cstdint>
#include <limits>
#include <new>

namespace standing {

// A block of at least `bytes` bytes: 16-byte aligned, 64-byte aligned when
// `bytes` is a multiple of 64, 2 MiB aligned from 2 MiB up (except under
// AddressSanitizer). Throws std::bad_alloc when memory runs out, like
// operator new.
void* PoolAllocate(size_t bytes);
// What a block PoolAllocate(bytes) gives can hold (its size class), so a
// growing structure can use the slack before it moves.
size_t PoolBlockSize(size_t bytes);
// Frees a block from PoolAllocate (null: nothing).
void PoolFree(void* block) noexcept;

// False under AddressSanitizer, where blocks come from operator new and
// the pool maps no regions.
bool PoolUsesRegions();

struct PoolStats {
  size_t regions = 0;           // 2 MiB regions mapped for small blocks
  size_t huge_regions = 0;      // of those, marked for huge pages
  size_t small_live_bytes = 0;  // in small blocks handed out, by class size
  size_t large_bytes = 0;       // mapped for blocks of 2 MiB and more
  size_t medium_bytes = 0;      // in blocks from operator new (malloc's)
  // What the pool maps beside malloc's heap: regions in full (free blocks
  // in them count, as they do in the resident set once pages are huge)
  // and large blocks.
  size_t mapped_bytes() const {
    return regions * (size_t{2} << 20) + large_bytes;
  }
};
PoolStats GetPoolStats();

struct PoolDelete {
  void operator()(void* block) const noexcept { PoolFree(block); }
};

// For standard containers; stateless, so a container is no larger.
template <class T>
struct PoolAllocator {
  static_assert(alignof(T) <= 64, "the pool aligns blocks to 64 bytes");
  using value_type = T;
  PoolAllocator() = default;
  template <class U>
  PoolAllocator(const PoolAllocator<U>&) noexcept {}  // NOLINT: rebinding
  T* allocate(size_t n) {
    if (n > std::numeric_limits<size_t>::max() / sizeof(T)) {
      throw std::bad_array_new_length();
    }
    return static_cast<T*>(PoolAllocate(n * sizeof(T)));
  }
  void deallocate(T* p, size_t) noexcept { PoolFree(p); }
  friend bool operator==(const PoolAllocator&, const PoolAllocator&) {
    return true;
  }
};

}  // namespace standing

#endif  // STANDING_SRC_BLOCK_POOL_H_
