// UninitialisedBuffer: a heap array of the requested size that owns its memory and moves without copying.
#include "rankme/numerics/uninitialised_buffer.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <utility>

namespace rankme {
namespace {

TEST(UninitialisedBuffer, DefaultAndZeroSizedAreEmptyWithNoMemory) {
  const UninitialisedBuffer<double> none;
  EXPECT_TRUE(none.empty());
  EXPECT_EQ(none.size(), 0u);
  EXPECT_EQ(none.data(), nullptr);
  const UninitialisedBuffer<float> zero(0);
  EXPECT_TRUE(zero.empty());
  EXPECT_EQ(zero.data(), nullptr);
}

TEST(UninitialisedBuffer, HoldsSizeElementsThatKeepWhatIsWritten) {
  UninitialisedBuffer<std::uint32_t> buffer(1000);
  ASSERT_FALSE(buffer.empty());
  ASSERT_EQ(buffer.size(), 1000u);
  ASSERT_NE(buffer.data(), nullptr);
  for (std::uint32_t i = 0; i < 1000; ++i) buffer.data()[i] = i * 7;
  const UninitialisedBuffer<std::uint32_t>& read_only = buffer;
  for (std::uint32_t i = 0; i < 1000; ++i) ASSERT_EQ(read_only.data()[i], i * 7) << i;
}

TEST(UninitialisedBuffer, MovingHandsOverTheMemory) {
  UninitialisedBuffer<double> first(16);
  first.data()[15] = 2.5;
  const double* memory = first.data();
  UninitialisedBuffer<double> second(std::move(first));
  EXPECT_EQ(second.data(), memory);
  EXPECT_EQ(second.data()[15], 2.5);
  UninitialisedBuffer<double> third;
  third = std::move(second);
  EXPECT_EQ(third.data(), memory);
  EXPECT_EQ(third.size(), 16u);
}

}  // namespace
}  // namespace rankme
