#include "block_pool.h"

#include <iterator>
#include <mutex>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"

#if defined(__linux__)
#include <pthread.h>
#include <sys/mman.h>
#endif

namespace standing {
namespace {

constexpr size_t kRegionBytes = size_t{2} << 20;
constexpr size_t kSmallMax = 4096;
constexpr size_t kFineMax = 512;  // 16-byte steps up to here
// Above 512 bytes, four classes per doubling (internal waste at most a
// quarter, a tenth on average), all multiples of 64 bytes. Fewer classes
// than 64-byte steps keep fewer regions part-used, and a block that grows
// a little (a window region doubling) often still fits its class.
constexpr size_t kCoarse[] = {640,  768,  896,  1024, 1280, 1536,
                              1792, 2048, 2560, 3072, 3584, 4096};
constexpr int kFineClasses = kFineMax / 16;
constexpr int kClasses = kFineClasses + static_cast<int>(std::size(kCoarse));
// 16 MiB of small blocks: about 20,000 customers under a credit policy.
constexpr size_t kHugeAfterRegions = 8;
constexpr std::align_val_t kMediumAlign{64};

// Under AddressSanitizer every block comes from operator new (at its class
// size, so growth in place behaves the same), where the sanitizer sees
// overflows and uses after free that a pool would hide.
#if defined(__SANITIZE_ADDRESS__)
constexpr bool kSanitized = true;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
constexpr bool kSanitized = true;
#else
constexpr bool kSanitized = false;
#endif
#else
constexpr bool kSanitized = false;
#endif

// For 1 <= bytes <= kSmallMax.
int ClassIndex(size_t bytes) {
  if (bytes <= kFineMax) return static_cast<int>((bytes + 15) / 16) - 1;
  int i = 0;
  while (kCoarse[i] < bytes) ++i;
  return kFineClasses + i;
}

size_t ClassSizeOf(int index) {
  return index < kFineClasses ? static_cast<size_t>(index + 1) * 16
                              : kCoarse[index - kFineClasses];
}

struct FreeBlock {
  FreeBlock* next;
};

// A 2 MiB region serving one size class: freed blocks on its own free
// list, never-used space after `cursor`. Keeping free blocks per region
// lets a region whose blocks are all freed go back to the system (blocks
// move up through the classes as windows and invoice lists grow).
struct Region {
  int class_index = 0;
  uint32_t live = 0;
  FreeBlock* free = nullptr;
  std::byte* cursor = nullptr;
  std::byte* end = nullptr;
  bool listed = false;  // in its class's `available` list
  bool has_room() const { return free != nullptr || cursor != end; }
};

class Pool {
 public:
  void* Allocate(size_t bytes) {
    if (bytes > kSmallMax) return AllocateBig(bytes);
    const int index = ClassIndex(bytes == 0 ? 1 : bytes);
    const size_t size = ClassSizeOf(index);
    if (kSanitized) return AllocateBig(size);
    std::lock_guard<std::mutex> lock(mu_);
    std::vector<uintptr_t>& available = available_[index];
    if (available.empty()) MapRegion(index);
    if (available.size() > 1) PutFullestLast(available);
    Region& r = regions_.find(available.back())->second;
    void* block;
    if (r.free != nullptr) {
      block = r.free;
      r.free = r.free->next;
    } else {
      block = r.cursor;
      r.cursor += size;
    }
    if (r.live++ == 0 && spare_[index] == available.back()) spare_[index] = 0;
    if (!r.has_room()) {
      r.listed = false;
      available.pop_back();
    }
    small_live_ += size;
    return block;
  }

