// OpenInvoices keeps id tags for its first invoices; finding by id must
// agree with a plain scan however invoices come and go.
#include "open_invoices.h"

#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

namespace standing {
namespace {

ptrdiff_t Scan(const std::vector<OpenInvoice>& items, const std::string& id) {
  for (size_t i = 0; i < items.size(); ++i) {
    if (items[i].id == id) return static_cast<ptrdiff_t>(i);
  }
  return -1;
}

OpenInvoice Invoice(const std::string& id, int64_t amount) {
  return OpenInvoice{id, amount, amount, 0, 0};
}

TEST(OpenInvoices, FindsEveryIdAfterErasesInTheMiddle) {
  OpenInvoices invoices;
  for (int i = 0; i < 7; ++i) {
    invoices.Add(Invoice("INV-" + std::to_string(i), 100 + i));
  }
  invoices.Erase(1);  // shifts tagged and untagged invoices down
  EXPECT_EQ(invoices.Find("INV-1"), -1);
  for (int i : {0, 2, 3, 4, 5, 6}) {
    const ptrdiff_t at = invoices.Find("INV-" + std::to_string(i));
    ASSERT_GE(at, 0) << i;
    EXPECT_EQ(invoices[static_cast<size_t>(at)].amount, 100 + i);
  }
  invoices.mutable_at(0).open = 0;
  invoices.mutable_at(4).open = 0;  // INV-5
  invoices.EraseSettled();
  EXPECT_EQ(invoices.size(), 4u);
  EXPECT_EQ(invoices.Find("INV-0"), -1);
  EXPECT_EQ(invoices.Find("INV-5"), -1);
  EXPECT_EQ(invoices.Find("INV-6"), 3);
}

TEST(OpenInvoices, RandomAddsAndErasesAgreeWithAScan) {
  std::mt19937 rng(7);
  OpenInvoices invoices;
  std::vector<OpenInvoice> reference;
  int next_id = 0;
  for (int step = 0; step < 20000; ++step) {
    const int op = static_cast<int>(rng() % 10);
    if (op < 5 || reference.empty()) {
      if (reference.size() >= 12) continue;
      // Short ids (inline strings) and long ones (heap strings).
      const std::string id = (rng() % 2 ? "I" : "INVOICE-2026-LONG-ID-") +
                             std::to_string(next_id++);
      invoices.Add(Invoice(id, step + 1));
      reference.push_back(Invoice(id, step + 1));
    } else if (op < 8) {
      const size_t i = rng() % reference.size();
      invoices.Erase(i);
      reference.erase(reference.begin() + static_cast<ptrdiff_t>(i));
    } else {
      for (size_t i = 0; i < reference.size(); ++i) {
        if (rng() % 3 == 0) {
          invoices.mutable_at(i).open = 0;
          reference[i].open = 0;
        }
      }
      invoices.EraseSettled();
      std::erase_if(reference,
                    [](const OpenInvoice& inv) { return inv.open == 0; });
    }
    ASSERT_EQ(invoices.size(), reference.size());
    for (int probe = std::max(0, next_id - 30); probe < next_id; ++probe) {
      for (const char* prefix : {"I", "INVOICE-2026-LONG-ID-"}) {
        const std::string id = prefix + std::to_string(probe);
        ASSERT_EQ(invoices.Find(id), Scan(reference, id))
            << "step " << step << " id " << id;
      }
    }
  }
}

TEST(OpenInvoices, GuessPointsAtTheTaggedInvoice) {
  OpenInvoices invoices;
  EXPECT_EQ(invoices.Guess(OpenInvoices::Tag("A")), nullptr);
  invoices.Add(Invoice("A", 1));
  invoices.Add(Invoice("B", 2));
  EXPECT_EQ(invoices.Guess(OpenInvoices::Tag("B")), &invoices[1]);
}

}  // namespace
}  // namespace standing
