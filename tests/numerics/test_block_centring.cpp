#include "rankme/numerics/block_centring.hpp"

#include <gtest/gtest.h>

namespace rankme {
namespace {

TEST(BlockCentring, SubtractsAndReturnsTheColumnMeans) {
  std::vector<double> block = {1, 10, 3, 20, 5, 60};  // 3 rows x 2 columns
  const auto mean = centre_block_on_its_mean(block.data(), 3, 2);
  EXPECT_EQ(mean, (std::vector<double>{3, 30}));
  EXPECT_EQ(block, (std::vector<double>{-2, -20, 0, -10, 2, 30}));
}

TEST(BlockCentring, NoRowsIsZeroMeansAndNothingTouched) {
  EXPECT_EQ(centre_block_on_its_mean(nullptr, 0, 3), (std::vector<double>{0, 0, 0}));
}

}  // namespace
}  // namespace rankme
