#pragma once
// LAPACK's divide-and-conquer singular value decomposition, dgesdd, singular values only (JOBZ = 'N').
#include <cstdint>

namespace rankme {

// The singular values, descending, into s[0..min(m, n)) of the m x n column-major matrix `a` (leading
// dimension lda >= max(m, 1)); `a` is overwritten. Sizes are narrowed to LAPACK's int first
// (std::length_error naming the argument, before any work); the workspace comes from a query. Throws
// std::logic_error on an argument LAPACK rejects and LapackFailure when it does not converge.
void dgesdd_singular_values(std::uint64_t m, std::uint64_t n, double* a, std::uint64_t lda, double* s);

}  // namespace rankme
