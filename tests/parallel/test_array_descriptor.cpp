// numroc and descinit through their typed wrappers: how a block-cyclic dimension is dealt out, the nine
// fields of a descriptor on a real BLACS grid, and the errors.
#include "rankme/parallel/array_descriptor.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <climits>
#include <cstdint>
#include <stdexcept>
#include <string>

#include "rankme/parallel/communicator.hpp"
#include "rankme/parallel/process_grid.hpp"

namespace rankme {
namespace {

// Rows 0..n-1 in blocks of `block`, block b on process b % processes: how many land on `coordinate`.
blas_int counted_rows(std::uint64_t n, int block, int coordinate, int processes) {
  blas_int count = 0;
  for (std::uint64_t row = 0; row < n; ++row) {
    if (static_cast<int>((row / static_cast<std::uint64_t>(block)) % static_cast<std::uint64_t>(processes)) ==
        coordinate) {
      ++count;
    }
  }
  return count;
}

TEST(ArrayDescriptor, NumrocDealsEveryRowToExactlyOneProcess) {
  for (std::uint64_t n : {0u, 1u, 7u, 64u, 100u, 257u}) {
    for (int block : {1, 3, 8, 64}) {
      for (int processes : {1, 2, 3, 4, 7}) {
        blas_int total = 0;
        for (int coordinate = 0; coordinate < processes; ++coordinate) {
          const blas_int held = numroc(n, block, coordinate, processes);
          EXPECT_EQ(held, counted_rows(n, block, coordinate, processes))
              << n << " " << block << " " << coordinate << "/" << processes;
          total += held;
        }
        EXPECT_EQ(static_cast<std::uint64_t>(total), n);
      }
    }
  }
}

TEST(ArrayDescriptor, AnOrderBeyondLapacksIntIsALengthError) {
  EXPECT_THROW(numroc(std::uint64_t{INT_MAX} + 1, 64, 0, 2), std::length_error);
}

TEST(ArrayDescriptor, DescinitFillsTheNineFieldsOnAGrid) {
  const Communicator world = Communicator::world();
  const std::uint64_t order = 40;
  const GridShape shape = GridShape::for_matrix(order, world.size());
  ProcessGrid grid(world, shape);
  if (!grid.contains_me()) return;
  const blas_int local_rows = numroc(order, shape.block, grid.my_row(), shape.rows);
  const blas_int leading = std::max(local_rows, 1);
  const ArrayDescriptor descriptor =
      descinit(order, 30, shape.block, shape.block, grid.context(), static_cast<std::uint64_t>(leading));
  // DTYPE_ = 1 (dense), CTXT_, M_, N_, MB_, NB_, RSRC_, CSRC_, LLD_.
  const ArrayDescriptor expected = {1, grid.context(), 40, 30, shape.block, shape.block, 0, 0, leading};
  EXPECT_EQ(descriptor, expected);
}

TEST(ArrayDescriptor, ALeadingDimensionBelowTheLocalRowsIsALogicErrorNamingDescinitAndTheArgument) {
  const Communicator world = Communicator::world();
  const std::uint64_t order = 40;
  const GridShape shape = GridShape::for_matrix(order, world.size());
  ProcessGrid grid(world, shape);
  if (!grid.contains_me()) return;
  const blas_int local_rows = numroc(order, shape.block, grid.my_row(), shape.rows);
  ASSERT_GE(local_rows, 2);
  try {
    descinit(order, order, shape.block, shape.block, grid.context(), static_cast<std::uint64_t>(local_rows - 1));
    FAIL() << "no exception";
  } catch (const std::logic_error& error) {
    EXPECT_NE(std::string(error.what()).find("descinit"), std::string::npos) << error.what();
    EXPECT_NE(std::string(error.what()).find("argument 9"), std::string::npos) << error.what();  // LLD
  }
  EXPECT_THROW(descinit(std::uint64_t{INT_MAX} + 1, order, shape.block, shape.block, grid.context(), 1),
               std::length_error);
}

}  // namespace
}  // namespace rankme
