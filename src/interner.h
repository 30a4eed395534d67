// Interns text attribute values so each customer stores an 8-byte id, and
// compiled conditions compare ids instead of strings.
#ifndef STANDING_SRC_INTERNER_H_
#define STANDING_SRC_INTERNER_H_

#include <cstdint>
#include <deque>
#include <string>
#include <string_view>

#include "absl/container/flat_hash_map.h"

namespace standing {

class Interner {
 public:
  // Ids start at 1; 0 never names a value.
  int64_t Intern(std::string_view text) {
    auto it = ids_.find(text);
    if (it != ids_.end()) return it->second;
    texts_.emplace_back(text);
    const int64_t id = static_cast<int64_t>(texts_.size());
    ids_.emplace(texts_.back(), id);
    return id;
  }
  // 0 when the text was never interned (so it matches no stored value).
  int64_t Find(std::string_view text) const {
    auto it = ids_.find(text);
    return it == ids_.end() ? 0 : it->second;
  }
  std::string_view Text(int64_t id) const {
    return id >= 1 && id <= static_cast<int64_t>(texts_.size())
               ? std::string_view(texts_[id - 1])
               : std::string_view();
  }

 private:
  std::deque<std::string> texts_;  // stable addresses for the map's keys
  absl::flat_hash_map<std::string_view, int64_t> ids_;
};

}  // namespace standing

#endif  // STANDING_SRC_INTERNER_H_
