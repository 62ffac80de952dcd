// IEEE binary16 conversions, written independently of the product's (rankme/numerics/float16.hpp) so that
// the two can be checked against each other; write_matrix stores float16 data with them.
#pragma once

#include <cstdint>

namespace rankme::testing {

// Round-to-nearest-even straight from double (no double rounding through float), including
// subnormals, overflow to infinity, signed zero, infinities; NaN becomes the quiet NaN 0x7e00 with
// the input's sign.
std::uint16_t float16_bits_from_double(double value);
// Exact.
double double_from_float16_bits(std::uint16_t bits);

}  // namespace rankme::testing
