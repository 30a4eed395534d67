#include "open_invoices.h"

#include <algorithm>
#include <cstring>

namespace standing {

namespace {

uint64_t Load(const char* p, size_t n) {  // n <= 8
  uint64_t w = 0;
  std::memcpy(&w, p, n);
  return w;
}

uint64_t Mix(uint64_t h, uint64_t w) {
  h = (h ^ w) * 0xbf58476d1ce4e5b9ULL;
  return h ^ (h >> 31);
}

}  // namespace

// Invoice ids are short; a word-at-a-time mix costs a fraction of
// absl::Hash, and a tag only has to make false matches rare.
uint32_t OpenInvoices::Tag(absl::string_view id) {
  const char* p = id.data();
  const size_t n = id.size();
  uint64_t h = 0x9e3779b97f4a7c15ULL * (n + 1);
  size_t i = 0;
  for (; i + 8 <= n; i += 8) h = Mix(h, Load(p + i, 8));
  if (i < n) {
    // The last 8 bytes, overlapping the words before when there are any.
    h = n >= 8 ? Mix(h, Load(p + n - 8, 8)) : Mix(h, Load(p, n));
  }
  return static_cast<uint32_t>(h ^ (h >> 32));
}

ptrdiff_t OpenInvoices::Find(absl::string_view id, uint32_t tag) const {
  const size_t n = items_.size();
  const size_t tagged = std::min(n, kTagged);
  for (size_t i = 0; i < tagged; ++i) {
    if (tags_[i] == tag && items_[i].id == id) {
      return static_cast<ptrdiff_t>(i);
    }
  }
  for (size_t i = tagged; i < n; ++i) {
    if (items_[i].id == id) return static_cast<ptrdiff_t>(i);
  }
  return -1;
}

const OpenInvoice* OpenInvoices::Guess(uint32_t tag) const {
  const size_t tagged = std::min(items_.size(), kTagged);
  for (size_t i = 0; i < tagged; ++i) {
    if (tags_[i] == tag) return &items_[i];
  }
  return items_.size() > kTagged ? &items_[kTagged] : nullptr;
}

void OpenInvoices::Add(OpenInvoice invoice) {
  if (items_.size() < kTagged) tags_[items_.size()] = Tag(invoice.id);
  items_.push_back(std::move(invoice));
}

void OpenInvoices::Erase(size_t i) {
  items_.erase(items_.begin() + static_cast<ptrdiff_t>(i));
  Retag(i);
}

void OpenInvoices::EraseSettled() {
  const auto settled = [](const OpenInvoice& inv) { return inv.open == 0; };
  const auto first = std::find_if(items_.begin(), items_.end(), settled);
  if (first == items_.end()) return;
  const auto from = static_cast<size_t>(first - items_.begin());
  items_.erase(std::remove_if(first, items_.end(), settled), items_.end());
  Retag(from);
}

void OpenInvoices::Clear() { items_.clear(); }

void OpenInvoices::Retag(size_t from) {
  for (size_t i = from; i < std::min(items_.size(), kTagged); ++i) {
    tags_[i] = Tag(items_[i].id);
  }
}

}  // namespace standing
