// The BLACS process grid: the most nearly square grid whose blocks still hold enough columns, and the grid
// itself over a communicator at 1-4 ranks (every rank placed row by row, ranks beyond the grid outside).
#include "rankme/parallel/process_grid.hpp"

#include <gtest/gtest.h>
#include <mpi.h>

#include <algorithm>
#include <cstdint>

#include "rankme/parallel/communicator.hpp"
#include "support/mpi_fixtures.hpp"

namespace rankme {
namespace {

using ProcessGridTest = testing::WatchedTest;

void expect_shape(const GridShape& shape, int rows, int cols, int block) {
  EXPECT_EQ(shape.rows, rows);
  EXPECT_EQ(shape.cols, cols);
  EXPECT_EQ(shape.block, block);
}

TEST_F(ProcessGridTest, ShapeIsTheMostNearlySquareGridOfAllRanks) {
  expect_shape(GridShape::for_matrix(1000, 1), 1, 1, 64);
  expect_shape(GridShape::for_matrix(1000, 2), 1, 2, 64);
  expect_shape(GridShape::for_matrix(1000, 3), 1, 3, 64);
  expect_shape(GridShape::for_matrix(1000, 4), 2, 2, 64);
  expect_shape(GridShape::for_matrix(1000, 6), 2, 3, 64);
  expect_shape(GridShape::for_matrix(1000, 0), 1, 1, 64);  // no ranks given: one process
}

TEST_F(ProcessGridTest, BlocksNeverExceedTheOrderOverTheLongerSide) {
  expect_shape(GridShape::for_matrix(20, 4), 2, 2, 10);
  for (const std::uint64_t order : {1, 7, 16, 63, 64, 65, 200, 5000}) {
    for (int ranks = 1; ranks <= 8; ++ranks) {
      const GridShape shape = GridShape::for_matrix(order, ranks);
      EXPECT_LE(shape.rows * shape.cols, ranks);
      EXPECT_LE(shape.rows, shape.cols) << "rows first, the longer side across";
      EXPECT_GE(shape.block, 1);
      EXPECT_LE(shape.block, 64);
      if (shape.rows * shape.cols > 1) {
        EXPECT_LE(static_cast<std::uint64_t>(shape.block), order / static_cast<std::uint64_t>(std::max(shape.rows, shape.cols)))
            << order << " on " << ranks;
      }
    }
  }
}

TEST_F(ProcessGridTest, FewerProcessesWhenBlocksWouldBeTooThin) {
  // Order 12 at 4 ranks: 2x2 leaves 6 columns a block, 1x3 4, 1x2 6, all under 8: one process.
  expect_shape(GridShape::for_matrix(12, 4), 1, 1, 12);
  expect_shape(GridShape::for_matrix(12, 4, 6), 2, 2, 6);
  expect_shape(GridShape::for_matrix(16, 4), 2, 2, 8);
}

TEST_F(ProcessGridTest, EveryRankHasItsPlaceRowByRow) {
  const Communicator world = Communicator::world();
  const GridShape shape = GridShape::for_matrix(1000, world.size());
  ASSERT_EQ(shape.rows * shape.cols, world.size());
  const ProcessGrid grid(world, shape);
  ASSERT_TRUE(grid.contains_me());
  EXPECT_GE(grid.context(), 0);
  EXPECT_EQ(grid.my_row(), world.rank() / shape.cols);
  EXPECT_EQ(grid.my_col(), world.rank() % shape.cols);
  EXPECT_EQ(grid.shape().block, 64);
}

TEST_F(ProcessGridTest, RanksBeyondASmallerGridAreOutsideIt) {
  const Communicator world = Communicator::world();
  const ProcessGrid grid(world, GridShape{1, 1, 8});
  EXPECT_EQ(grid.contains_me(), world.rank() == 0);
  if (world.rank() == 0) {
    EXPECT_EQ(grid.my_row(), 0);
    EXPECT_EQ(grid.my_col(), 0);
  } else {
    EXPECT_EQ(grid.my_row(), -1);
    EXPECT_EQ(grid.my_col(), -1);
  }
}

}  // namespace
}  // namespace rankme
