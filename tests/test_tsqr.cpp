#include "rankme/tsqr.hpp"

#include <gtest/gtest.h>
#include <mpi.h>

#include <cmath>

#include "rankme/row_shard.hpp"
#include "support/hdf5_fixtures.hpp"
#include "support/mpi_fixtures.hpp"

namespace rankme {
namespace {

using Tsqr = testing::WatchedTest;

// A row-major matrix with singular values 10^(-12 k / (n - 1)): the Gram route cannot see the tail.
std::vector<double> steep_matrix(std::uint64_t rows, std::uint64_t cols, std::vector<double>& spectrum) {
  const std::uint64_t m = std::min(rows, cols);
  spectrum.resize(m);
  for (std::uint64_t k = 0; k < m; ++k) spectrum[k] = std::pow(10.0, -12.0 * static_cast<double>(k) / static_cast<double>(std::max<std::uint64_t>(m - 1, 1)));
  return testing::matrix_with_singular_values(rows, cols, spectrum, 17);
}

// Feeds this rank's shard in blocks, reduces to rank 0, and checks every singular value there against the
// float64 reference to `relative` of s_1 (absolute accuracy of a backward-stable method).
void expect_tsqr_matches(std::uint64_t rows, std::uint64_t cols, std::uint64_t block_rows) {
  const Communicator comm = Communicator::world();
  std::vector<double> spectrum;
  const auto z = steep_matrix(rows, cols, spectrum);
  const auto reference = testing::reference_singular_values(z, rows, cols);
  const RowShard shard = RowShard::of_rank(rows, comm.rank(), comm.size());
  TsqrAccumulator tsqr(cols);
  for (std::uint64_t first = 0; first < shard.count; first += block_rows) {
    const std::uint64_t count = std::min(block_rows, shard.count - first);
    tsqr.add_block(z.data() + (shard.begin + first) * cols, count);
  }
  EXPECT_EQ(tsqr.r_rows(), std::min(shard.count, cols));
  reduce_factors_to_root(comm, tsqr);
  if (!comm.is_root()) return;
  const auto s = singular_values_of_factor(tsqr);
  ASSERT_EQ(s.size(), reference.size());
  for (std::size_t k = 0; k < s.size(); ++k) {
    EXPECT_NEAR(s[k], reference[k], 1e-13 * reference[0]) << "k " << k << " of " << rows << "x" << cols << ", blocks " << block_rows;
  }
  // The tail at 1e-12 s_1 is resolved to a few percent, where the Gram route sees only noise (1e-7 s_1).
  EXPECT_NEAR(s.back() / reference.back(), 1.0, 0.05);
}

TEST_F(Tsqr, SingularValuesOfTallWideAndTinyMatricesInAnyBlocks) {
  for (std::uint64_t block_rows : {std::uint64_t{1}, std::uint64_t{7}, std::uint64_t{1000}}) {
    expect_tsqr_matches(120, 30, block_rows);  // tall
  }
  expect_tsqr_matches(12, 30, 5);  // wide: fewer rows than columns (some ranks hold only a few)
  expect_tsqr_matches(3, 5, 1);    // ranks without rows at 4 ranks
}

TEST_F(Tsqr, RanksWithoutRowsSendAnEmptyFactor) {
  const Communicator comm = Communicator::world();
  TsqrAccumulator tsqr(4);
  if (comm.is_root()) {
    const std::vector<double> row = {3.0, 0.0, 0.0, 4.0};  // one row: its only singular value is 5
    tsqr.add_block(row.data(), 1);
  }
  reduce_factors_to_root(comm, tsqr);
  if (comm.is_root()) {
    const auto s = singular_values_of_factor(tsqr);
    ASSERT_EQ(s.size(), 1u);
    EXPECT_NEAR(s[0], 5.0, 1e-14);
  }
}

}  // namespace
}  // namespace rankme
