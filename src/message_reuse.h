// Writing into reused protobuf messages without needless work: results
// that are filled again and again (entitlements, overdue lists) mostly
// repeat the strings already in place, and comparing through the inline
// getter is cheaper than assigning through the out-of-line setter.
#ifndef STANDING_SRC_MESSAGE_REUSE_H_
#define STANDING_SRC_MESSAGE_REUSE_H_

#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

namespace standing {

// Equality of short strings without a call: names and tier names are a
// few bytes, and libc's memcmp behind the PLT costs more than comparing.
inline bool Same(const std::string& a, std::string_view b) {
  size_t n = a.size();
  if (n != b.size()) return false;
  const char* x = a.data();
  const char* y = b.data();
  for (; n >= 8; n -= 8, x += 8, y += 8) {
    uint64_t u;
    uint64_t v;
    std::memcpy(&u, x, 8);
    std::memcpy(&v, y, 8);
    if (u != v) return false;
  }
  for (; n > 0; --n) {
    if (*x++ != *y++) return false;
  }
  return true;
}

// Writes `n` bytes into a string field through its mutable pointer: a
// same-length value (ids, names of one length) is copied in place, which
// skips protobuf's out-of-line setter and std::string's _M_replace.
inline void Assign(std::string* to, const char* from, size_t n) {
  if (to->size() != n) {
    to->assign(from, n);
    return;
  }
  char* d = to->data();
  for (; n >= 8; n -= 8, d += 8, from += 8) std::memcpy(d, from, 8);
  for (; n > 0; --n) *d++ = *from++;
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
