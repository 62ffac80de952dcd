#pragma once
// LAPACK's divide-and-conquer symmetric eigensolvers, eigenvalues only (JOBZ = 'N'): dsyevd reduces to
// tridiagonal in one stage, dsyevd_2stage through a band (LAPACK 3.7+, which implements JOBZ = 'N' only).
#include <cstdint>

#include "rankme/lapack/triangle.hpp"

namespace rankme {

// All eigenvalues, ascending, into w[0..n) of the symmetric n x n column-major matrix `a` (leading dimension
// lda >= max(n, 1)), of which only `triangle` is read; `a` is overwritten. Sizes are narrowed to LAPACK's
// int first (std::length_error naming the argument, before any work); the workspace comes from a query.
// Throws std::logic_error on an argument LAPACK rejects and LapackFailure when it does not converge.
void dsyevd_eigenvalues(Triangle triangle, std::uint64_t n, double* a, std::uint64_t lda, double* w);
void dsyevd_2stage_eigenvalues(Triangle triangle, std::uint64_t n, double* a, std::uint64_t lda, double* w);

}  // namespace rankme
