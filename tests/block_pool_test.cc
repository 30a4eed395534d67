#include "block_pool.h"

#include <atomic>
#include <cstdint>
#include <cstring>
#include <thread>
#include <vector>

#if defined(__linux__)
#include <sys/wait.h>
#include <unistd.h>
#endif

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "scenario_util.h"
#include "standing/engine.h"

namespace standing {
namespace {

using scenario::Enrol;
using scenario::LoadPolicyFile;
using scenario::Local;
using scenario::NewEvent;
using scenario::Yuan;

uintptr_t Address(const void* p) { return reinterpret_cast<uintptr_t>(p); }

TEST(BlockPool, AlignsBlocksAsPromised) {
  std::vector<void*> blocks;
  for (size_t bytes : {1, 8, 16, 24, 48, 100, 500, 513, 1000, 4000, 4096}) {
    void* p = PoolAllocate(bytes);
    EXPECT_EQ(Address(p) % 16, 0u) << bytes;
    EXPECT_GE(PoolBlockSize(bytes), bytes);
    std::memset(p, 0xAB, bytes);  // all of it is writable
    blocks.push_back(p);
  }
  for (size_t bytes : {64, 128, 192, 320, 640, 1280, 4096, 8192, 100000}) {
    void* p = PoolAllocate(bytes);
    EXPECT_EQ(Address(p) % 64, 0u) << bytes;
    std::memset(p, 0xCD, bytes);
    blocks.push_back(p);
  }
  void* large = PoolAllocate(size_t{3} << 20);
  if (PoolUsesRegions()) {
    EXPECT_EQ(Address(large) % (size_t{2} << 20), 0u);
  }
  std::memset(large, 0xEF, size_t{3} << 20);
  blocks.push_back(large);
  for (void* p : blocks) PoolFree(p);
  PoolFree(nullptr);
}

TEST(BlockPool, SizeClassesRoundUpAFewSteps) {
  EXPECT_EQ(PoolBlockSize(1), 16u);
  EXPECT_EQ(PoolBlockSize(200), 208u);
  EXPECT_EQ(PoolBlockSize(512), 512u);
  EXPECT_EQ(PoolBlockSize(513), 640u);
  EXPECT_EQ(PoolBlockSize(1088), 1280u);
  EXPECT_EQ(PoolBlockSize(4096), 4096u);
  EXPECT_EQ(PoolBlockSize(5000), 5000u);  // from operator new, as asked
}

TEST(BlockPool, ReusesAFreedBlockOfTheSameClass) {
  if (!PoolUsesRegions()) GTEST_SKIP() << "blocks come from operator new";
  void* keep = PoolAllocate(96);  // keeps the region mapped
  void* a = PoolAllocate(96);
  PoolFree(a);
  void* b = PoolAllocate(90);  // same class: 96 bytes
  EXPECT_EQ(a, b);
  PoolFree(b);
  PoolFree(keep);
}

TEST(BlockPool, CountsLiveBytesAndGivesRegionsBack) {
  if (!PoolUsesRegions()) GTEST_SKIP() << "blocks come from operator new";
  void* other = PoolAllocate(48);  // something else stays live
  const PoolStats before = GetPoolStats();
  // A class nothing else in this test uses, so its regions are this
  // test's alone: three regions' worth of 3,584-byte blocks.
  std::vector<void*> blocks(3 * ((size_t{2} << 20) / 3584));
  for (void*& p : blocks) p = PoolAllocate(3584);
  const PoolStats full = GetPoolStats();
  EXPECT_EQ(full.small_live_bytes - before.small_live_bytes,
            blocks.size() * 3584);
  EXPECT_EQ(full.regions - before.regions, 3u);
  for (void* p : blocks) PoolFree(p);
  const PoolStats freed = GetPoolStats();
  EXPECT_EQ(freed.small_live_bytes, before.small_live_bytes);
  // One empty region of the class is kept for the next allocations.
  EXPECT_EQ(freed.regions, before.regions + 1);
  EXPECT_EQ(freed.large_bytes, before.large_bytes);
  // With nothing live (as when the last engine closes), none is kept.
  PoolFree(other);
  const PoolStats empty = GetPoolStats();
  EXPECT_EQ(empty.small_live_bytes, 0u);
  EXPECT_EQ(empty.regions, 0u);
}

TEST(BlockPool, ContainersUseIt) {
  const PoolStats before = GetPoolStats();
  {
    std::vector<int64_t, PoolAllocator<int64_t>> v;
    for (int64_t i = 0; i < 100; ++i) v.push_back(i);
    const PoolStats now = GetPoolStats();
    EXPECT_GE(now.small_live_bytes + now.medium_bytes -
                  (before.small_live_bytes + before.medium_bytes),
              100 * sizeof(int64_t));
    int64_t sum = 0;
    for (int64_t x : v) sum += x;
    EXPECT_EQ(sum, 4950);
  }
  EXPECT_EQ(GetPoolStats().small_live_bytes, before.small_live_bytes);
  EXPECT_EQ(GetPoolStats().medium_bytes, before.medium_bytes);
}

TEST(BlockPool, ThreadsAllocateAndFreeTogether) {
  auto work = [](uint8_t mark) {
    std::vector<uint8_t*> blocks;
    for (int round = 0; round < 20; ++round) {
      for (size_t i = 0; i < 500; ++i) {
        const size_t bytes = 16 + (i * 37) % 3000;
        auto* p = static_cast<uint8_t*>(PoolAllocate(bytes));
        std::memset(p, mark, bytes);
        blocks.push_back(p);
      }
      for (size_t i = 0; i < blocks.size(); ++i) {
        const size_t bytes = 16 + (i * 37) % 3000;
        for (size_t k = 0; k < bytes; k += 97) {
          if (blocks[i][k] != mark) return false;
        }
        PoolFree(blocks[i]);
      }
      blocks.clear();
    }
    return true;
  };
  bool ok1 = false, ok2 = false;
  std::thread t1([&] { ok1 = work(1); });
  std::thread t2([&] { ok2 = work(2); });
  t1.join();
  t2.join();
  EXPECT_TRUE(ok1);
  EXPECT_TRUE(ok2);
}

#if defined(__linux__)
// A fork while another thread allocates: the child can still allocate
// (the pool's lock is held across fork), rather than hang on a lock copied
// in the locked state.
TEST(BlockPool, AChildForkedWhileAnotherThreadAllocatesCanAllocate) {
  std::atomic<bool> stop{false};
  std::thread busy([&stop] {
    while (!stop.load(std::memory_order_relaxed)) {
      void* blocks[64];
      for (void*& p : blocks) p = PoolAllocate(96);
      for (void* p : blocks) PoolFree(p);
    }
  });
  // EXPECT and break, not ASSERT: returning with `busy` unjoined aborts.
  for (int i = 0; i < 50; ++i) {
    const pid_t child = fork();
    if (child < 0) {
      ADD_FAILURE() << "fork failed";
      break;
    }
    if (child == 0) {
      alarm(10);  // a hang ends the child with SIGALRM
      void* p = PoolAllocate(96);
      PoolFree(p);
      _exit(0);
    }
    int status = 0;
    const bool exited =
        waitpid(child, &status, 0) == child && WIFEXITED(status);
    EXPECT_TRUE(exited) << "fork " << i << ": the child hung";
    if (!exited) break;
    EXPECT_EQ(WEXITSTATUS(status), 0);
  }
  stop = true;
  busy.join();
}
#endif

// An engine's customers live in the pool (enough of them for huge pages),
// and destroying the engine gives every block and region back.
TEST(BlockPool, AnEngineGivesEverythingBackWhenDestroyed) {
  auto policy = LoadPolicyFile(std::string(STANDING_SOURCE_DIR) +
                               "/examples/policies/credit.json");
  ASSERT_TRUE(policy.ok()) << policy.status();
  ASSERT_EQ(GetPoolStats().small_live_bytes, 0u) << "nothing else is live";
  {
    auto engine = Engine::Create(*policy);
    ASSERT_TRUE(engine.ok()) << engine.status();
    const int64_t t = Local(2026, 1, 5);
    for (int c = 0; c < 30000; ++c) {
      const std::string id = absl::StrCat("C", c);
      v1::Event invoice = NewEvent(id, t + 3600);
      invoice.mutable_invoice()->set_invoice_id("INV-1");
      invoice.mutable_invoice()->set_amount(Yuan(1000));
      v1::Event payment = NewEvent(id, t + 7200);
      payment.mutable_payment()->set_invoice_id("INV-1");
      payment.mutable_payment()->set_amount(Yuan(400));
      for (const v1::Event& e : {Enrol(id, t), invoice, payment}) {
        const absl::Status s = (*engine)->Apply(e, nullptr);
        ASSERT_TRUE(s.ok()) << id << ": " << s;
      }
    }
    const PoolStats live = GetPoolStats();
    if (PoolUsesRegions()) {
      EXPECT_GE(live.regions, 8u);
      EXPECT_EQ(live.huge_regions, live.regions);
      EXPECT_GT(live.large_bytes, 0u);  // the credit accounts
    }
    // Words, windows, invoices, ...
    EXPECT_GT(live.small_live_bytes + live.medium_bytes, 30000u * 64);
  }
  const PoolStats after = GetPoolStats();
  EXPECT_EQ(after.small_live_bytes, 0u);
  EXPECT_EQ(after.regions, 0u);
  EXPECT_EQ(after.large_bytes, 0u);
  EXPECT_EQ(after.medium_bytes, 0u);
}

}  // namespace
}  // namespace standing
