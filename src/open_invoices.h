// A customer's open invoices, in issue order, with a hash tag of each of
// the first kTagged ids kept beside the vector. Finding an invoice by id
// (the duplicate check of every invoice, the lookup of every payment)
// then reads the tags, which sit in the credit account's own cache line,
// and at most the one invoice whose tag matches, instead of every open
// invoice: at 100,000 customers each of those is a cache miss.
#ifndef STANDING_SRC_OPEN_INVOICES_H_
#define STANDING_SRC_OPEN_INVOICES_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/string_view.h"
#include "block_pool.h"

namespace standing {

// One cache line each: a payment reads its invoice's id and amounts, and
// an invoice writes all of them.
struct alignas(64) OpenInvoice {
  std::string id;
  int64_t amount = 0;
  int64_t open = 0;
  int64_t issued_at = 0;
  int64_t due_at = 0;
};

static_assert(sizeof(OpenInvoice) == 64);

class OpenInvoices {
 public:
  // Four tags cover what B2B customers typically have open (one to three
  // invoices on 30–60 day terms); ids beyond them are compared in full.
  static constexpr size_t kTagged = 4;

  static uint32_t Tag(absl::string_view id);

  size_t size() const { return items_.size(); }
  bool empty() const { return items_.empty(); }
  const OpenInvoice& operator[](size_t i) const { return items_[i]; }
  auto begin() const { return items_.begin(); }
  auto end() const { return items_.end(); }
  // Amounts may change in place; ids must not (their tags would go stale).
  OpenInvoice& mutable_at(size_t i) { return items_[i]; }
  // Where the next Add writes, for cache hints (null: it reallocates).
  const OpenInvoice* next_slot() const {
    return items_.size() < items_.capacity() ? items_.data() + items_.size()
                                             : nullptr;
  }

  // Index of the invoice `id` (tag: Tag(id)), or -1.
  ptrdiff_t Find(absl::string_view id, uint32_t tag) const;
  ptrdiff_t Find(absl::string_view id) const { return Find(id, Tag(id)); }
  // The invoice the tags point `id` at, for cache hints: may be a wrong
  // guess (a tag collision or an id past the tagged ones); null if none.
  const OpenInvoice* Guess(uint32_t tag) const;

  void Add(OpenInvoice invoice);
  void Erase(size_t i);
  // Removes the invoices paid in full (open == 0).
  void EraseSettled();
  void Clear();

 private:
  void Retag(size_t from);

  std::vector<OpenInvoice, PoolAllocator<OpenInvoice>> items_;
  uint32_t tags_[kTagged] = {};
};

}  // namespace standing

#endif  // STANDING_SRC_OPEN_INVOICES_H_
