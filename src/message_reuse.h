// Writing into reused protobuf messages without needless work: results
// that are filled again and again (entitlements, overdue lists) mostly
// repeat the strings already in place, and comparing through the inline
// getter is cheaper than assigning through the out-of-line setter.
#ifndef STANDING_SRC_MESSAGE_REUSE_H_
#define STANDING_SRC_MESSAGE_REUSE_H_

#include <string>
#include <string_view>

#include "short_bytes.h"

namespace standing {

// Equality of short strings without a call: names and tier names are a
// few bytes (short_bytes.h).
inline bool Same(const std::string& a, std::string_view b) {
  return a.size() == b.size() && EqualBytes(a.data(), b.data(), a.size());
}

// Writes `n` bytes into a string field through its mutable pointer: a
// same-length value (ids, names of one length) is copied in place, which
// skips protobuf's out-of-line setter and std::string's _M_replace.
inline void Assign(std::string* to, const char* from, size_t n) {
  if (to->size() != n) {
    to->assign(from, n);
    return;
  }
  CopyBytes(to->data(), from, n);
}

}  // namespace standing

// Sets a string field of a message only when it differs; `value` is a
// std::string or a std::string_view.
#define STANDING_ASSIGN(msg, field, value)                                 \
  do {                                                                     \
    const std::string_view standing_value_(value);                         \
    if (!::standing::Same((msg)->field(), standing_value_)) {              \
      ::standing::Assign((msg)->mutable_##field(), standing_value_.data(), \
                         standing_value_.size());                          \
    }                                                                      \
  } while (false)

#endif  // STANDING_SRC_MESSAGE_REUSE_H_
