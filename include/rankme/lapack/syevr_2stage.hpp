#pragma once
// LAPACK's dsyevr_2stage (two-stage reduction, then the MRRR tridiagonal solver), all eigenvalues only
// (JOBZ = 'N', RANGE = 'A').
#include <cstdint>

#include "rankme/lapack/triangle.hpp"

namespace rankme {

// All eigenvalues, ascending, into w[0..n) of the symmetric n x n column-major matrix `a` (leading dimension
// lda >= max(n, 1)), of which only `triangle` is read; `a` is overwritten. Errors as dsyevd_eigenvalues
// (syevd.hpp); also std::runtime_error if it finds fewer than n eigenvalues.
void dsyevr_2stage_eigenvalues(Triangle triangle, std::uint64_t n, double* a, std::uint64_t lda, double* w);

}  // namespace rankme
