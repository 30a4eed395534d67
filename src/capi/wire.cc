#include "capi/wire.h"

#include <climits>

#include "absl/strings/str_cat.h"

namespace standing::capi {
namespace {

bool ReadVarint(const uint8_t*& p, const uint8_t* end, uint64_t* out) {
  uint64_t v = 0;
  for (int shift = 0; shift < 64 && p < end; shift += 7) {
    uint8_t b = *p++;
    v |= uint64_t{b & 0x7Fu} << shift;
    if ((b & 0x80) == 0) {
      *out = v;
      return true;
    }
  }
  return false;
}

}  // namespace

bool ParseEventBatch(const uint8_t* data, size_t len,
                     std::vector<v1::Event>* events, size_t* count,
                     std::string* error) {
  const uint8_t* p = data;
  const uint8_t* end = data + len;
  size_t n = 0;
  auto fail = [&](const char* what) {
    *error =
        absl::StrCat("event batch (", len,
                     " bytes) is not a valid standing.v1.EventBatch: ", what,
                     " at byte ", p - data);
    *count = 0;
    return false;
  };
  while (p < end) {
    uint64_t tag;
    if (!ReadVarint(p, end, &tag)) return fail("truncated tag");
    uint64_t field = tag >> 3;
    if (field == 0 || field > 0x1FFFFFFF) return fail("bad field number");
    uint64_t v;
    switch (tag & 7) {
      case 0:
        if (!ReadVarint(p, end, &v)) return fail("truncated varint");
        break;
      case 1:
        if (end - p < 8) return fail("truncated fixed64");
        p += 8;
        break;
      case 5:
        if (end - p < 4) return fail("truncated fixed32");
        p += 4;
        break;
      case 2: {
        if (!ReadVarint(p, end, &v)) return fail("truncated length");
        if (v > static_cast<uint64_t>(end - p) || v > INT_MAX) {
          return fail("length beyond the end");
        }
        if (field == 1) {
          if (n == events->size()) events->emplace_back();
          if (!(*events)[n].ParseFromArray(p, static_cast<int>(v))) {
            *error =
                absl::StrCat("events[", n, "]: not a valid standing.v1.Event");
            *count = 0;
            return false;
          }
          ++n;
        }
        p += v;
        break;
      }
      default:
        return fail("unsupported wire type");
    }
  }
  *count = n;
  return true;
}

}  // namespace standing::capi
