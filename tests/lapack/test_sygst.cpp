// dsygst_standard_form: a pencil of known generalised eigenvalues, B factored by dpotrf, reduced to a
// standard matrix whose eigenvalues (dsyevd) are those values, from either triangle; the other triangle of A
// neither read nor written; a leading dimension LAPACK rejects; sizes beyond LAPACK's int.
#include "rankme/lapack/sygst.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <stdexcept>
#include <vector>

#include "rankme/lapack/blas_int.hpp"
#include "rankme/lapack/lapack_prototypes.hpp"
#include "rankme/lapack/syevd.hpp"
#include "support/known_matrices.hpp"

namespace rankme {
namespace {

const double nan = std::numeric_limits<double>::quiet_NaN();

// The triangle of `m` (n x n) that `triangle` does not name, set to `value`.
void fill_other_triangle(std::vector<double>& m, std::uint64_t n, Triangle triangle, double value) {
  for (std::uint64_t j = 0; j < n; ++j) {
    for (std::uint64_t i = 0; i < n; ++i) {
      if (triangle == Triangle::lower ? i < j : i > j) m[i + j * n] = value;
    }
  }
}

TEST(Sygst, AKnownPencilFromEitherTriangle) {
  for (Triangle triangle : {Triangle::lower, Triangle::upper}) {
    for (std::uint64_t n : {1u, 2u, 9u, 70u, 150u}) {  // 150: beyond dsygst's block size (64), the blocked code
      std::vector<double> values(n);
      for (std::uint64_t k = 0; k < n; ++k) values[k] = -3.0 + 9.0 * static_cast<double>((k * 11) % n) / static_cast<double>(n);
      testing::KnownPencil pencil = testing::known_pencil(values);
      const char uplo = uplo_of(triangle);
      const int order = static_cast<int>(n);
      int info = 0;
      dpotrf_(&uplo, &order, pencil.b.data(), &order, &info, 1);
      ASSERT_EQ(info, 0);
      fill_other_triangle(pencil.a, n, triangle, nan);  // read it and the eigenvalues are NaN
      fill_other_triangle(pencil.b, n, triangle, nan);
      dsygst_standard_form(triangle, n, pencil.a.data(), n, pencil.b.data(), n);
      for (std::uint64_t j = 0; j < n; ++j) {
        for (std::uint64_t i = 0; i < n; ++i) {
          if (triangle == Triangle::lower ? i < j : i > j) {
            EXPECT_TRUE(std::isnan(pencil.a[i + j * n])) << i << " " << j;
          }
        }
      }
      std::vector<double> w(n);
      dsyevd_eigenvalues(triangle, n, pencil.a.data(), n, w.data());
      std::sort(values.begin(), values.end());
      for (std::size_t k = 0; k < n; ++k) EXPECT_NEAR(w[k], values[k], 1e-11 * 6.0) << n << " " << k;
    }
  }
}

TEST(Sygst, ALeadingDimensionBelowTheOrderIsABug) {
  std::vector<double> a(9, 1.0), b(9, 1.0);
  EXPECT_THROW(dsygst_standard_form(Triangle::lower, 3, a.data(), 2, b.data(), 3), std::logic_error);
  EXPECT_THROW(dsygst_standard_form(Triangle::lower, 3, a.data(), 3, b.data(), 2), std::logic_error);
}

TEST(Sygst, SizesBeyondLapacksIntAreRefusedBeforeAnyWork) {
  const std::uint64_t huge = std::uint64_t{1} << 31;
  EXPECT_THROW(dsygst_standard_form(Triangle::lower, huge, nullptr, huge, nullptr, huge), std::length_error);
  EXPECT_THROW(dsygst_standard_form(Triangle::lower, 2, nullptr, huge, nullptr, 2), std::length_error);
  EXPECT_THROW(dsygst_standard_form(Triangle::lower, 2, nullptr, 2, nullptr, huge), std::length_error);
}

}  // namespace
}  // namespace rankme
