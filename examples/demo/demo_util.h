// Small helpers the demo's phases share: deterministic random numbers and
// the formatting of counts, money and table cells.
#ifndef STANDING_EXAMPLES_DEMO_DEMO_UTIL_H_
#define STANDING_EXAMPLES_DEMO_DEMO_UTIL_H_

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <string>
#include <string_view>

#include "absl/status/status.h"

namespace standing_demo {

// Deterministic random numbers (see synthetic_population.h: no
// std::*_distribution, whose output differs between standard libraries).
class Random {
 public:
  explicit Random(uint64_t seed) : engine_(seed) {}
  double Uniform() { return static_cast<double>(engine_() >> 11) * 0x1.0p-53; }
  int64_t Between(int64_t lo, int64_t hi) {
    const uint64_t span = static_cast<uint64_t>(hi - lo) + 1;
    return lo + static_cast<int64_t>(engine_() % span);
  }
  bool Chance(double p) { return Uniform() < p; }
  double Exponential(double mean) { return -mean * std::log(1.0 - Uniform()); }
  double LogNormal(double median, double sigma) {
    const double u1 = 1.0 - Uniform();
    const double u2 = Uniform();
    const double z =
        std::sqrt(-2.0 * std::log(u1)) * std::cos(6.283185307179586 * u2);
    return median * std::exp(sigma * z);
  }

 private:
  std::mt19937_64 engine_;
};

[[noreturn]] inline void Fail(std::string_view what,
                              const absl::Status& status) {
  std::fprintf(stderr, "error: %.*s: %s\n", static_cast<int>(what.size()),
               what.data(), status.ToString().c_str());
  std::exit(1);
}

// "+08:00" -> 28800 (0 for anything else).
inline int ParseUtcOffset(std::string_view zone) {
  if (zone.size() != 6 || (zone[0] != '+' && zone[0] != '-') ||
      zone[3] != ':') {
    return 0;
  }
  const int seconds = ((zone[1] - '0') * 10 + (zone[2] - '0')) * 3600 +
                      ((zone[4] - '0') * 10 + (zone[5] - '0')) * 60;
  return zone[0] == '-' ? -seconds : seconds;
}

// 1234567 -> "1,234,567".
inline std::string Grouped(int64_t n) {
  const bool negative = n < 0;
  const std::string digits = std::to_string(negative ? -n : n);
  std::string out;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return negative ? "-" + out : out;
}

// Fen -> "12,345.67" (yuan); "-0.50" keeps its sign.
inline std::string Yuan(int64_t fen) {
  char cents[8];
  std::snprintf(cents, sizeof cents, ".%02d",
                static_cast<int>((fen < 0 ? -fen : fen) % 100));
  const std::string whole = Grouped((fen < 0 ? -fen : fen) / 100);
  return (fen < 0 ? "-" : "") + whole + cents;
}

inline std::string Percent(uint64_t part, uint64_t whole) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%5.1f%%",
                whole == 0 ? 0.0 : 100.0 * part / whole);
  return buf;
}

// `text` padded with spaces to `width` terminal columns (CJK characters
// take two columns, so printf's byte-counted widths would misalign them).
inline std::string Pad(std::string_view text, size_t width) {
  size_t columns = 0;
  for (size_t i = 0; i < text.size();) {
    const unsigned char c = static_cast<unsigned char>(text[i]);
    const size_t length = c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
    uint32_t code = length == 1 ? c : c & (0xFF >> (length + 1));
    for (size_t k = 1; k < length && i + k < text.size(); ++k) {
      code = (code << 6) | (static_cast<unsigned char>(text[i + k]) & 0x3F);
    }
    columns += code >= 0x2E80 && code < 0xFF61 ? 2 : 1;
    i += length;
  }
  std::string out(text);
  if (columns < width) out.append(width - columns, ' ');
  return out;
}

}  // namespace standing_demo

#endif  // STANDING_EXAMPLES_DEMO_DEMO_UTIL_H_
