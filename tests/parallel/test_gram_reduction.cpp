// sum_gram_over_ranks: each rank accumulates the Gram matrix of its own row shard, then the ranks bring
// their accumulators to one power-of-two scale and sum them. Afterwards every rank must hold the Gram
// matrix of the whole matrix, whatever the rank count, the shard sizes (including empty shards) and
// the piece size of the Allreduce.
//
// Every rank builds the same full matrix from the same seed and feeds only its own shard; the
// reference is the naive product over all rows in long double (whose range also holds the squares of
// 1e200, so the scaled cases have an unscaled reference).
#include "rankme/parallel/gram_reduction.hpp"

#include <gtest/gtest.h>
#include <mpi.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "rankme/numerics/gram_accumulator.hpp"
#include "rankme/numerics/row_shard.hpp"
#include "rankme/parallel/communicator.hpp"

namespace rankme {
namespace {

std::vector<double> random_matrix(std::uint64_t rows, std::uint64_t cols, std::uint64_t seed) {
  std::mt19937_64 generator(seed);
  std::normal_distribution<double> normal;
  std::vector<double> values(static_cast<std::size_t>(rows * cols));
  for (double& v : values) v = normal(generator);
  return values;
}

// Z^T Z over all rows, in long double, full (both triangles), column-major.
std::vector<long double> naive_gram(const std::vector<double>& z, std::uint64_t rows, std::uint64_t cols) {
  std::vector<long double> gram(static_cast<std::size_t>(cols * cols), 0.0L);
  for (std::uint64_t j = 0; j < cols; ++j) {
    for (std::uint64_t i = 0; i < cols; ++i) {
      long double sum = 0;
      for (std::uint64_t r = 0; r < rows; ++r) {
        sum += static_cast<long double>(z[r * cols + i]) * static_cast<long double>(z[r * cols + j]);
      }
      gram[i + j * cols] = sum;
    }
  }
  return gram;
}

// Feeds this rank's shard of `z` to `gram` in blocks of `block_rows`, with the statistics the reader
// would compute (largest finite |value|).
void accumulate_my_shard(const Communicator& comm, const std::vector<double>& z, std::uint64_t rows,
                         std::uint64_t cols, std::uint64_t block_rows, GramAccumulator& gram) {
  const RowShard shard = RowShard::of_rank(rows, comm.rank(), comm.size());
  for (std::uint64_t first = 0; first < shard.count; first += block_rows) {
    const std::uint64_t count = std::min(block_rows, shard.count - first);
    const auto begin = z.begin() + static_cast<std::ptrdiff_t>((shard.begin + first) * cols);
    std::vector<double> block(begin, begin + static_cast<std::ptrdiff_t>(count * cols));
    BlockStatistics stats;
    for (double v : block) stats.max_abs = std::max(stats.max_abs, std::fabs(v));
    gram.add_block(block.data(), count, stats);
  }
}

// Checks the reduced accumulator against the reference: the lower triangle, once the power-of-two
// scale is undone, to `relative` of the Cauchy-Schwarz bound sqrt(G_ii G_jj) (which bounds every
// |z_ri z_rj| sum, so also the rounding); the upper triangle must be exactly zero (never written, and
// cleared again after the packed reduction moved values through it).
void expect_matches_reference(const GramAccumulator& gram, const std::vector<long double>& reference,
                              double relative) {
  const std::uint64_t cols = gram.cols();
  ASSERT_EQ(gram.matrix().size(), cols * cols);
  int mismatches = 0;
  for (std::uint64_t j = 0; j < cols; ++j) {
    for (std::uint64_t i = 0; i < cols; ++i) {
      const double held = gram.matrix()[i + j * cols];
      if (i < j) {
        if (held != 0.0 && ++mismatches <= 5) ADD_FAILURE() << "upper triangle (" << i << "," << j << ") = " << held;
        continue;
      }
      if (!std::isfinite(held)) {
        if (++mismatches <= 5) ADD_FAILURE() << "entry (" << i << "," << j << ") is not finite: " << held;
        continue;
      }
      const long double unscaled = std::ldexp(static_cast<long double>(held), 2 * gram.scale_exponent());
      const long double expected = reference[i + j * cols];
      const long double bound = std::sqrt(reference[i + i * cols] * reference[j + j * cols]);
      const long double error = std::fabs(unscaled - expected);
      if (error > relative * bound && ++mismatches <= 5) {
        ADD_FAILURE() << "entry (" << i << "," << j << "): got " << static_cast<double>(unscaled) << ", expected "
                      << static_cast<double>(expected) << " (error " << static_cast<double>(error / bound)
                      << " of the bound)";
      }
    }
  }
  EXPECT_EQ(mismatches, 0);
}

// The smallest and largest value of `value` over all ranks (raw MPI).
std::pair<int, int> min_max_over_ranks(int value) {
  int low = 0, high = 0;
  MPI_Allreduce(&value, &low, 1, MPI_INT, MPI_MIN, MPI_COMM_WORLD);
  MPI_Allreduce(&value, &high, 1, MPI_INT, MPI_MAX, MPI_COMM_WORLD);
  return {low, high};
}

TEST(GramReduction, EveryRankHoldsTheWholeGramMatrix) {
  const Communicator comm = Communicator::world();
  const std::uint64_t rows = 37, cols = 11;  // 37 rows: shards of 37/P differ in size at 2, 3 and 4 ranks
  const auto z = random_matrix(rows, cols, 7);
  const auto reference = naive_gram(z, rows, cols);
  for (std::uint64_t block_rows : {std::uint64_t{1}, std::uint64_t{4}, std::uint64_t{100}}) {
    SCOPED_TRACE("block_rows " + std::to_string(block_rows));
    GramAccumulator gram(cols);
    accumulate_my_shard(comm, z, rows, cols, block_rows, gram);
    sum_gram_over_ranks(comm, gram);
    EXPECT_EQ(gram.scale_exponent(), 0);  // ordinary data is never scaled
    expect_matches_reference(gram, reference, 1e-12);
  }
}

TEST(GramReduction, SmallAllreducePiecesGiveTheSameSum) {
  const Communicator comm = Communicator::world();
  const std::uint64_t rows = 29, cols = 9;  // 81 elements: pieces of 5 leave a last piece of 1
  const auto z = random_matrix(rows, cols, 11);
  const auto reference = naive_gram(z, rows, cols);
  for (std::uint64_t piece : {std::uint64_t{1}, std::uint64_t{5}, std::uint64_t{80}, std::uint64_t{81},
                              std::uint64_t{82}}) {
    SCOPED_TRACE("max_elements_per_call " + std::to_string(piece));
    GramAccumulator gram(cols);
    accumulate_my_shard(comm, z, rows, cols, 3, gram);
    sum_gram_over_ranks(comm, gram, piece);
    expect_matches_reference(gram, reference, 1e-12);
  }
}

TEST(GramReduction, RanksWithoutRowsTakePartAndContributeNothing) {
  const Communicator comm = Communicator::world();
  // 2 rows: ranks 2 and 3 (at 3 and 4 ranks) have empty shards; 0 rows: every shard is empty.
  for (std::uint64_t rows : {std::uint64_t{2}, std::uint64_t{1}, std::uint64_t{0}}) {
    SCOPED_TRACE("rows " + std::to_string(rows));
    const std::uint64_t cols = 6;
    const auto z = random_matrix(rows, cols, 3 + rows);
    const auto reference = naive_gram(z, rows, cols);
    GramAccumulator gram(cols);
    accumulate_my_shard(comm, z, rows, cols, 4, gram);
    const bool empty_shard = RowShard::of_rank(rows, comm.rank(), comm.size()).count == 0;
    if (empty_shard) {
      for (double v : gram.matrix()) EXPECT_EQ(v, 0.0);
    }
    sum_gram_over_ranks(comm, gram, 5);
    expect_matches_reference(gram, reference, 1e-12);
    if (rows == 0) {
      for (double v : gram.matrix()) EXPECT_EQ(v, 0.0);
    }
  }
}

TEST(GramReduction, HugeValuesOnOneRankScaleEveryRankAlike) {
  const Communicator comm = Communicator::world();
  const std::uint64_t rows = 23, cols = 7;
  auto z = random_matrix(rows, cols, 5);
  // The last rank's shard (the only shard at one rank) holds values near 1e200, whose squares overflow
  // double; every other shard holds ordinary values. Scaling by 1e200 (not a power of two) keeps the
  // test honest about the scale being chosen from the data, not from a convenient exponent.
  const RowShard last = RowShard::of_rank(rows, comm.size() - 1, comm.size());
  ASSERT_GT(last.count, 0u);
  double global_max = 0;
  for (std::uint64_t r = last.begin; r < last.begin + last.count; ++r) {
    for (std::uint64_t c = 0; c < cols; ++c) z[r * cols + c] *= 1e200;
  }
  for (double v : z) global_max = std::max(global_max, std::fabs(v));
  const auto reference = naive_gram(z, rows, cols);

  for (std::uint64_t piece : {std::uint64_t{1} << 28, std::uint64_t{5}}) {
    SCOPED_TRACE("max_elements_per_call " + std::to_string(piece));
    GramAccumulator gram(cols);
    accumulate_my_shard(comm, z, rows, cols, 2, gram);
    sum_gram_over_ranks(comm, gram, piece);

    const int expected_exponent = GramAccumulator::scale_exponent_for(global_max);
    EXPECT_NE(expected_exponent, 0);
    EXPECT_EQ(gram.scale_exponent(), expected_exponent);
    const auto [low, high] = min_max_over_ranks(gram.scale_exponent());
    EXPECT_EQ(low, high) << "the ranks summed Gram matrices held at different scales";
    EXPECT_EQ(gram.max_abs(), global_max) << "every rank should know the largest |value| of all ranks";
    // Entries ~1e400 held as ~1e0: finite, and equal to the reference once the scale is undone. (The
    // ordinary rows' contributions underflow at this scale; they are below 1e-380 of every entry.)
    expect_matches_reference(gram, reference, 1e-12);
  }
}

TEST(GramReduction, TinyValuesEverywhereAreScaledUp) {
  const Communicator comm = Communicator::world();
  const std::uint64_t rows = 19, cols = 5;
  auto z = random_matrix(rows, cols, 9);
  for (double& v : z) v *= 1e-200;  // squares ~1e-400 underflow to zero without the scale
  double global_max = 0;
  for (double v : z) global_max = std::max(global_max, std::fabs(v));
  const auto reference = naive_gram(z, rows, cols);
  GramAccumulator gram(cols);
  accumulate_my_shard(comm, z, rows, cols, 3, gram);
  sum_gram_over_ranks(comm, gram, 4);
  EXPECT_LT(gram.scale_exponent(), 0);
  EXPECT_EQ(gram.scale_exponent(), GramAccumulator::scale_exponent_for(global_max));
  const auto [low, high] = min_max_over_ranks(gram.scale_exponent());
  EXPECT_EQ(low, high);
  // A diagonal entry is a sum of squares: it must not have underflowed to zero.
  EXPECT_GT(gram.matrix()[0], 0.0);
  expect_matches_reference(gram, reference, 1e-12);
}

}  // namespace
}  // namespace rankme

