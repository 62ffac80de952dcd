#include "rankme/numerics/single_precision_block.hpp"

#include <cmath>
#include <cstdlib>

namespace rankme {

namespace {
constexpr int ordinary_float_exponent_limit = 50;
}  // namespace

int float_block_exponent(double max_abs) {
  if (!(max_abs > 0) || std::isinf(max_abs)) return 0;
  const int exponent = std::ilogb(max_abs);
  return std::abs(exponent) <= ordinary_float_exponent_limit ? 0 : exponent + 1;
}

void narrow_to_float(const double* in, std::uint64_t count, int exponent, float* out) {
  if (exponent == 0) {
    for (std::uint64_t i = 0; i < count; ++i) out[i] = static_cast<float>(in[i]);
    return;
  }
  for (std::uint64_t i = 0; i < count; ++i) out[i] = static_cast<float>(std::ldexp(in[i], -exponent));
}

void scale_float_block(float* values, std::uint64_t count, int exponent) {
  if (exponent == 0) return;
  for (std::uint64_t i = 0; i < count; ++i) values[i] = std::ldexp(values[i], -exponent);
}

}  // namespace rankme
