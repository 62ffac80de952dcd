// dtpqrt2 through its wrapper: R of a triangle on top of a dense block and of a pentagon (R^T R equals
// A^T A + B^T B, summed by plain loops), the narrowing of sizes, and an invalid argument.
#include "rankme/lapack/tpqrt2.hpp"

#include <gtest/gtest.h>

#include <climits>
#include <cmath>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

#include "rankme/lapack/lapack_error.hpp"

namespace rankme {
namespace {

TEST(Tpqrt2, RTransposeRIsTheStackedCrossProductForDenseAndPentagonalBlocks) {
  const std::uint64_t n = 6;
  for (std::uint64_t m : {std::uint64_t{1}, std::uint64_t{4}, std::uint64_t{9}}) {
    for (std::uint64_t l : {std::uint64_t{0}, std::min(m, n)}) {
      const std::uint64_t lda = n + 1, ldb = m + 2, ldt = n;
      std::vector<double> a(lda * n, 0.0), b(ldb * n, 0.0), t(ldt * n, 0.0);
      for (std::uint64_t j = 0; j < n; ++j) {
        for (std::uint64_t i = 0; i <= j; ++i) a[i + j * lda] = std::cos(1.3 * static_cast<double>(i + 7 * j)) + (i == j ? 2 : 0);
        for (std::uint64_t i = 0; i < m; ++i) {
          // The pentagon's last l rows are upper trapezoidal: row m - l + r is zero left of column r.
          const bool below_edge = i >= m - l && j < i - (m - l);
          b[i + j * ldb] = below_edge ? 0.0 : std::sin(0.9 * static_cast<double>(3 * i + j)) + 0.2;
        }
      }
      std::vector<double> expected(n * n, 0.0);
      for (std::uint64_t p = 0; p < n; ++p) {
        for (std::uint64_t q = 0; q < n; ++q) {
          for (std::uint64_t i = 0; i < n; ++i) expected[p + q * n] += a[i + p * lda] * a[i + q * lda];
          for (std::uint64_t i = 0; i < m; ++i) expected[p + q * n] += b[i + p * ldb] * b[i + q * ldb];
        }
      }
      dtpqrt2(m, n, l, a.data(), lda, b.data(), ldb, t.data(), ldt);
      for (std::uint64_t p = 0; p < n; ++p) {
        for (std::uint64_t q = 0; q < n; ++q) {
          double found = 0;
          for (std::uint64_t i = 0; i <= std::min(p, q); ++i) found += a[i + p * lda] * a[i + q * lda];
          EXPECT_NEAR(found, expected[p + q * n], 1e-13) << "m " << m << ", l " << l << " (" << p << "," << q << ")";
        }
        EXPECT_TRUE(t[p + p * ldt] >= 0.0 && t[p + p * ldt] <= 2.0) << t[p + p * ldt];  // Householder scalars
      }
    }
  }
}

TEST(Tpqrt2, SizesBeyondLapacksIntThrowLengthErrorBeforeAnyCall) {
  const std::uint64_t too_large = std::uint64_t{INT_MAX} + 1;
  try {
    dtpqrt2(too_large, 2, 0, nullptr, 2, nullptr, too_large, nullptr, 2);
    FAIL() << "no exception";
  } catch (const std::length_error& error) {
    EXPECT_NE(std::string(error.what()).find("rows"), std::string::npos) << error.what();
  }
  EXPECT_THROW(dtpqrt2(2, 2, 0, nullptr, too_large, nullptr, 2, nullptr, 2), std::length_error);
  EXPECT_THROW(dtpqrt2(2, 2, 0, nullptr, 2, nullptr, 2, nullptr, too_large), std::length_error);
}

TEST(Tpqrt2, ALeadingDimensionBelowTheRowsIsALogicErrorNamingTheRoutineAndArgument) {
  std::vector<double> a(9, 1.0), b(12, 1.0), t(9);
  try {
    dtpqrt2(4, 3, 0, a.data(), 3, b.data(), 3, t.data(), 3);
    FAIL() << "no exception";
  } catch (const LapackFailure&) {
    FAIL() << "an invalid argument is not a numerical failure";
  } catch (const std::logic_error& error) {
    EXPECT_NE(std::string(error.what()).find("dtpqrt2"), std::string::npos) << error.what();
    EXPECT_NE(std::string(error.what()).find("argument 7"), std::string::npos) << error.what();  // LDB
  }
}

}  // namespace
}  // namespace rankme
