// dbdsqr (values only) through its wrapper: the n x n bidiagonal with ones on both diagonals has the
// singular values 2 cos(k pi / (2n + 1)), k = 1..n; a diagonal matrix gives its |entries|, sorted; and the
// narrowing of sizes.
#include "rankme/lapack/bdsqr.hpp"

#include <gtest/gtest.h>

#include <climits>
#include <cmath>
#include <cstdint>
#include <stdexcept>
#include <vector>

namespace rankme {
namespace {

TEST(Bdsqr, KnownSingularValuesDescending) {
  const double pi = std::acos(-1.0);
  for (std::uint64_t n : {std::uint64_t{1}, std::uint64_t{2}, std::uint64_t{17}, std::uint64_t{300}}) {
    std::vector<double> d(n, 1.0), e(n, 1.0);
    dbdsqr_singular_values(n, d.data(), e.data());
    for (std::uint64_t k = 0; k < n; ++k) {
      const double expected = 2 * std::cos(static_cast<double>(k + 1) * pi / static_cast<double>(2 * n + 1));
      EXPECT_NEAR(d[k], expected, 1e-14 * 2) << "n " << n << ", k " << k;
    }
  }
  std::vector<double> d = {-3.0, 1e-20, 7.0, 0.5}, e(4, 0.0);
  dbdsqr_singular_values(4, d.data(), e.data());
  EXPECT_EQ(d, (std::vector<double>{7.0, 3.0, 0.5, 1e-20}));
}

TEST(Bdsqr, SizesBeyondLapacksIntThrowLengthError) {
  EXPECT_THROW(dbdsqr_singular_values(std::uint64_t{INT_MAX} + 1, nullptr, nullptr), std::length_error);
}

}  // namespace
}  // namespace rankme
