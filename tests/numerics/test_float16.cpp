// float16_to_double: every one of the 65,536 half patterns against the fixture library's own decoder,
// and the values that name the format's corners.
#include "rankme/numerics/float16.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <ios>

#include "support/float16_encoding.hpp"

namespace rankme {
namespace {

TEST(Float16, EveryBitPatternMatchesTheIndependentDecoder) {
  // The fixture library has its own float16 decoder, written separately: all 65,536 patterns agree.
  for (std::uint32_t bits = 0; bits <= 0xffff; ++bits) {
    const double ours = float16_to_double(static_cast<std::uint16_t>(bits));
    const double theirs = testing::double_from_float16_bits(static_cast<std::uint16_t>(bits));
    if (std::isnan(theirs)) {
      EXPECT_TRUE(std::isnan(ours)) << std::hex << bits;
    } else {
      EXPECT_EQ(ours, theirs) << std::hex << bits;
      EXPECT_EQ(std::signbit(ours), std::signbit(theirs)) << std::hex << bits;
    }
  }
}

TEST(Float16, KnownValues) {
  EXPECT_EQ(float16_to_double(0x3c00), 1.0);
  EXPECT_EQ(float16_to_double(0xc000), -2.0);
  EXPECT_EQ(float16_to_double(0x7bff), 65504.0);                  // largest finite
  EXPECT_EQ(float16_to_double(0x0001), std::ldexp(1.0, -24));    // smallest subnormal
  EXPECT_EQ(float16_to_double(0x0400), std::ldexp(1.0, -14));    // smallest normal
  EXPECT_TRUE(std::isinf(float16_to_double(0x7c00)));
  EXPECT_TRUE(std::isinf(float16_to_double(0xfc00)) && float16_to_double(0xfc00) < 0);
  EXPECT_TRUE(std::isnan(float16_to_double(0x7e00)));
  EXPECT_TRUE(std::signbit(float16_to_double(0x8000)) && float16_to_double(0x8000) == 0.0);  // -0
}

}  // namespace
}  // namespace rankme
