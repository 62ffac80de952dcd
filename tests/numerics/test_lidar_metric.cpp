// LiDAR's value from the eigenvalues (the paper's formula, known cases), the weights for unequal views,
// when it is undefined, and the whole numerics path (accumulator, covariances, Cholesky reduction, LAPACK dsyevd) against
// support/lidar_reference.hpp (long double sums, a long double Cholesky and dsyev): unequal group sizes,
// non-contiguous ids, a large common offset, and delta changing the value.
#include "rankme/numerics/lidar_metric.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <map>
#include <vector>

#include "rankme/lapack/pencil_reduction.hpp"
#include "rankme/lapack/syevd.hpp"
#include "rankme/numerics/lidar_accumulator.hpp"
#include "support/lapack_reference.hpp"
#include "support/lidar_reference.hpp"

namespace rankme {
namespace {

TEST(LidarMetric, TheFormulaOnKnownEigenvalues) {
  // K equal eigenvalues: p_k = 1/K + 1e-7, so LiDAR is K to about K * 1e-7 * log.
  const std::vector<double> equal(8, 2.5);
  const double p = 1.0 / 8 + 1e-7;
  EXPECT_NEAR(lidar_from_eigenvalues(equal), std::exp(-8 * p * std::log(p)), 1e-12);
  EXPECT_NEAR(lidar_from_eigenvalues(equal), 8.0, 1e-5);
  // One non-zero eigenvalue: nearly 1. Tiny negatives from rounding count as 0, not as NaN.
  const std::vector<double> one = {-1e-17, 0.0, 3.0};
  const double top = 1.0 + 1e-7, floor = 1e-7;
  EXPECT_NEAR(lidar_from_eigenvalues(one), std::exp(-(top * std::log(top) + 2 * floor * std::log(floor))), 1e-14);
  // Lambda, not its square root: (4, 1) gives p = (0.8, 0.2).
  const double a = 0.8 + 1e-7, b = 0.2 + 1e-7;
  EXPECT_NEAR(lidar_from_eigenvalues({4.0, 1.0}), std::exp(-(a * std::log(a) + b * std::log(b))), 1e-14);
  // All zero: each p_k is the floor.
  EXPECT_NEAR(lidar_from_eigenvalues({0.0, 0.0}), std::exp(-2 * floor * std::log(floor)), 1e-14);
}

TEST(LidarMetric, WeightsOfUnequalViewsAndWhenLidarIsUndefined) {
  const LidarWeights weights = lidar_weights({3, 1, 0, 5});
  EXPECT_EQ(weights.objects, 3u);                 // the object with no views does not count
  EXPECT_EQ(weights.within_degrees, 2 + 0 + 4);   // sum (q_i - 1): a single view adds nothing
  EXPECT_FALSE(lidar_undefined_reason(weights));
  EXPECT_TRUE(lidar_undefined_reason(lidar_weights({4})));      // one object
  EXPECT_TRUE(lidar_undefined_reason(lidar_weights({1, 1, 1})));  // no object with two views
}

// LiDAR through the product's numerics on one process: accumulate, covariances, reduction, dsyevd.
double product_lidar(const std::vector<double>& rows, std::uint64_t cols, const std::vector<std::int64_t>& ids,
                     double delta, std::size_t block) {
  std::map<std::int64_t, std::uint64_t> numbering;
  for (std::int64_t id : ids) numbering.emplace(id, 0);
  std::uint64_t next = 0;
  for (auto& entry : numbering) entry.second = next++;
  std::vector<std::uint64_t> objects;
  for (std::int64_t id : ids) objects.push_back(numbering[id]);
  LidarAccumulator accumulator(cols, numbering.size());
  for (std::size_t begin = 0; begin < ids.size(); begin += block) {
    const std::size_t count = std::min(block, ids.size() - begin);
    accumulator.add_block(rows.data() + begin * cols, objects.data() + begin, count);
  }
  std::vector<double> within = accumulator.within();
  const LidarWeights weights = lidar_weights(accumulator.counts());
  const std::vector<double> grand = mean_of_object_means(accumulator.counts(), accumulator.means(), cols);
  std::vector<double> between(cols * cols, 0.0);
  add_between_scatter(accumulator.counts(), accumulator.means(), grand, 0, numbering.size(), cols, between);
  scale_to_covariances(within, between, cols, weights, delta);
  std::vector<double> values(cols);
  reduce_pencil_to_standard(cols, between.data(), cols, within.data(), cols);
  dsyevd_eigenvalues(Triangle::lower, cols, between.data(), cols, values.data());
  return lidar_from_eigenvalues(values);
}

struct Sample {
  std::vector<double> rows;
  std::vector<std::int64_t> ids;
};

// Objects with 2 to 5 views (unequal), non-contiguous ids (1000 - 7 i), rows interleaved, around `offset`.
Sample sample(std::uint64_t objects, std::uint64_t cols, double offset, std::uint64_t seed) {
  Sample s;
  const std::vector<double> centres = testing::random_values(objects * cols, seed, 2.0);
  const std::vector<double> noise = testing::random_values(objects * 5 * cols, seed + 1, 0.7);
  std::size_t used = 0;
  for (std::uint64_t view = 0; view < 5; ++view) {
    for (std::uint64_t object = 0; object < objects; ++object) {
      if (view >= 2 + object % 4) continue;
      s.ids.push_back(1000 - 7 * static_cast<std::int64_t>(object));
      for (std::uint64_t c = 0; c < cols; ++c) s.rows.push_back(offset + centres[object * cols + c] + noise[used++]);
    }
  }
  return s;
}

TEST(LidarMetric, TheProductAgreesWithTheIndependentReference) {
  for (const double offset : {0.0, 1e6}) {
    const Sample s = sample(60, 12, offset, 41);
    for (const double delta : {1e-4, 0.5}) {
      const double reference = testing::reference_lidar(s.rows, 12, s.ids, delta);
      for (std::size_t block : {std::size_t{7}, s.ids.size()}) {
        const double found = product_lidar(s.rows, 12, s.ids, delta, block);
        // 1e-10 with no offset; with 1e6 the stored values carry 1e6 * 2^-53 = 1e-10 of the views' 0.7 spread,
        // rounding both computations see alike, and the centring leaves ~1e-10 relative in Sigma_w.
        EXPECT_LT(testing::relative_difference(found, reference), offset == 0 ? 1e-10 : 1e-8)
            << offset << " " << delta << " " << block << ": " << found << " vs " << reference;
      }
    }
    // delta changes the value (a larger ridge damps the small within-object directions).
    EXPECT_GT(std::fabs(testing::reference_lidar(s.rows, 12, s.ids, 1e-4) - testing::reference_lidar(s.rows, 12, s.ids, 0.5)), 1e-3);
  }
}

}  // namespace
}  // namespace rankme

