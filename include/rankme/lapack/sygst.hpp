#pragma once
// LAPACK's dsygst for the pencil A x = lambda B x (ITYPE = 1): A becomes inv(L) A inv(L)^T (lower) or
// inv(U)^T A inv(U) (upper) for B's Cholesky factor, a standard symmetric matrix with the pencil's
// eigenvalues. About n^3 flops where two triangular solves with n right-hand sides cost 2 n^3: it uses the
// symmetry of A and of the result (blocked, BLAS 3 in OpenBLAS's LAPACK).
#include <cstdint>

#include "rankme/lapack/triangle.hpp"

namespace rankme {

// `a` (n x n, column-major, lda >= max(n, 1)) and `b`, B's Cholesky factor from dpotrf with the same
// `triangle` (ldb >= max(n, 1)): only that triangle of each is read, and only that triangle of `a` is
// overwritten by the reduced matrix. Sizes are narrowed to LAPACK's int first (std::length_error naming the
// argument, before any work); std::logic_error on an argument LAPACK rejects (dsygst has no other failure).
void dsygst_standard_form(Triangle triangle, std::uint64_t n, double* a, std::uint64_t lda, const double* b,
                          std::uint64_t ldb);

}  // namespace rankme
