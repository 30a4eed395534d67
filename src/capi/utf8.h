// UTF-8 validation for identifiers crossing the C ABI.
#ifndef STANDING_CAPI_UTF8_H_
#define STANDING_CAPI_UTF8_H_

#include <cstddef>
#include <cstdint>
#include <cstring>

namespace standing::capi {

// The offset of the first byte that is not part of a well-formed UTF-8
// sequence (RFC 3629: no overlongs, no surrogates, nothing above
// U+10FFFF), or `len` when all of `data` is valid.
inline size_t FirstInvalidUtf8(const char* data, size_t len) {
  const auto* s = reinterpret_cast<const unsigned char*>(data);
  size_t i = 0;
  while (i < len) {
    // ASCII fast path, eight bytes at a time.
    if (i + 8 <= len) {
      uint64_t w;
      std::memcpy(&w, s + i, 8);
      if ((w & 0x8080808080808080ull) == 0) {
        i += 8;
        continue;
      }
    }
    unsigned char c = s[i];
    if (c < 0x80) {
      ++i;
      continue;
    }
    size_t n;
    unsigned char lo = 0x80, hi = 0xBF;  // bounds of the second byte
    if (c >= 0xC2 && c <= 0xDF) {
      n = 2;
    } else if (c >= 0xE0 && c <= 0xEF) {
      n = 3;
      if (c == 0xE0) lo = 0xA0;  // overlong
      if (c == 0xED) hi = 0x9F;  // surrogates
    } else if (c >= 0xF0 && c <= 0xF4) {
      n = 4;
      if (c == 0xF0) lo = 0x90;  // overlong
      if (c == 0xF4) hi = 0x8F;  // above U+10FFFF
    } else {
      return i;
    }
    if (len - i < n) return i;
    if (s[i + 1] < lo || s[i + 1] > hi) return i;
    for (size_t k = 2; k < n; ++k) {
      if ((s[i + k] & 0xC0) != 0x80) return i;
    }
    i += n;
  }
  return len;
}

}  // namespace standing::capi

#endif  // STANDING_CAPI_UTF8_H_