  void Free(void* block) {
    if (block == nullptr) return;
    const uintptr_t address = reinterpret_cast<uintptr_t>(block);
    std::unique_lock<std::mutex> lock(mu_);
    const uintptr_t base = address & ~(kRegionBytes - 1);
    if (auto it = regions_.find(base); it != regions_.end()) {
      Region& r = it->second;
      small_live_ -= ClassSizeOf(r.class_index);
      auto* f = static_cast<FreeBlock*>(block);
      f->next = r.free;
      r.free = f;
      if (!r.listed) {
        r.listed = true;
        available_[r.class_index].push_back(base);
      }
      if (--r.live == 0) {
        // One empty region per class stays mapped: a class whose last
        // block comes and goes would otherwise map, fault in and zero
        // 2 MiB each time. With nothing live at all (the last engine
        // closed) every region goes.
        uintptr_t& spare = spare_[r.class_index];
        const uintptr_t drop = spare;
        spare = base;
        if (drop != 0) DropRegion(drop);
        if (small_live_ == 0) {
          for (uintptr_t& each : spare_) {
            if (each != 0) DropRegion(std::exchange(each, 0));
          }
        }
      }
      return;
    }
    if (auto l = large_.find(address); l != large_.end()) {
      const size_t bytes = l->second;
      large_bytes_ -= bytes;
      large_.erase(l);
      lock.unlock();
      Unmap(block, bytes);
      return;
    }
    auto m = medium_.find(address);
    if (m != medium_.end()) {
      medium_bytes_ -= m->second;
      medium_.erase(m);
    }
    lock.unlock();
    ::operator delete(block, kMediumAlign);
  }

  // Around fork (ThePool).
  void Lock() { mu_.lock(); }
  void Unlock() { mu_.unlock(); }

  PoolStats Stats() {
    std::lock_guard<std::mutex> lock(mu_);
    PoolStats s;
    s.regions = regions_.size();
    s.huge_regions = huge_ ? regions_.size() : 0;
    s.small_live_bytes = small_live_;
    s.large_bytes = large_bytes_;
    s.medium_bytes = medium_bytes_;
    return s;
  }

 private:
  void* AllocateBig(size_t bytes) {
    if (bytes < kRegionBytes || kSanitized) {
      void* block = ::operator new(bytes, kMediumAlign);
      std::lock_guard<std::mutex> lock(mu_);
      medium_[reinterpret_cast<uintptr_t>(block)] = bytes;
      medium_bytes_ += bytes;
      return block;
    }
    if (bytes > std::numeric_limits<size_t>::max() - kRegionBytes) {
      throw std::bad_alloc();
    }
    const size_t mapped = (bytes + kRegionBytes - 1) & ~(kRegionBytes - 1);
    std::byte* block = MapAligned(mapped);
    Advise(block, mapped);
    std::lock_guard<std::mutex> lock(mu_);
    large_[reinterpret_cast<uintptr_t>(block)] = mapped;
    large_bytes_ += mapped;
    return block;
  }

  // Called with mu_ held: a new region for the class, made available.
  void MapRegion(int index) {
    std::byte* base = MapAligned(kRegionBytes);
    const size_t size = ClassSizeOf(index);
    Region r;
    r.class_index = index;
    r.cursor = base;
    r.end = base + kRegionBytes / size * size;
    r.listed = true;
    regions_[reinterpret_cast<uintptr_t>(base)] = r;
    available_[index].push_back(reinterpret_cast<uintptr_t>(base));
    if (huge_) {
      Advise(base, kRegionBytes);
    } else if (regions_.size() >= kHugeAfterRegions) {
      // The pool is large enough for huge pages to pay: mark every region
      // (the kernel collapses the earlier ones in the background).
      huge_ = true;
      for (const auto& [address, unused] : regions_) {
        Advise(reinterpret_cast<std::byte*>(address), kRegionBytes);
      }
    }
  }

  // Called with mu_ held. Filling the fullest region first lets the
  // emptiest drain and go back to the system: blocks move up through the
  // classes as windows and invoice lists grow, leaving a few behind.
  void PutFullestLast(std::vector<uintptr_t>& available) {
    size_t best = available.size() - 1;
    uint32_t most = regions_.find(available[best])->second.live;
    for (size_t i = 0; i + 1 < available.size(); ++i) {
      const uint32_t live = regions_.find(available[i])->second.live;
      if (live > most) {
        most = live;
        best = i;
      }
    }
    std::swap(available[best], available.back());
  }

