// LidarAccumulator against long double sums over the same rows: any split into blocks (objects cut across
// blocks), any order of ids, several "ranks" combined by shift_to_global_means, unequal views per object,
// and a large common offset, where sum e e^T - sum S S^T / q (the formula the accumulator avoids) loses
// every digit.
#include "rankme/numerics/lidar_accumulator.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <numeric>
#include <random>
#include <vector>

#include "support/lapack_reference.hpp"

namespace rankme {
namespace {

struct Views {
  std::vector<double> rows;  // row-major
  std::vector<std::uint64_t> objects;
  std::uint64_t cols = 0, count = 0;
};

// `objects` objects with 1 to 6 views each (unequal), rows in a random order, around `offset`.
Views random_views(std::uint64_t objects, std::uint64_t cols, double offset, std::uint64_t seed, bool shuffled) {
  std::mt19937_64 generator(seed);
  Views views;
  views.cols = cols;
  views.count = objects;
  const std::vector<double> centres = testing::random_values(objects * cols, seed + 1, 3.0);
  for (std::uint64_t object = 0; object < objects; ++object) {
    const std::uint64_t q = 1 + generator() % 6;
    const std::vector<double> noise = testing::random_values(q * cols, seed + 100 + object, 0.5);
    for (std::uint64_t j = 0; j < q; ++j) {
      views.objects.push_back(object);
      for (std::uint64_t c = 0; c < cols; ++c) views.rows.push_back(offset + centres[object * cols + c] + noise[j * cols + c]);
    }
  }
  if (shuffled) {
    const std::size_t n = views.objects.size();
    std::vector<std::size_t> order(n);
    std::iota(order.begin(), order.end(), 0);
    std::shuffle(order.begin(), order.end(), generator);
    Views copy = views;
    for (std::size_t r = 0; r < n; ++r) {
      copy.objects[r] = views.objects[order[r]];
      std::copy_n(views.rows.begin() + static_cast<std::ptrdiff_t>(order[r] * cols), cols,
                  copy.rows.begin() + static_cast<std::ptrdiff_t>(r * cols));
    }
    views = copy;
  }
  return views;
}

// sum_i sum_j (e_ij - mu_i)(e_ij - mu_i)^T in long double, two passes (lower triangle, column-major).
std::vector<long double> reference_within(const Views& views) {
  const std::size_t k = views.cols;
  std::vector<long double> means(views.count * k, 0.0L), counts(views.count, 0.0L), within(k * k, 0.0L);
  for (std::size_t r = 0; r < views.objects.size(); ++r) {
    counts[views.objects[r]] += 1;
    for (std::size_t c = 0; c < k; ++c) means[views.objects[r] * k + c] += views.rows[r * k + c];
  }
  for (std::size_t o = 0; o < views.count; ++o)
    for (std::size_t c = 0; c < k; ++c) means[o * k + c] /= counts[o];
  for (std::size_t r = 0; r < views.objects.size(); ++r) {
    const long double* mean = &means[views.objects[r] * k];
    for (std::size_t a = 0; a < k; ++a)
      for (std::size_t b = 0; b <= a; ++b)
        within[a + b * k] += (views.rows[r * k + a] - mean[a]) * (views.rows[r * k + b] - mean[b]);
  }
  return within;
}

// Largest |found - reference| over the lower triangle, relative to the reference's largest entry.
double relative_error(const std::vector<double>& found, const std::vector<long double>& reference, std::size_t k) {
  long double largest = 0, error = 0;
  for (std::size_t b = 0; b < k; ++b)
    for (std::size_t a = b; a < k; ++a) {
      largest = std::max(largest, std::fabs(reference[a + b * k]));
      error = std::max(error, std::fabs(found[a + b * k] - reference[a + b * k]));
    }
  return static_cast<double>(error / largest);
}

// Rows [first, last) added in blocks of `block` rows.
void add_rows(LidarAccumulator& accumulator, const Views& views, std::size_t first, std::size_t last, std::size_t block) {
  for (std::size_t begin = first; begin < last; begin += block) {
    const std::size_t rows = std::min(block, last - begin);
    accumulator.add_block(views.rows.data() + begin * views.cols, views.objects.data() + begin, rows);
  }
}

TEST(LidarAccumulator, AnySplitIntoBlocksGivesTheWithinScatterAndTheMeans) {
  for (const bool shuffled : {false, true}) {
    const Views views = random_views(40, 7, 0.0, 11, shuffled);
    const std::vector<long double> reference = reference_within(views);
    for (std::size_t block : {std::size_t{1}, std::size_t{3}, std::size_t{17}, views.objects.size()}) {
      LidarAccumulator accumulator(views.cols, views.count);
      add_rows(accumulator, views, 0, views.objects.size(), block);
      EXPECT_LT(relative_error(accumulator.within(), reference, views.cols), 1e-13) << block << " " << shuffled;
      // Counts are exact; means to rounding.
      double total = 0;
      for (double count : accumulator.counts()) total += count;
      EXPECT_EQ(total, static_cast<double>(views.objects.size()));
    }
  }
}

TEST(LidarAccumulator, RanksCombinedByShiftingToTheGlobalMeans) {
  const Views views = random_views(30, 5, 0.0, 21, true);
  const std::vector<long double> reference = reference_within(views);
  const std::size_t n = views.objects.size();
  for (const std::size_t parts : {2u, 3u, 4u}) {
    std::vector<LidarAccumulator> ranks;
    for (std::size_t p = 0; p < parts; ++p) {
      ranks.emplace_back(views.cols, views.count);
      add_rows(ranks.back(), views, n * p / parts, n * (p + 1) / parts, 4);
    }
    // What the pipeline's sums over ranks do: counts, then count-weighted means.
    std::vector<double> counts(views.count, 0.0), means(views.count * views.cols, 0.0);
    for (LidarAccumulator& rank : ranks) {
      for (std::size_t o = 0; o < views.count; ++o) {
        counts[o] += rank.counts()[o];
        for (std::size_t c = 0; c < views.cols; ++c) means[o * views.cols + c] += rank.counts()[o] * rank.means()[o * views.cols + c];
      }
    }
    for (std::size_t o = 0; o < views.count; ++o)
      for (std::size_t c = 0; c < views.cols; ++c) means[o * views.cols + c] /= counts[o];
    std::vector<double> within(views.cols * views.cols, 0.0);
    for (LidarAccumulator& rank : ranks) {
      rank.shift_to_global_means(counts, means);
      for (std::size_t i = 0; i < within.size(); ++i) within[i] += rank.within()[i];
    }
    EXPECT_LT(relative_error(within, reference, views.cols), 1e-13) << parts;
  }
}

TEST(LidarAccumulator, ALargeCommonOffsetCostsNoDigitsWhereTheUncentredFormulaLosesThemAll) {
  // The views' spread is ~0.5 around an offset of 1e7: e e^T is ~1e14 per entry, the within scatter ~0.25.
  const Views views = random_views(25, 4, 1e7, 31, true);
  const std::vector<long double> reference = reference_within(views);
  LidarAccumulator accumulator(views.cols, views.count);
  add_rows(accumulator, views, 0, views.objects.size(), 9);
  const double centred_error = relative_error(accumulator.within(), reference, views.cols);
  // Rounding of the centred rows: about eps * offset / spread = 2e-16 * 2e7 per value.
  EXPECT_LT(centred_error, 1e-7);

  // The cancelling formula in double, for contrast: G - sum_i S_i S_i^T / q_i.
  const std::size_t k = views.cols;
  std::vector<double> gram(k * k, 0.0), sums(views.count * k, 0.0), counts(views.count, 0.0);
  for (std::size_t r = 0; r < views.objects.size(); ++r) {
    counts[views.objects[r]] += 1;
    for (std::size_t a = 0; a < k; ++a) {
      sums[views.objects[r] * k + a] += views.rows[r * k + a];
      for (std::size_t b = 0; b <= a; ++b) gram[a + b * k] += views.rows[r * k + a] * views.rows[r * k + b];
    }
  }
  for (std::size_t o = 0; o < views.count; ++o)
    for (std::size_t a = 0; a < k; ++a)
      for (std::size_t b = 0; b <= a; ++b) gram[a + b * k] -= sums[o * k + a] * sums[o * k + b] / counts[o];
  EXPECT_GT(relative_error(gram, reference, k), 1e-3);  // not even three digits
  EXPECT_LT(centred_error * 1e4, relative_error(gram, reference, k));
}

TEST(LidarAccumulator, ObjectIndicesBeyondTheCountAreRefused) {
  LidarAccumulator accumulator(2, 3);
  const double rows[] = {1, 2, 3, 4};
  const std::uint64_t objects[] = {0, 3};
  EXPECT_THROW(accumulator.add_block(rows, objects, 2), std::out_of_range);
}

}  // namespace
}  // namespace rankme
