#include "support/float16_encoding.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

namespace rankme::testing {
namespace {

// Round half to even of a non-negative x below 2^31, independent of the FPU rounding mode.
std::uint32_t round_half_even(double x) {
  const double whole = std::floor(x);
  const double fraction = x - whole;  // exact: x has no bits below those of its fraction
  auto n = static_cast<std::uint32_t>(whole);
  if (fraction > 0.5 || (fraction == 0.5 && (n & 1u) != 0)) ++n;
  return n;
}

}  // namespace

std::uint16_t float16_bits_from_double(double value) {
  const std::uint16_t sign = std::signbit(value) ? 0x8000 : 0x0000;
  if (std::isnan(value)) return sign | 0x7e00;
  const double magnitude = std::fabs(value);
  // 65520 is halfway between the largest half (65504, odd significand) and 2^16: ties go to the
  // even neighbour, 2^16, which overflows. Infinity lands here too.
  if (magnitude >= 65520.0) return sign | 0x7c00;
  if (magnitude == 0.0) return sign;
  // Count in units of the half-precision spacing around `magnitude`: 2^(e-10) for normal halves,
  // and the fixed 2^-24 for subnormals (e clamped to -14). Scaling by a power of two is exact.
  const int exponent = std::max(std::ilogb(magnitude), -14);
  const std::uint32_t units = round_half_even(std::ldexp(magnitude, 10 - exponent));  // <= 2048
  // units in [1024, 2048] carries the implicit bit, so adding it to the biased exponent minus one
  // gives the right encoding even when rounding carries into the next binade; for subnormals
  // (exponent -14, units < 1024) the exponent field stays 0, and units == 1024 is the smallest
  // normal.
  return static_cast<std::uint16_t>(sign |
                                    ((static_cast<std::uint32_t>(exponent + 14) << 10) + units));
}

double double_from_float16_bits(std::uint16_t bits) {
  const bool negative = (bits & 0x8000) != 0;
  const int exponent_field = (bits >> 10) & 0x1f;
  const int mantissa = bits & 0x3ff;
  double magnitude;
  if (exponent_field == 0) {
    magnitude = std::ldexp(mantissa, -24);  // zero or subnormal
  } else if (exponent_field == 0x1f) {
    magnitude = mantissa == 0 ? std::numeric_limits<double>::infinity()
                              : std::numeric_limits<double>::quiet_NaN();
  } else {
    magnitude = std::ldexp(1024 + mantissa, exponent_field - 25);
  }
  return negative ? -magnitude : magnitude;
}

}  // namespace rankme::testing
