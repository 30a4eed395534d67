// Comparing and copying short byte strings (ids, names: a few bytes) in
// place: libc's memcmp/memcpy behind the PLT cost more than the work, and
// a byte loop costs a compare and a branch per byte. Strings of 4 bytes or
// more are read as two or more words, the last one overlapping the one
// before, so no length needs a byte loop.
#ifndef STANDING_SRC_SHORT_BYTES_H_
#define STANDING_SRC_SHORT_BYTES_H_

#include <cstddef>
#include <cstdint>
#include <cstring>

namespace standing {
namespace short_bytes {

inline uint64_t Load64(const char* p) {
  uint64_t v;
  std::memcpy(&v, p, 8);
  return v;
}
inline uint32_t Load32(const char* p) {
  uint32_t v;
  std::memcpy(&v, p, 4);
  return v;
}

}  // namespace short_bytes

inline bool EqualBytes(const char* x, const char* y, size_t n) {
  using short_bytes::Load32;
  using short_bytes::Load64;
  for (; n > 16; n -= 8, x += 8, y += 8) {
    if (Load64(x) != Load64(y)) return false;
  }
  if (n >= 8) {
    return ((Load64(x) ^ Load64(y)) |
            (Load64(x + n - 8) ^ Load64(y + n - 8))) == 0;
  }
  if (n >= 4) {
    return ((Load32(x) ^ Load32(y)) |
            (Load32(x + n - 4) ^ Load32(y + n - 4))) == 0;
  }
  if (n == 0) return true;
  // 1 to 3 bytes: the first, the middle and the last cover them all.
  return x[0] == y[0] && x[n / 2] == y[n / 2] && x[n - 1] == y[n - 1];
}

// Copies `n` bytes between non-overlapping buffers.
inline void CopyBytes(char* d, const char* s, size_t n) {
  using short_bytes::Load32;
  using short_bytes::Load64;
  if (n >= 8) {
    // Load the last word first: stores of the loop cannot change it.
    const uint64_t last = Load64(s + n - 8);
    for (size_t i = 0; i + 8 < n; i += 8) {
      const uint64_t w = Load64(s + i);
      std::memcpy(d + i, &w, 8);
    }
    std::memcpy(d + n - 8, &last, 8);
    return;
  }
  if (n >= 4) {
    const uint32_t first = Load32(s);
    const uint32_t last = Load32(s + n - 4);
    std::memcpy(d, &first, 4);
    std::memcpy(d + n - 4, &last, 4);
    return;
  }
  for (; n > 0; --n) *d++ = *s++;
}

}  // namespace standing

#endif  // STANDING_SRC_SHORT_BYTES_H_
