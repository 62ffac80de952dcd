#include "rankme/parallel/tsqr.hpp"

#include <gtest/gtest.h>
#include <mpi.h>

#include <cmath>
#include <cstring>
#include <stdexcept>
#include <string>

#include "rankme/numerics/row_shard.hpp"
#include "support/lapack_reference.hpp"
#include "support/mpi_fixtures.hpp"

namespace rankme {
namespace {

using Tsqr = testing::WatchedTest;

// A row-major matrix with singular values 10^(-12 k / (n - 1)): the Gram route cannot see the tail.
std::vector<double> steep_matrix(std::uint64_t rows, std::uint64_t cols, std::vector<double>& spectrum) {
  spectrum = testing::log_spaced_spectrum(std::min(rows, cols), -12);
  return testing::matrix_with_singular_values(rows, cols, spectrum, 17);
}

// The row-major `z` with every column's mean (summed in long double) taken out: the reference for --center.
std::vector<double> centred_columns(const std::vector<double>& z, std::uint64_t rows, std::uint64_t cols) {
  std::vector<double> centred = z;
  for (std::uint64_t c = 0; c < cols; ++c) {
    long double mean = 0;
    for (std::uint64_t r = 0; r < rows; ++r) mean += z[r * cols + c];
    mean /= rows;
    for (std::uint64_t r = 0; r < rows; ++r) centred[r * cols + c] = static_cast<double>(z[r * cols + c] - mean);
  }
  return centred;
}

// Feeds this rank's share of the row-major `z` in blocks of `block_rows` (the shard's remainder in a
// shorter last block) to `tsqr`, and reduces to rank 0.
void feed_and_reduce(const Communicator& comm, const std::vector<double>& z, std::uint64_t rows,
                     std::uint64_t block_rows, TsqrAccumulator& tsqr) {
  const std::uint64_t cols = tsqr.cols();
  const RowShard shard = RowShard::of_rank(rows, comm.rank(), comm.size());
  for (std::uint64_t first = 0; first < shard.count; first += block_rows) {
    const std::uint64_t count = std::min(block_rows, shard.count - first);
    std::vector<double> block(z.begin() + static_cast<std::ptrdiff_t>((shard.begin + first) * cols),
                              z.begin() + static_cast<std::ptrdiff_t>((shard.begin + first + count) * cols));
    tsqr.add_block(block.data(), count);
  }
  reduce_factors_to_root(comm, tsqr);
}

// Feeds this rank's shard in blocks, reduces to rank 0, and checks every singular value there against the
// float64 reference to `relative` of s_1 (absolute accuracy of a backward-stable method).
void expect_tsqr_matches(std::uint64_t rows, std::uint64_t cols, std::uint64_t block_rows, int threads = 1) {
  const Communicator comm = Communicator::world();
  std::vector<double> spectrum;
  const auto z = steep_matrix(rows, cols, spectrum);
  const auto reference = testing::reference_singular_values(z, rows, cols);
  TsqrAccumulator tsqr(cols, /*centre=*/false, threads);
  if (threads == 1) {
    const RowShard shard = RowShard::of_rank(rows, comm.rank(), comm.size());
    for (std::uint64_t first = 0; first < shard.count; first += block_rows) {
      const std::uint64_t count = std::min(block_rows, shard.count - first);
      std::vector<double> block(z.begin() + static_cast<std::ptrdiff_t>((shard.begin + first) * cols),
                                z.begin() + static_cast<std::ptrdiff_t>((shard.begin + first + count) * cols));
      tsqr.add_block(block.data(), count);
    }
    EXPECT_EQ(tsqr.r_rows(), std::min(shard.count, cols));
    reduce_factors_to_root(comm, tsqr);
  } else {
    feed_and_reduce(comm, z, rows, block_rows, tsqr);
  }
  if (!comm.is_root()) return;
  EXPECT_EQ(tsqr.r_rows(), std::min(rows, cols));
  EXPECT_EQ(tsqr.count(), rows);
  const auto s = singular_values_of_factor(tsqr);
  ASSERT_EQ(s.size(), reference.size());
  const std::string what = std::to_string(rows) + "x" + std::to_string(cols) + ", blocks " + std::to_string(block_rows) +
                           ", threads " + std::to_string(threads);
  for (std::size_t k = 0; k < s.size(); ++k) {
    EXPECT_NEAR(s[k], reference[k], 1e-13 * reference[0]) << "k " << k << " of " << what;
  }
  // The tail at 1e-12 s_1 is resolved to a few percent, where the Gram route sees only noise (1e-7 s_1).
  EXPECT_NEAR(s.back() / reference.back(), 1.0, 0.05) << what;
  EXPECT_NEAR(testing::reference_rankme(s) / testing::reference_rankme(reference), 1.0, 1e-13) << what;
}

TEST_F(Tsqr, SingularValuesOfTallWideAndTinyMatricesInAnyBlocks) {
  for (std::uint64_t block_rows : {std::uint64_t{1}, std::uint64_t{7}, std::uint64_t{1000}}) {
    expect_tsqr_matches(120, 30, block_rows);  // tall
  }
  expect_tsqr_matches(12, 30, 5);  // wide: fewer rows than columns (some ranks hold only a few)
  expect_tsqr_matches(3, 5, 1);    // ranks without rows at 4 ranks
}

TEST_F(Tsqr, ThreadsSplitEveryBlockAndTheirFactorsMergeToTheSameSpectrum) {
  // Blocks of one row (a thread without rows), shorter and taller than K, and shares that fill K only
  // after several blocks (the dense QR before the triangle), wide matrices, ranks without rows.
  for (int threads : {2, 3}) {
    for (std::uint64_t block_rows : {std::uint64_t{1}, std::uint64_t{29}, std::uint64_t{31}, std::uint64_t{61},
                                     std::uint64_t{1000}}) {
      expect_tsqr_matches(300, 30, block_rows, threads);
    }
    expect_tsqr_matches(12, 30, 5, threads);
    expect_tsqr_matches(3, 5, 1, threads);
  }
  // K larger than the kernel's panel, and blocks that fill R in one go or over several.
  expect_tsqr_matches(700, 150, 160, 2);
  expect_tsqr_matches(700, 150, 40, 2);
}

TEST_F(Tsqr, ASteepSpectrumKeepsRankMeToRoundingWhateverTheBlocksAndThreads) {
  // Singular values logspaced from 1 to 1e-10 (the collapsed runs RankMe exists to catch): each within
  // 1e-13 s_1 of LAPACK's SVD of the whole matrix, RankMe within 1e-13 relative.
  const Communicator comm = Communicator::world();
  const std::uint64_t rows = 900, cols = 140;
  const std::vector<double> spectrum = testing::log_spaced_spectrum(cols, -10);
  const auto z = testing::matrix_with_singular_values(rows, cols, spectrum, 43);
  const auto reference = testing::reference_singular_values(z, rows, cols);
  for (int threads : {1, 2}) {
    for (std::uint64_t block_rows : {std::uint64_t{33}, std::uint64_t{139}, std::uint64_t{141}, std::uint64_t{500}}) {
      TsqrAccumulator tsqr(cols, false, threads);
      feed_and_reduce(comm, z, rows, block_rows, tsqr);
      if (!comm.is_root()) continue;
      const auto s = singular_values_of_factor(tsqr);
      ASSERT_EQ(s.size(), reference.size());
      for (std::size_t k = 0; k < s.size(); ++k) {
        EXPECT_NEAR(s[k], reference[k], 1e-13 * reference[0]) << "k " << k << ", blocks " << block_rows << ", threads " << threads;
      }
      EXPECT_NEAR(s.back() / spectrum.back(), 1.0, 1e-3) << "blocks " << block_rows << ", threads " << threads;
      EXPECT_NEAR(testing::reference_rankme(s) / testing::reference_rankme(reference), 1.0, 1e-13)
          << "blocks " << block_rows << ", threads " << threads;
    }
  }
}

TEST_F(Tsqr, FromTheTwoStageOrderOnTheSpectrumIsAsAccurate) {
  // K = 600: R's singular values come from the two-stage reduction, not dgesdd (singular_values_of_factor).
  const Communicator comm = Communicator::world();
  const std::uint64_t rows = 700, cols = 600;
  const std::vector<double> spectrum = testing::log_spaced_spectrum(cols, -10);
  const auto z = testing::matrix_with_singular_values(rows, cols, spectrum, 53);
  TsqrAccumulator tsqr(cols, false, 2);
  feed_and_reduce(comm, z, rows, 170, tsqr);
  if (!comm.is_root()) return;
  const auto reference = testing::reference_singular_values(z, rows, cols);
  const auto s = singular_values_of_factor(tsqr);
  ASSERT_EQ(s.size(), reference.size());
  for (std::size_t k = 0; k < s.size(); ++k) EXPECT_NEAR(s[k], reference[k], 1e-13 * reference[0]) << "k " << k;
  EXPECT_NEAR(testing::reference_rankme(s) / testing::reference_rankme(reference), 1.0, 1e-13);
}

TEST_F(Tsqr, ThreadsGiveTheSameBitsEveryTime) {
  // Each thread's share is fixed by the block, so a run is deterministic; a data race between the threads
  // (or inside BLAS called from several of them) would show as runs that differ.
  const std::uint64_t rows = 500, cols = 64;
  const auto z = testing::random_values(rows * cols, 47);
  auto factor_of_run = [&] {
    TsqrAccumulator tsqr(cols, true, 2);
    for (std::uint64_t first = 0; first < rows; first += 100) {
      std::vector<double> block(z.begin() + static_cast<std::ptrdiff_t>(first * cols),
                                z.begin() + static_cast<std::ptrdiff_t>((first + 100) * cols));
      tsqr.add_block(block.data(), 100);
    }
    tsqr.combine_threads();
    return tsqr.factor();
  };
  const std::vector<double> first = factor_of_run();
  for (int run = 0; run < 3; ++run) {
    const std::vector<double> again = factor_of_run();
    ASSERT_EQ(again.size(), first.size());
    EXPECT_EQ(std::memcmp(again.data(), first.data(), first.size() * sizeof(double)), 0) << "run " << run;
  }
}

TEST_F(Tsqr, TheFactorOfUncombinedThreadsIsRefused) {
  TsqrAccumulator tsqr(4, false, 2);
  std::vector<double> rows = {1, 2, 3, 4, 5, 6, 7, 9};
  tsqr.add_block(rows.data(), 2);
  EXPECT_THROW(tsqr.factor(), std::logic_error);
  EXPECT_THROW(tsqr.r_rows(), std::logic_error);
  tsqr.combine_threads();
  EXPECT_EQ(tsqr.r_rows(), 2u);
  EXPECT_EQ(tsqr.count(), 2u);
  EXPECT_THROW(TsqrAccumulator(4, false, 0), std::invalid_argument);
}

TEST_F(Tsqr, RanksWithoutRowsSendAnEmptyFactor) {
  const Communicator comm = Communicator::world();
  TsqrAccumulator tsqr(4);
  if (comm.is_root()) {
    std::vector<double> row = {3.0, 0.0, 0.0, 4.0};  // one row: its only singular value is 5
    tsqr.add_block(row.data(), 1);
  }
  reduce_factors_to_root(comm, tsqr);
  if (comm.is_root()) {
    const auto s = singular_values_of_factor(tsqr);
    ASSERT_EQ(s.size(), 1u);
    EXPECT_NEAR(s[0], 5.0, 1e-14);
  }
}

TEST_F(Tsqr, CentredMatchesTheSvdOfTheExplicitlyCentredMatrixWhateverTheOffset) {
  // Offset 1e6 against a unit spread, rows split over the ranks and into blocks: the Chan-style merge rows
  // must carry the between-means terms exactly, within blocks and up the tree.
  const Communicator comm = Communicator::world();
  const std::uint64_t rows = 90, cols = 12;
  std::vector<double> spectrum(cols);
  for (std::uint64_t k = 0; k < cols; ++k) spectrum[k] = 1.0 / static_cast<double>(k + 1);
  auto z = testing::matrix_with_singular_values(rows, cols, spectrum, 23);
  for (std::uint64_t r = 0; r < rows; ++r) {
    for (std::uint64_t c = 0; c < cols; ++c) z[r * cols + c] = z[r * cols + c] * 10 + 1e6 + 0.01 * static_cast<double>(r);
  }
  const auto reference = testing::reference_singular_values(centred_columns(z, rows, cols), rows, cols);
  for (int threads : {1, 2, 3}) {
    for (std::uint64_t block_rows : {std::uint64_t{1}, std::uint64_t{8}, std::uint64_t{13}, std::uint64_t{1000}}) {
      TsqrAccumulator tsqr(cols, /*centre=*/true, threads);
      feed_and_reduce(comm, z, rows, block_rows, tsqr);
      if (!comm.is_root()) continue;
      EXPECT_EQ(tsqr.count(), rows);
      const auto s = singular_values_of_factor(tsqr);
      ASSERT_EQ(s.size(), reference.size());
      // The data holds 1e6 to about 1e-10: that, not the method, bounds the agreement.
      for (std::size_t k = 0; k < s.size(); ++k) {
        EXPECT_NEAR(s[k], reference[k], 1e-8 * reference[0]) << "k " << k << ", blocks " << block_rows << ", threads " << threads;
      }
    }
  }
}

TEST_F(Tsqr, CentredSteepSpectrumToRoundingAtAnyThreadsAndBlocks) {
  // Singular values 1 to 1e-10 under a column offset of about 3 (a mean, as embeddings have): centred,
  // every singular value within 1e-13 of s_1 of the SVD of the explicitly centred matrix, RankMe within
  // 1e-13 relative.
  const Communicator comm = Communicator::world();
  const std::uint64_t rows = 700, cols = 48;
  const std::vector<double> spectrum = testing::log_spaced_spectrum(cols, -10);
  auto z = testing::matrix_with_singular_values(rows, cols, spectrum, 59);
  for (std::uint64_t r = 0; r < rows; ++r) {
    for (std::uint64_t c = 0; c < cols; ++c) z[r * cols + c] += 3.0 + 0.01 * static_cast<double>(c);
  }
  const auto reference = testing::reference_singular_values(centred_columns(z, rows, cols), rows, cols);
  for (int threads : {1, 2, 3}) {
    for (std::uint64_t block_rows : {std::uint64_t{1}, std::uint64_t{47}, std::uint64_t{49}, std::uint64_t{250}}) {
      TsqrAccumulator tsqr(cols, /*centre=*/true, threads);
      feed_and_reduce(comm, z, rows, block_rows, tsqr);
      if (!comm.is_root()) continue;
      const auto s = singular_values_of_factor(tsqr);
      ASSERT_EQ(s.size(), reference.size());
      for (std::size_t k = 0; k < s.size(); ++k) {
        EXPECT_NEAR(s[k], reference[k], 1e-13 * reference[0]) << "k " << k << ", blocks " << block_rows << ", threads " << threads;
      }
      EXPECT_NEAR(testing::reference_rankme(s) / testing::reference_rankme(reference), 1.0, 1e-13)
          << "blocks " << block_rows << ", threads " << threads;
    }
  }
}

// R (K x K) and the mean travel up the tree through Communicator in chunks; K = 46,341 would pass 2^31
// elements, too much for a test, so the chunk is forced down to 7 instead: the factor that reaches rank 0
// must be bit for bit the one that travels whole.
TEST_F(Tsqr, FactorsTravelInChunksBitForBit) {
  const std::uint64_t rows = 60, cols = 12;  // R: 144 elements, mean: 12, neither a multiple of 7
  std::vector<double> spectrum(cols);
  for (std::uint64_t k = 0; k < cols; ++k) spectrum[k] = 1.0 / static_cast<double>(k + 1);
  auto z = testing::matrix_with_singular_values(rows, cols, spectrum, 29);
  for (double& value : z) value += 3.0;
  auto reduced_in_chunks_of = [&](std::uint64_t chunk) {
    Communicator comm = Communicator::world();
    comm.set_max_chunk_elements(chunk);
    const RowShard shard = RowShard::of_rank(rows, comm.rank(), comm.size());
    std::vector<double> block(z.begin() + static_cast<std::ptrdiff_t>(shard.begin * cols),
                              z.begin() + static_cast<std::ptrdiff_t>((shard.begin + shard.count) * cols));
    TsqrAccumulator tsqr(cols, /*centre=*/true);
    tsqr.add_block(block.data(), shard.count);
    reduce_factors_to_root(comm, tsqr);
    return tsqr;
  };
  const TsqrAccumulator whole = reduced_in_chunks_of(std::uint64_t{1} << 30);
  const TsqrAccumulator chunked = reduced_in_chunks_of(7);
  if (!Communicator::world().is_root()) return;
  EXPECT_EQ(chunked.count(), rows);
  ASSERT_EQ(chunked.r_rows(), whole.r_rows());
  const std::vector<double> chunked_factor = chunked.factor(), whole_factor = whole.factor();
  ASSERT_EQ(chunked_factor.size(), whole_factor.size());
  for (std::size_t i = 0; i < whole_factor.size(); ++i) {
    ASSERT_EQ(std::memcmp(&chunked_factor[i], &whole_factor[i], sizeof(double)), 0) << "element " << i;
  }
  ASSERT_EQ(chunked.mean().size(), cols);
  for (std::size_t i = 0; i < cols; ++i) EXPECT_EQ(chunked.mean()[i], whole.mean()[i]) << "column " << i;
}

}  // namespace
}  // namespace rankme
