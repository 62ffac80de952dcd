// dsyevd and dsyevd_2stage through their wrappers: known spectra, the triangle read, the leading
// dimension, the workspace query, the narrowing of sizes and what INFO turns into.
//
// This executable defines dsyevd_ and dsyevd_2stage_ itself: the linker binds the wrapper's calls to these
// spies, which record the workspace lengths of each call, forward to LAPACK's own routine (real_lapack.hpp)
// and can then overwrite INFO, to see what the wrapper makes of it.



#include "rankme/lapack/blas_int.hpp"
#include "rankme/lapack/lapack_error.hpp"
#include "rankme/lapack/lapack_prototypes.hpp"
#include "rankme/lapack/syevd.hpp"
#include "real_lapack.hpp"
#include "support/known_matrices.hpp"
#include <algorithm>
#include <climits>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <gtest/gtest.h>
#include <limits>
#include <stdexcept>
#include <string>
#include <vector>

namespace {

using DsyevdRoutine = void (*)(const char*, const char*, const int*, double*, const int*, double*, double*,
                               const int*, int*, const int*, int*, std::size_t, std::size_t);

struct Call {
  int lwork = 0;
  int liwork = 0;
  double work_answer = 0;  // WORK(1) after a query
  int iwork_answer = 0;    // IWORK(1) after a query
};

struct Spy {
  const char* name;
  std::vector<Call> calls;
  int forced_info = 0;  // written over INFO after a call that is not a query, when non-zero

  void forward(const char* jobz, const char* uplo, const int* n, double* a, const int* lda, double* w, double* work,
               const int* lwork, int* iwork, const int* liwork, int* info, std::size_t jobz_length,
               std::size_t uplo_length) {
    const auto real = rankme::testing::real_lapack_routine<DsyevdRoutine>(name);
    real(jobz, uplo, n, a, lda, w, work, lwork, iwork, liwork, info, jobz_length, uplo_length);
    const bool query = *lwork == -1;
    calls.push_back({*lwork, *liwork, query ? work[0] : 0.0, query ? iwork[0] : 0});
    if (!query && forced_info != 0) *info = forced_info;
  }
};

Spy dsyevd_spy{"dsyevd_", {}, 0};
Spy dsyevd_2stage_spy{"dsyevd_2stage_", {}, 0};

}  // namespace

extern "C" void dsyevd_(const char* jobz, const char* uplo, const int* n, double* a, const int* lda, double* w,
                        double* work, const int* lwork, int* iwork, const int* liwork, int* info,
                        std::size_t jobz_length, std::size_t uplo_length) {
  dsyevd_spy.forward(jobz, uplo, n, a, lda, w, work, lwork, iwork, liwork, info, jobz_length, uplo_length);
}

extern "C" void dsyevd_2stage_(const char* jobz, const char* uplo, const int* n, double* a, const int* lda, double* w,
                               double* work, const int* lwork, int* iwork, const int* liwork, int* info,
                               std::size_t jobz_length, std::size_t uplo_length) {
  dsyevd_2stage_spy.forward(jobz, uplo, n, a, lda, w, work, lwork, iwork, liwork, info, jobz_length, uplo_length);
}

