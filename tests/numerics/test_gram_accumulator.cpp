#include "rankme/numerics/gram_accumulator.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <random>

namespace rankme {
namespace {

std::vector<double> random_matrix(std::uint64_t rows, std::uint64_t cols, std::uint64_t seed, double scale = 1.0) {
  std::mt19937_64 generator(seed);
  std::normal_distribution<double> normal;
  std::vector<double> values(rows * cols);
  for (double& v : values) v = scale * normal(generator);
  return values;
}

BlockStatistics statistics_of(const double* values, std::uint64_t count) {
  BlockStatistics stats;
  for (std::uint64_t i = 0; i < count; ++i) stats.max_abs = std::max(stats.max_abs, std::fabs(values[i]));
  return stats;
}

// The naive triple loop, in long double.
long double naive_gram(const std::vector<double>& z, std::uint64_t rows, std::uint64_t cols, std::uint64_t i,
                       std::uint64_t j) {
  long double sum = 0;
  for (std::uint64_t r = 0; r < rows; ++r) sum += static_cast<long double>(z[r * cols + i]) * z[r * cols + j];
  return sum;
}

// Feeds `z` in blocks of block_rows rows and returns the unscaled Gram matrix entry (i, j), i <= j.
double blocked_entry(GramAccumulator& gram, std::uint64_t i, std::uint64_t j) {
  return std::ldexp(gram.matrix()[j + i * gram.cols()], 2 * gram.scale_exponent());  // the lower triangle
}

TEST(GramAccumulator, MatchesNaiveProductForAnyBlockSize) {
  const std::uint64_t rows = 37, cols = 11;
  const auto z = random_matrix(rows, cols, 1);
  for (std::uint64_t block_rows : {1ull, 2ull, 5ull, 36ull, 37ull, 100ull}) {
    GramAccumulator gram(cols);
    for (std::uint64_t first = 0; first < rows; first += block_rows) {
      const std::uint64_t count = std::min(block_rows, rows - first);
      std::vector<double> block(z.begin() + static_cast<std::ptrdiff_t>(first * cols),
                                z.begin() + static_cast<std::ptrdiff_t>((first + count) * cols));
      gram.add_block(block.data(), count, statistics_of(block.data(), block.size()));
    }
    for (std::uint64_t j = 0; j < cols; ++j) {
      for (std::uint64_t i = 0; i <= j; ++i) {
        const double expected = static_cast<double>(naive_gram(z, rows, cols, i, j));
        EXPECT_NEAR(blocked_entry(gram, i, j), expected, 1e-12 * rows) << "block " << block_rows << " (" << i << "," << j << ")";
      }
    }
    EXPECT_EQ(gram.scale_exponent(), 0);
  }
}

TEST(GramAccumulator, EmptyBlocksChangeNothing) {
  GramAccumulator gram(3);
  gram.add_block(nullptr, 0, BlockStatistics{});
  for (double v : gram.matrix()) EXPECT_EQ(v, 0.0);
}

TEST(GramAccumulator, HugeValuesAreScaledInsteadOfOverflowing) {
  const std::uint64_t rows = 20, cols = 4;
  const auto plain = random_matrix(rows, cols, 2);
  auto huge = plain;
  for (double& v : huge) v = std::ldexp(v, 900);  // |z| ~ 1e271: z^2 overflows double
  GramAccumulator gram(cols);
  gram.add_block(huge.data(), rows, statistics_of(huge.data(), huge.size()));
  EXPECT_NE(gram.scale_exponent(), 0);
  GramAccumulator reference(cols);
  auto copy = plain;
  reference.add_block(copy.data(), rows, statistics_of(copy.data(), copy.size()));
  // Scaling by powers of two is exact: held = plain Gram * 4^(900 - exponent).
  for (std::uint64_t j = 0; j < cols; ++j) {
    for (std::uint64_t i = 0; i <= j; ++i) {
      const double held = gram.matrix()[j + i * cols];
      EXPECT_TRUE(std::isfinite(held));
      EXPECT_DOUBLE_EQ(held, std::ldexp(reference.matrix()[j + i * cols], 2 * (900 - gram.scale_exponent())));
    }
  }
}

TEST(GramAccumulator, TinyValuesAreScaledInsteadOfUnderflowing) {
  const std::uint64_t rows = 9, cols = 3;
  auto tiny = random_matrix(rows, cols, 3);
  for (double& v : tiny) v = std::ldexp(v, -1000);  // z^2 ~ 1e-602: zero in double
  GramAccumulator gram(cols);
  gram.add_block(tiny.data(), rows, statistics_of(tiny.data(), tiny.size()));
  EXPECT_LT(gram.scale_exponent(), -900);
  EXPECT_GT(gram.matrix()[0], 0.1);  // held at a normal magnitude
}

TEST(GramAccumulator, ScaleFollowsTheLargestValueSeenAcrossBlocks) {
  const std::uint64_t cols = 2;
  std::vector<double> small = {1.0, 2.0};
  std::vector<double> big = {std::ldexp(1.0, 700), 0.0};
  GramAccumulator gram(cols);
  gram.add_block(small.data(), 1, statistics_of(small.data(), 2));
  EXPECT_EQ(gram.scale_exponent(), 0);
  gram.add_block(big.data(), 1, statistics_of(big.data(), 2));
  EXPECT_EQ(gram.scale_exponent(), 700);
  // Entry (0,0) = 1 + 2^1400, held as (1 + 2^1400) / 4^700 = 1 (the 1 is far below rounding).
  EXPECT_DOUBLE_EQ(gram.matrix()[0], 1.0);
  // The ordinary range is |max| within 2^+-300 (about 1e+-90): both sides of its edges.
  EXPECT_EQ(GramAccumulator::scale_exponent_for(1e80), 0);
  EXPECT_EQ(GramAccumulator::scale_exponent_for(std::ldexp(1.0, 300)), 0);
  EXPECT_EQ(GramAccumulator::scale_exponent_for(std::ldexp(1.0, 301)), 301);
  EXPECT_EQ(GramAccumulator::scale_exponent_for(1e100), 332);
  EXPECT_EQ(GramAccumulator::scale_exponent_for(std::ldexp(1.0, -301)), -301);
  EXPECT_EQ(GramAccumulator::scale_exponent_for(0.0), 0);
}

TEST(GramAccumulator, RefusesAMatrixThatCannotExist) {
  EXPECT_THROW(GramAccumulator(std::uint64_t{1} << 40), std::length_error);
}

}  // namespace
}  // namespace rankme