namespace rankme {
namespace {

// Centred: (Z - 1 mu^T)^T (Z - 1 mu^T) over all rows, in long double, both triangles.
std::vector<long double> centred_gram(const std::vector<double>& z, std::uint64_t rows, std::uint64_t cols) {
  std::vector<long double> mean(static_cast<std::size_t>(cols), 0.0L);
  for (std::uint64_t r = 0; r < rows; ++r) {
    for (std::uint64_t c = 0; c < cols; ++c) mean[c] += z[r * cols + c];
  }
  for (auto& m : mean) m /= static_cast<long double>(rows);
  std::vector<long double> gram(static_cast<std::size_t>(cols * cols), 0.0L);
  for (std::uint64_t j = 0; j < cols; ++j) {
    for (std::uint64_t i = 0; i < cols; ++i) {
      for (std::uint64_t r = 0; r < rows; ++r) gram[i + j * cols] += (z[r * cols + i] - mean[i]) * (z[r * cols + j] - mean[j]);
    }
  }
  return gram;
}

TEST(GramReduction, CentredSumIsTheCentredMatrixOfAllRowsWhateverTheOffset) {
  // Each rank's shard has its own mean (a trend along the rows) on top of a 1e6 offset: the ranks' means
  // differ, so the parallel-axis terms matter, and the offset punishes any Z^T Z - N mu mu^T shortcut.
  const Communicator comm = Communicator::world();
  const std::uint64_t rows = 37, cols = 6;
  auto z = random_matrix(rows, cols, 21);
  for (std::uint64_t r = 0; r < rows; ++r) {
    for (std::uint64_t c = 0; c < cols; ++c) z[r * cols + c] += 1e6 + 0.1 * static_cast<double>(r);
  }
  const auto reference = centred_gram(z, rows, cols);
  for (std::uint64_t block_rows : {std::uint64_t{1}, std::uint64_t{4}, std::uint64_t{100}}) {
    SCOPED_TRACE("block_rows " + std::to_string(block_rows));
    GramAccumulator gram(cols, /*centre=*/true);
    accumulate_my_shard(comm, z, rows, cols, block_rows, gram);
    sum_gram_over_ranks(comm, gram, /*max_elements_per_call=*/5);
    expect_matches_reference(gram, reference, 1e-9);
  }
}

}  // namespace
}  // namespace rankme
