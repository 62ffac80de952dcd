// dlarfb through its wrapper: H C, H^T C, C H and C H^T against the block reflector H = I - Y T Y^T
// (columns) or I - Y^T T Y (rows) formed and multiplied by plain loops, and the argument checks.
#include "rankme/lapack/larfb.hpp"

#include <gtest/gtest.h>

#include <climits>
#include <cmath>
#include <cstdint>
#include <stdexcept>
#include <vector>

#include "support/known_matrices.hpp"

namespace rankme {
namespace {

TEST(Larfb, AppliesTheBlockReflectorFromEitherSideTransposedOrNot) {
  const std::uint64_t m = 7, n = 6, k = 3;
  for (ReflectorSide side : {ReflectorSide::left, ReflectorSide::right}) {
    for (ReflectorStorage storage : {ReflectorStorage::columns, ReflectorStorage::rows}) {
      for (bool transpose : {false, true}) {
        const std::uint64_t order = side == ReflectorSide::left ? m : n;  // H is order x order
        // Y: order x k, unit lower trapezoidal (its columns are the reflectors).
        std::vector<double> y(order * k, 0.0);
        for (std::uint64_t j = 0; j < k; ++j) {
          y[j + j * order] = 1.0;
          for (std::uint64_t i = j + 1; i < order; ++i) y[i + j * order] = std::sin(static_cast<double>(3 * i + j));
        }
        std::vector<double> t(k * k, 0.0);
        for (std::uint64_t j = 0; j < k; ++j) {
          for (std::uint64_t i = 0; i <= j; ++i) t[i + j * k] = 0.3 + 0.1 * static_cast<double>(i + 2 * j);
        }
        // V as stored: Y itself (columns, leading dimension order + 1), or Y^T (rows, leading dimension k).
        const bool columns = storage == ReflectorStorage::columns;
        const std::uint64_t ldv = columns ? order + 1 : k;
        std::vector<double> v(ldv * (columns ? k : order), -7.0);  // the unit diagonal and zeros are implied
        for (std::uint64_t j = 0; j < k; ++j) {
          for (std::uint64_t i = j + 1; i < order; ++i) (columns ? v[i + j * ldv] : v[j + i * ldv]) = y[i + j * order];
        }
        // H = I - Y T Y^T (the same H both ways: rows store Y^T).
        const std::vector<double> yt = testing::product(y, t, order, k, k);
        std::vector<double> h(order * order, 0.0);
        for (std::uint64_t j = 0; j < order; ++j) {
          for (std::uint64_t i = 0; i < order; ++i) {
            double value = i == j ? 1.0 : 0.0;
            for (std::uint64_t p = 0; p < k; ++p) value -= yt[i + p * order] * y[j + p * order];
            h[transpose ? j + i * order : i + j * order] = value;  // H or H^T
          }
        }
        std::vector<double> c(m * n);
        for (std::uint64_t i = 0; i < c.size(); ++i) c[i] = std::cos(0.3 * static_cast<double>(i));
        const std::vector<double> expected =
            side == ReflectorSide::left ? testing::product(h, c, m, m, n) : testing::product(c, h, m, n, n);
        dlarfb(side, transpose, storage, m, n, k, v.data(), ldv, t.data(), k, c.data(), m);
        for (std::size_t i = 0; i < c.size(); ++i) {
          EXPECT_NEAR(c[i], expected[i], 1e-13) << (side == ReflectorSide::left ? "left" : "right") << (columns ? " columns" : " rows")
                                                << (transpose ? " transposed" : "") << " element " << i;
        }
      }
    }
  }
}

TEST(Larfb, ShortLeadingDimensionsAndOversizedCountsAreRefused) {
  std::vector<double> v(16, 0.0), t(4, 0.0), c(16, 0.0);
  EXPECT_THROW(dlarfb(ReflectorSide::left, false, ReflectorStorage::columns, 4, 4, 2, v.data(), 4, t.data(), 2, c.data(), 3),
               std::logic_error);
  EXPECT_THROW(dlarfb(ReflectorSide::left, false, ReflectorStorage::columns, 4, 4, 2, v.data(), 3, t.data(), 2, c.data(), 4),
               std::logic_error);
  EXPECT_THROW(dlarfb(ReflectorSide::right, false, ReflectorStorage::rows, 4, 2, 3, v.data(), 3, t.data(), 3, c.data(), 4),
               std::logic_error);  // 3 reflectors of length 2
  EXPECT_THROW(dlarfb(ReflectorSide::left, false, ReflectorStorage::columns, std::uint64_t{INT_MAX} + 1, 1, 1, v.data(), 1,
                      t.data(), 1, c.data(), 1),
               std::length_error);
}

}  // namespace
}  // namespace rankme