namespace rankme {
namespace {

// W + sum_i c_i mu_i mu_i^T is the uncentred Gram matrix of all views (what RankMe's Gram route takes from
// LiDAR's accumulation): against the long double sum of e e^T over the rows, for interleaved objects of
// unequal views split across blocks, with and without a common offset; only [first, last) is added.
TEST(LidarMetric, WithinScatterPlusObjectMeanProductsIsTheUncentredGram) {
  const std::uint64_t cols = 5;
  for (double offset : {0.0, 300.0}) {
    for (std::size_t block : {1u, 4u, 9u, 1000u}) {
      const Sample s = sample(23, cols, offset, 17);
      std::map<std::int64_t, std::uint64_t> numbering;
      for (std::int64_t id : s.ids) numbering.emplace(id, 0);
      std::uint64_t next = 0;
      for (auto& entry : numbering) entry.second = next++;
      std::vector<std::uint64_t> objects;
      for (std::int64_t id : s.ids) objects.push_back(numbering[id]);
      LidarAccumulator accumulator(cols, numbering.size());
      for (std::size_t begin = 0; begin < s.ids.size(); begin += block) {
        accumulator.add_block(s.rows.data() + begin * cols, objects.data() + begin, std::min(block, s.ids.size() - begin));
      }
      std::vector<double> gram = accumulator.within();
      // In two shares, as two ranks would add theirs.
      add_object_mean_products(accumulator.counts(), accumulator.means(), 0, 10, cols, gram);
      add_object_mean_products(accumulator.counts(), accumulator.means(), 10, numbering.size(), cols, gram);
      long double largest = 0;
      std::vector<long double> exact(cols * cols, 0.0L);
      for (std::size_t r = 0; r < s.ids.size(); ++r) {
        for (std::uint64_t j = 0; j < cols; ++j) {
          for (std::uint64_t i = j; i < cols; ++i) {
            exact[i + j * cols] += static_cast<long double>(s.rows[r * cols + i]) * s.rows[r * cols + j];
          }
        }
      }
      for (long double value : exact) largest = std::max(largest, std::fabs(value));
      for (std::uint64_t j = 0; j < cols; ++j) {
        for (std::uint64_t i = j; i < cols; ++i) {
          EXPECT_NEAR(gram[i + j * cols], static_cast<double>(exact[i + j * cols]), 1e-13 * static_cast<double>(largest))
              << offset << " " << block << " " << i << " " << j;
        }
      }
      // Leaving out an object's share is seen: the test can fail.
      std::vector<double> partial = accumulator.within();
      add_object_mean_products(accumulator.counts(), accumulator.means(), 0, 10, cols, partial);
      EXPECT_GT(std::fabs(partial[0] - static_cast<double>(exact[0])), 1e-6 * static_cast<double>(largest));
    }
  }
}

}  // namespace
}  // namespace rankme