namespace rankme {
namespace {

// (Z - 1 mu^T)^T (Z - 1 mu^T) in long double, with mu the exact column means.
std::vector<long double> centred_reference(const std::vector<double>& z, std::uint64_t rows, std::uint64_t cols) {
  std::vector<long double> mean(cols, 0.0L), gram(cols * cols, 0.0L);
  for (std::uint64_t r = 0; r < rows; ++r) {
    for (std::uint64_t c = 0; c < cols; ++c) mean[c] += z[r * cols + c];
  }
  for (auto& m : mean) m /= static_cast<long double>(rows);
  for (std::uint64_t r = 0; r < rows; ++r) {
    for (std::uint64_t j = 0; j < cols; ++j) {
      for (std::uint64_t i = 0; i <= j; ++i) gram[i + j * cols] += (z[r * cols + i] - mean[i]) * (z[r * cols + j] - mean[j]);
    }
  }
  return gram;
}

TEST(CentredGram, ExactWhateverTheOffsetAndTheBlockSize) {
  // Mean 1e8 against a spread of 1: Z^T Z - N mu mu^T would cancel away every digit of the answer.
  const std::uint64_t rows = 41, cols = 5;
  auto z = random_matrix(rows, cols, 9);
  for (double& v : z) v += 1e8;
  const auto reference = centred_reference(z, rows, cols);
  for (std::uint64_t block_rows : {1ull, 3ull, 40ull, 41ull}) {
    GramAccumulator gram(cols, /*centre=*/true);
    for (std::uint64_t first = 0; first < rows; first += block_rows) {
      const std::uint64_t count = std::min(block_rows, rows - first);
      std::vector<double> block(z.begin() + static_cast<std::ptrdiff_t>(first * cols),
                                z.begin() + static_cast<std::ptrdiff_t>((first + count) * cols));
      gram.add_block(block.data(), count, statistics_of(block.data(), block.size()));
    }
    EXPECT_EQ(gram.count(), rows);
    EXPECT_NEAR(gram.mean()[0], 1e8, 1.0);
    for (std::uint64_t j = 0; j < cols; ++j) {
      for (std::uint64_t i = 0; i <= j; ++i) {
        const double expected = static_cast<double>(reference[i + j * cols]);
        // The data itself holds 1e8 to about 1.5e-8: that, times sqrt(rows), is the attainable accuracy.
        EXPECT_NEAR(gram.matrix()[j + i * cols], expected, 1e-6 * rows) << "block " << block_rows << " (" << i << "," << j << ")";
      }
    }
  }
}

TEST(CentredGram, RecentringOnTheGlobalMeanAddsTheParallelAxisTerm) {
  // Two halves accumulated apart, moved onto the mean of all rows and summed: the centred matrix of all.
  const std::uint64_t rows = 30, cols = 3;
  auto z = random_matrix(rows, cols, 10);
  for (std::uint64_t r = 15; r < rows; ++r) z[r * cols] += 5.0;  // the halves have different means
  GramAccumulator first(cols, true), second(cols, true);
  std::vector<double> top(z.begin(), z.begin() + 15 * cols), bottom(z.begin() + 15 * cols, z.end());
  first.add_block(top.data(), 15, statistics_of(top.data(), top.size()));
  second.add_block(bottom.data(), 15, statistics_of(bottom.data(), bottom.size()));
  std::vector<double> global(cols);
  for (std::uint64_t c = 0; c < cols; ++c) global[c] = (first.mean()[c] + second.mean()[c]) / 2;
  first.recentre_on(global);
  second.recentre_on(global);
  const auto reference = centred_reference(z, rows, cols);
  for (std::uint64_t j = 0; j < cols; ++j) {
    for (std::uint64_t i = 0; i <= j; ++i) {
      EXPECT_NEAR(first.matrix()[j + i * cols] + second.matrix()[j + i * cols],
                  static_cast<double>(reference[i + j * cols]), 1e-10 * rows);
    }
  }
}

// ---- Float32 block products (--precision mixed) ----

std::vector<float> as_floats(const std::vector<double>& values) { return std::vector<float>(values.begin(), values.end()); }

TEST(MixedGram, Float32ProductsSummedInDoubleMatchTheDoubleProductToFloat32Rounding) {
  const std::uint64_t rows = 200, cols = 9;
  const auto z = as_floats(random_matrix(rows, cols, 31));
  const std::vector<double> exact(z.begin(), z.end());
  GramAccumulator single(cols), reference(cols);
  for (std::uint64_t first = 0; first < rows; first += 64) {
    const std::uint64_t count = std::min<std::uint64_t>(64, rows - first);
    single.add_block_single(z.data() + first * cols, count, 0, 4.0);
  }
  std::vector<double> copy = exact;
  reference.add_block(copy.data(), rows, statistics_of(copy.data(), copy.size()));
  for (std::uint64_t j = 0; j < cols; ++j) {
    for (std::uint64_t i = j; i < cols; ++i) {
      const double want = reference.matrix()[i + j * cols];
      const double bound = std::sqrt(reference.matrix()[i + i * cols] * reference.matrix()[j + j * cols]);
      EXPECT_NEAR(single.matrix()[i + j * cols], want, 64 * 6e-8 * bound) << i << "," << j;
      if (i != j) {
        EXPECT_EQ(single.matrix()[j + i * cols], 0.0) << "upper triangle written";
      }
    }
  }
}

TEST(MixedGram, ScaledBlocksLandAtTheTrueScale) {
  // float32 values of 2^60 have squares beyond float32's range: the block is handed over times 2^-61 and
  // the products are moved back by 4^61 (exactly) when summed into the double matrix.
  const std::uint64_t rows = 40, cols = 5;
  const auto base = as_floats(random_matrix(rows, cols, 32));
  GramAccumulator plain(cols), scaled(cols);
  plain.add_block_single(base.data(), rows, 0, 4.0);
  scaled.add_block_single(base.data(), rows, 61, std::ldexp(4.0, 61));
  for (std::uint64_t j = 0; j < cols; ++j) {
    for (std::uint64_t i = j; i < cols; ++i) {
      EXPECT_EQ(std::ldexp(scaled.matrix()[i + j * cols], 2 * scaled.scale_exponent()),
                std::ldexp(plain.matrix()[i + j * cols], 2 * 61));
    }
  }
}

TEST(MixedGram, ProbeMeasuresTheFloat32ErrorOfSampledColumnsAndAddsTheWholeBlock) {
  const std::uint64_t rows = 300, cols = 12;
  // Small integers: every float32 product and sum is exact, so the measured error is exactly zero.
  std::vector<float> integers(rows * cols);
  for (std::size_t i = 0; i < integers.size(); ++i) integers[i] = static_cast<float>(i % 5);
  GramAccumulator exact_case(cols);
  const auto none = exact_case.add_block_single_measuring_float32_error(integers.data(), nullptr, rows, 128, 0, 4.0);
  ASSERT_TRUE(none.has_value());
  EXPECT_EQ(none->rows, rows);
  EXPECT_EQ(none->columns, cols);  // fewer columns than the probe's 128: all of them
  EXPECT_EQ(none->error, 0.0);
  // Random double data rounded to float32: the probe compares with the exact doubles, so it sees that
  // rounding (about 2^-24 relative) as well as the products'; the block itself is added in float32.
  const auto z = random_matrix(rows, cols, 33);
  const auto z32 = as_floats(z);
  GramAccumulator probed(cols), plain(cols), reference(cols);
  const auto error = probed.add_block_single_measuring_float32_error(z32.data(), z.data(), rows, 128, 0, 5.0);
  ASSERT_TRUE(error.has_value());
  std::vector<double> copy = z;
  reference.add_block(copy.data(), rows, statistics_of(copy.data(), copy.size()));
  EXPECT_GT(error->error, 1e-9 * reference.matrix()[0]);
  EXPECT_LT(error->error, 1e-5 * reference.matrix()[0]);
  plain.add_block_single(z32.data(), rows, 0, 5.0);
  EXPECT_EQ(probed.matrix(), plain.matrix()) << "measuring changes nothing in what is added";
  // A subset of the columns: 4 of 12.
  GramAccumulator subset(cols);
  EXPECT_EQ(subset.add_block_single_measuring_float32_error(z32.data(), z.data(), rows, 4, 0, 5.0)->columns, 4u);
  // Not measured for a scaled block, which is still added.
  GramAccumulator scaled(cols);
  EXPECT_FALSE(scaled.add_block_single_measuring_float32_error(z32.data(), nullptr, rows, 128, 3, 40.0).has_value());
  EXPECT_GT(scaled.matrix()[0], 0.0) << "the block is still added";
}

}  // namespace
}  // namespace rankme
