// dgbbrd through its wrapper: the bidiagonal it returns keeps the band matrix's Frobenius norm and |det|
// (orthogonal transformations), checked against the band by plain loops; and the narrowing of sizes.
#include "rankme/lapack/gbbrd.hpp"

#include <gtest/gtest.h>

#include <climits>
#include <cmath>
#include <cstdint>
#include <stdexcept>
#include <vector>

namespace rankme {
namespace {

TEST(Gbbrd, TheBidiagonalKeepsTheBandsNormAndDeterminant) {
  for (std::uint64_t n : {std::uint64_t{1}, std::uint64_t{6}, std::uint64_t{40}}) {
    for (std::uint64_t ku : {std::uint64_t{1}, std::uint64_t{3}, std::uint64_t{8}}) {
      const std::uint64_t ldab = ku + 2;  // one row more than needed
      std::vector<double> ab(ldab * n, 0.0);
      long double norm2 = 0, log_det = 0;
      for (std::uint64_t j = 0; j < n; ++j) {
        for (std::uint64_t i = j > ku ? j - ku : 0; i <= j; ++i) {
          const double value = i == j ? 1.5 + std::sin(static_cast<double>(j)) : std::cos(static_cast<double>(5 * i + j));
          ab[ku + i - j + j * ldab] = value;
          norm2 += static_cast<long double>(value) * value;
          if (i == j) log_det += std::log(std::fabs(static_cast<long double>(value)));  // upper triangular
        }
      }
      std::vector<double> d(n), e(n, 0.0);
      dgbbrd_upper_band(n, ku, ab.data(), ldab, d.data(), e.data());
      long double found_norm2 = 0, found_log_det = 0;
      for (std::uint64_t i = 0; i < n; ++i) {
        found_norm2 += static_cast<long double>(d[i]) * d[i];
        if (i + 1 < n) found_norm2 += static_cast<long double>(e[i]) * e[i];
        found_log_det += std::log(std::fabs(static_cast<long double>(d[i])));
      }
      EXPECT_NEAR(static_cast<double>(found_norm2 / norm2), 1.0, 1e-14) << n << " x " << n << ", ku " << ku;
      EXPECT_NEAR(static_cast<double>(found_log_det - log_det), 0.0, 1e-12) << n << " x " << n << ", ku " << ku;
    }
  }
}

TEST(Gbbrd, SizesBeyondLapacksIntThrowAndAShortLeadingDimensionIsALogicError) {
  const std::uint64_t too_large = std::uint64_t{INT_MAX} + 1;
  EXPECT_THROW(dgbbrd_upper_band(too_large, 1, nullptr, 2, nullptr, nullptr), std::length_error);
  std::vector<double> ab(8, 1.0), d(4), e(4);
  EXPECT_THROW(dgbbrd_upper_band(4, 2, ab.data(), 2, d.data(), e.data()), std::logic_error);  // LDAB < KU + 1
}

}  // namespace
}  // namespace rankme
