#pragma once
// LAPACK's Householder QR factorisation, dgeqrf.
#include <cstdint>

namespace rankme {

// A = QR in place for the m x n column-major matrix `a` (leading dimension lda >= max(m, 1)): R is left in
// the upper triangle of the top min(m, n) rows, the reflectors below it, and their scalars in
// tau[0..min(m, n)). Sizes are narrowed to LAPACK's int first (std::length_error naming the argument, before
// any work); the workspace comes from a query. Throws std::logic_error on an argument LAPACK rejects.
void dgeqrf(std::uint64_t m, std::uint64_t n, double* a, std::uint64_t lda, double* tau);

}  // namespace rankme