  // Called with mu_ held: unmaps an empty region.
  void DropRegion(uintptr_t base) {
    auto it = regions_.find(base);
    if (it->second.listed) Unlist(it->second.class_index, base);
    regions_.erase(it);
    Unmap(reinterpret_cast<void*>(base), kRegionBytes);
    if (regions_.empty()) huge_ = false;
  }

  // Called with mu_ held.
  void Unlist(int index, uintptr_t base) {
    std::vector<uintptr_t>& available = available_[index];
    for (size_t i = available.size(); i-- > 0;) {
      if (available[i] == base) {
        available[i] = available.back();
        available.pop_back();
        return;
      }
    }
  }

#if defined(__linux__)
  // `bytes` (a multiple of 2 MiB) at a 2 MiB boundary, so that both the
  // region lookup by address mask and huge pages work.
  static std::byte* MapAligned(size_t bytes) {
    const size_t span = bytes + kRegionBytes;
    void* raw = mmap(nullptr, span, PROT_READ | PROT_WRITE,
                     MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (raw == MAP_FAILED) throw std::bad_alloc();
    const uintptr_t start = reinterpret_cast<uintptr_t>(raw);
    const uintptr_t aligned = (start + kRegionBytes - 1) & ~(kRegionBytes - 1);
    if (aligned > start) munmap(raw, aligned - start);
    const uintptr_t tail = start + span - (aligned + bytes);
    if (tail > 0) munmap(reinterpret_cast<void*>(aligned + bytes), tail);
    return reinterpret_cast<std::byte*>(aligned);
  }
  static void Unmap(void* block, size_t bytes) { munmap(block, bytes); }
  static bool Advise(std::byte* block, size_t bytes) {
#if defined(MADV_HUGEPAGE)
    return madvise(block, bytes, MADV_HUGEPAGE) == 0;
#else
    (void)block;
    (void)bytes;
    return false;
#endif
  }
#else
  static std::byte* MapAligned(size_t bytes) {
    return static_cast<std::byte*>(
        ::operator new (bytes, std::align_val_t{kRegionBytes}));
  }
  static void Unmap(void* block, size_t) {
    ::operator delete (block, std::align_val_t{kRegionBytes});
  }
  static bool Advise(std::byte*, size_t) { return false; }
#endif

  std::mutex mu_;
  absl::flat_hash_map<uintptr_t, Region> regions_;  // by base address
  // Per class, the regions with room, the one to allocate from last.
  std::vector<uintptr_t> available_[kClasses];
  bool huge_ = false;               // regions are marked for huge pages
  uintptr_t spare_[kClasses] = {};  // per class, an empty region kept
  absl::flat_hash_map<uintptr_t, size_t> large_;   // block -> mapped bytes
  absl::flat_hash_map<uintptr_t, size_t> medium_;  // block -> bytes
  size_t small_live_ = 0;
  size_t large_bytes_ = 0;
  size_t medium_bytes_ = 0;
};

// Never destroyed: engines held in static objects may free blocks during
// static destruction.
Pool& ThePool() {
  static Pool* pool = [] {
    auto* created = new Pool;
#if defined(__linux__)
    // A fork while another thread holds the lock would leave the child's
    // copy locked for good (Python's multiprocessing forks): hold the lock
    // across fork, as glibc's malloc does with its own.
    pthread_atfork([] { ThePool().Lock(); }, [] { ThePool().Unlock(); },
                   [] { ThePool().Unlock(); });
#endif
    return created;
  }();
  return *pool;
}

// Made when the library loads, before the host is likely to run threads:
// a fork while another thread was still making the pool (and had not yet
// installed the fork handlers) would leave the child waiting for good.
[[maybe_unused]] const bool kPoolMadeAtLoad = (ThePool(), true);

}  // namespace

bool PoolUsesRegions() { return !kSanitized; }

void* PoolAllocate(size_t bytes) { return ThePool().Allocate(bytes); }

void PoolFree(void* block) noexcept { ThePool().Free(block); }

size_t PoolBlockSize(size_t bytes) {
  if (bytes == 0) bytes = 1;
  return bytes <= kSmallMax ? ClassSizeOf(ClassIndex(bytes)) : bytes;
}

PoolStats GetPoolStats() { return ThePool().Stats(); }

}  // namespace standing
