#pragma once
// IEEE 754 binary16 (numpy's float16, as h5py stores it), widened exactly to double.
#include <cmath>
#include <cstdint>
#include <limits>

namespace rankme {

// Every half value is exactly representable in double, so this conversion loses nothing.
inline double float16_to_double(std::uint16_t bits) {
  const bool negative = (bits & 0x8000u) != 0;
  const int exponent = (bits >> 10) & 0x1f;
  const int mantissa = bits & 0x3ff;
  double magnitude;
  if (exponent == 0) {
    magnitude = std::ldexp(static_cast<double>(mantissa), -24);  // zero and subnormals: m * 2^-24
  } else if (exponent == 0x1f) {
    magnitude = mantissa == 0 ? std::numeric_limits<double>::infinity()
                              : std::numeric_limits<double>::quiet_NaN();
  } else {
    magnitude = std::ldexp(static_cast<double>(mantissa | 0x400), exponent - 25);  // 1.m * 2^(e-15)
  }
  return negative ? -magnitude : magnitude;
}

}  // namespace rankme