namespace rankme {
namespace {

using testing::fill_lower_triangle;
using testing::fill_upper_triangle;
using testing::orthogonally_similar;

using Wrapper = void (*)(Triangle, std::uint64_t, double*, std::uint64_t, double*);

struct Driver {
  const char* name;
  Wrapper solve;
  Spy* spy;
};

const Driver drivers[] = {{"dsyevd", dsyevd_eigenvalues, &dsyevd_spy},
                          {"dsyevd_2stage", dsyevd_2stage_eigenvalues, &dsyevd_2stage_spy}};

const double nan = std::numeric_limits<double>::quiet_NaN();

// n distinct eigenvalues between -3 and 5, not in order.
std::vector<double> spread_values(std::uint64_t n) {
  std::vector<double> values(n);
  for (std::uint64_t k = 0; k < n; ++k) {
    values[k] = -3.0 + 8.0 * static_cast<double>((k * 7) % n) / static_cast<double>(n);
  }
  return values;
}

void expect_ascending_and_equal(const std::vector<double>& found, std::vector<double> expected, double tolerance,
                                const char* name) {
  std::sort(expected.begin(), expected.end());
  ASSERT_EQ(found.size(), expected.size()) << name;
  for (std::size_t k = 0; k < found.size(); ++k) EXPECT_NEAR(found[k], expected[k], tolerance) << name << " " << k;
}

TEST(Syevd, AnOrthogonallySimilarMatrixHasTheKnownEigenvaluesReadingTheLowerTriangle) {
  for (const Driver& driver : drivers) {
    for (std::uint64_t n : {2u, 7u, 40u, 150u}) {
      const std::vector<double> expected = spread_values(n);
      std::vector<double> a = orthogonally_similar(expected);
      fill_upper_triangle(a, n, nan);  // read it and the answer is NaN
      std::vector<double> w(n);
      driver.solve(Triangle::lower, n, a.data(), n, w.data());
      expect_ascending_and_equal(w, expected, 1e-12, driver.name);
    }
  }
}

TEST(Syevd, TheUpperTriangleIsReadWhenAsked) {
  const std::uint64_t n = 30;
  const std::vector<double> expected = spread_values(n);
  // dsyevd_2stage on 'U' is implemented too (only JOBZ = 'V' is not).
  for (const Driver& driver : drivers) {
    std::vector<double> a = orthogonally_similar(expected, 1.5);
    fill_lower_triangle(a, n, nan);
    std::vector<double> w(n);
    driver.solve(Triangle::upper, n, a.data(), n, w.data());
    expect_ascending_and_equal(w, expected, 1e-11, driver.name);
  }
}

TEST(Syevd, ADiagonalMatrixInsideALargerLeadingDimension) {
  const std::uint64_t n = 5, lda = 9;
  const std::vector<double> diagonal = {4.0, -1.0, 0.0, 2.5, 1e-3};
  for (const Driver& driver : drivers) {
    std::vector<double> a(lda * n, nan);  // the rows beyond n must never be read
    for (std::uint64_t j = 0; j < n; ++j) {
      for (std::uint64_t i = j; i < n; ++i) a[i + j * lda] = i == j ? diagonal[j] : 0.0;
    }
    std::vector<double> w(n);
    driver.solve(Triangle::lower, n, a.data(), lda, w.data());
    expect_ascending_and_equal(w, diagonal, 1e-15, driver.name);
  }
}

TEST(Syevd, EmptyAndOneByOneMatrices) {
  for (const Driver& driver : drivers) {
    EXPECT_NO_THROW(driver.solve(Triangle::lower, 0, nullptr, 1, nullptr)) << driver.name;
    double a = -2.5, w = 0;
    driver.solve(Triangle::lower, 1, &a, 1, &w);
    EXPECT_EQ(w, -2.5) << driver.name;
  }
}

TEST(Syevd, TheWorkspaceQueryComesFirstAndSizesTheCall) {
  const std::uint64_t n = 200;
  for (const Driver& driver : drivers) {
    driver.spy->calls.clear();
    std::vector<double> a = orthogonally_similar(spread_values(n));
    std::vector<double> w(n);
    driver.solve(Triangle::lower, n, a.data(), n, w.data());
    ASSERT_EQ(driver.spy->calls.size(), 2u) << driver.name;
    const Call& query = driver.spy->calls[0];
    const Call& run = driver.spy->calls[1];
    EXPECT_EQ(query.lwork, -1) << driver.name;
    EXPECT_EQ(query.liwork, -1) << driver.name;
    EXPECT_GE(query.work_answer, 2.0 * n + 1) << driver.name;  // LAPACK's minimum for JOBZ = 'N'
    EXPECT_EQ(run.lwork, workspace_length(query.work_answer, "lwork")) << driver.name;
    EXPECT_EQ(run.liwork, std::max(query.iwork_answer, 1)) << driver.name;
  }
}

TEST(Syevd, SizesBeyondLapacksIntThrowLengthErrorBeforeAnyCall) {
  const std::uint64_t too_large = std::uint64_t{INT_MAX} + 1;
  for (const Driver& driver : drivers) {
    driver.spy->calls.clear();
    // No matrix of 2^62 bytes exists: the wrapper must refuse before touching it or allocating.
    EXPECT_THROW(driver.solve(Triangle::lower, too_large, nullptr, too_large, nullptr), std::length_error);
    double a = 1, w = 0;
    try {
      driver.solve(Triangle::lower, 1, &a, too_large, &w);
      ADD_FAILURE() << "no exception";
    } catch (const std::length_error& error) {
      EXPECT_NE(std::string(error.what()).find("leading dimension"), std::string::npos) << error.what();
    }
    EXPECT_TRUE(driver.spy->calls.empty()) << driver.name;
  }
}

TEST(Syevd, ALeadingDimensionBelowTheOrderIsALogicErrorNamingTheRoutineAndArgument) {
  for (const Driver& driver : drivers) {
    std::vector<double> a(16, 1.0), w(4);
    try {
      driver.solve(Triangle::lower, 4, a.data(), 3, w.data());  // LAPACK prints its own XERBLA line too
      ADD_FAILURE() << "no exception";
    } catch (const LapackFailure&) {
      ADD_FAILURE() << "an invalid argument is not a numerical failure";
    } catch (const std::logic_error& error) {
      EXPECT_NE(std::string(error.what()).find(driver.name), std::string::npos) << error.what();
      EXPECT_NE(std::string(error.what()).find("argument 5"), std::string::npos) << error.what();  // LDA
    }
  }
}

TEST(Syevd, APositiveInfoIsALapackFailureNamingTheRoutine) {
  for (const Driver& driver : drivers) {
    driver.spy->forced_info = 3;
    std::vector<double> a = orthogonally_similar(spread_values(6)), w(6);
    try {
      driver.solve(Triangle::lower, 6, a.data(), 6, w.data());
      ADD_FAILURE() << "no exception";
    } catch (const LapackFailure& failure) {
      EXPECT_EQ(failure.routine(), driver.name);
      EXPECT_EQ(failure.info(), 3);
    }
    driver.spy->forced_info = 0;
  }
}

}  // namespace
}  // namespace rankme
