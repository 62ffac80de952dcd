// The float32 block of the mixed-precision route: which power of two keeps a block's squares inside
// float32's range, and the narrowing and scaling by it.
#include "rankme/numerics/single_precision_block.hpp"

#include <gtest/gtest.h>

#include <cfloat>
#include <cmath>
#include <limits>
#include <vector>

namespace rankme {
namespace {

TEST(FloatBlockExponent, OrdinaryDataNeedsNoScaling) {
  for (const double max_abs : {1.0, 0.5, 3.0, 1e6, 1e-6, std::ldexp(1.0, 50), std::ldexp(1.9, 50), std::ldexp(1.0, -50)}) {
    EXPECT_EQ(float_block_exponent(max_abs), 0) << max_abs;
  }
}

TEST(FloatBlockExponent, ZeroNanAndInfinityNeedNoScaling) {
  EXPECT_EQ(float_block_exponent(0.0), 0);
  EXPECT_EQ(float_block_exponent(std::numeric_limits<double>::quiet_NaN()), 0);
  EXPECT_EQ(float_block_exponent(std::numeric_limits<double>::infinity()), 0);
}

TEST(FloatBlockExponent, BeyondTwoToThe50TheScaledMaximumIsAtMostOne) {
  for (const double max_abs : {std::ldexp(1.0, 51), 1e20, 1e300, std::ldexp(1.0, -51), 1e-20, 1e-300, 4.9e-324}) {
    const int exponent = float_block_exponent(max_abs);
    EXPECT_NE(exponent, 0) << max_abs;
    const double scaled = std::ldexp(max_abs, -exponent);
    EXPECT_LE(scaled, 1.0) << max_abs;
    EXPECT_GE(scaled, 0.5) << max_abs << ": the smallest power of two that does, not a larger one";
  }
  EXPECT_EQ(float_block_exponent(std::ldexp(1.0, 51)), 52);
  EXPECT_EQ(float_block_exponent(std::ldexp(1.0, -60)), -59);
}

TEST(NarrowToFloat, WithoutAnExponentItIsThePlainCast) {
  const std::vector<double> in = {1.0, -2.5, 1.0 / 3.0, 1e30};
  std::vector<float> out(in.size());
  narrow_to_float(in.data(), in.size(), 0, out.data());
  for (std::size_t i = 0; i < in.size(); ++i) EXPECT_EQ(out[i], static_cast<float>(in[i])) << i;
}

TEST(NarrowToFloat, ScalesByTwoToTheMinusExponentBeforeRounding) {
  // 1e300 does not fit float32 at all; scaled by its block exponent it does, and scaling back is exact.
  const std::vector<double> in = {1e300, -3e299, 1.0};
  const int exponent = float_block_exponent(1e300);
  std::vector<float> out(in.size());
  narrow_to_float(in.data(), in.size(), exponent, out.data());
  EXPECT_TRUE(std::isfinite(out[0]) && std::isfinite(out[1]));
  EXPECT_NEAR(std::ldexp(static_cast<double>(out[0]), exponent) / 1e300, 1.0, 1e-7);
  EXPECT_NEAR(std::ldexp(static_cast<double>(out[1]), exponent) / -3e299, 1.0, 1e-7);
  EXPECT_EQ(out[2], 0.0f) << "2^-997 underflows float32: far below the block's rounding anyway";
}

TEST(ScaleFloatBlock, ScalesInPlaceExactly) {
  std::vector<float> values = {1.5f, -FLT_MAX, 3.0f};
  scale_float_block(values.data(), values.size(), 0);
  EXPECT_EQ(values, (std::vector<float>{1.5f, -FLT_MAX, 3.0f})) << "exponent 0 leaves the block alone";
  scale_float_block(values.data(), values.size(), 10);
  EXPECT_EQ(values[0], std::ldexp(1.5f, -10));
  EXPECT_EQ(values[1], std::ldexp(-FLT_MAX, -10));
  EXPECT_EQ(values[2], std::ldexp(3.0f, -10));
  scale_float_block(values.data(), values.size(), -10);
  EXPECT_EQ(values, (std::vector<float>{1.5f, -FLT_MAX, 3.0f}));
}

}  // namespace
}  // namespace rankme
