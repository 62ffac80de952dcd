#include "rankme/numerics/row_shard.hpp"

#include <gtest/gtest.h>

namespace rankme {
namespace {

TEST(RowShard, CoversAllRowsContiguouslyWithExtrasOnTheFirstRanks) {
  for (std::uint64_t rows : {0ull, 1ull, 2ull, 3ull, 7ull, 10ull, 1001ull}) {
    for (int ranks = 1; ranks <= 6; ++ranks) {
      std::uint64_t next = 0;
      for (int rank = 0; rank < ranks; ++rank) {
        const RowShard shard = RowShard::of_rank(rows, rank, ranks);
        EXPECT_EQ(shard.begin, next) << rows << " rows, rank " << rank << "/" << ranks;
        const std::uint64_t expected = rows / ranks + (static_cast<std::uint64_t>(rank) < rows % ranks ? 1 : 0);
        EXPECT_EQ(shard.count, expected);
        next += shard.count;
      }
      EXPECT_EQ(next, rows);
    }
  }
}

TEST(RowShard, RanksBeyondTheRowsGetNone) {
  const RowShard shard = RowShard::of_rank(2, 3, 4);
  EXPECT_EQ(shard.count, 0u);
  EXPECT_EQ(shard.begin, 2u);
}

TEST(RowShard, BlockCountIsTheLargestShardsAndTheSameForAll) {
  EXPECT_EQ(block_count(10, 3, 2), 2u);   // shards 4,3,3 -> 2 blocks of 2
  EXPECT_EQ(block_count(10, 3, 4), 1u);
  EXPECT_EQ(block_count(0, 3, 4), 0u);
  EXPECT_EQ(block_count(2, 4, 1), 1u);
  EXPECT_THROW(block_count(10, 3, 0), std::invalid_argument);
  // A block larger than any shard is one block, even at the top of the range (no wrap-around to 0).
  EXPECT_EQ(block_count(10, 1, ~std::uint64_t{0}), 1u);
  EXPECT_EQ(block_count(10, 1, ~std::uint64_t{0} - 5), 1u);
  EXPECT_THROW(RowShard::of_rank(10, 3, 3), std::invalid_argument);
}

}  // namespace
}  // namespace rankme
