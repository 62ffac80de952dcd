#pragma once
// LAPACK's generalised symmetric-definite eigensolver dsygvd, eigenvalues only (ITYPE = 1: A x = lambda B x,
// JOBZ = 'N'): LiDAR's between-class scatter against its within-class one (numerics.md, "LiDAR").
#include <cstdint>

#include "rankme/lapack/triangle.hpp"

namespace rankme {

// All eigenvalues, ascending, into w[0..n) of A x = lambda B x for the symmetric n x n column-major `a` and
// the symmetric positive definite `b` (leading dimensions lda, ldb >= max(n, 1)), of which only `triangle`
// is read; both are overwritten (`b` by its Cholesky factor). Sizes are narrowed to LAPACK's int first
// (std::length_error naming the argument, before any work); the workspace comes from a query. Throws
// std::logic_error on an argument LAPACK rejects and LapackFailure when B is not positive definite
// (INFO > n) or the eigensolver does not converge.
void dsygvd_eigenvalues(Triangle triangle, std::uint64_t n, double* a, std::uint64_t lda, double* b, std::uint64_t ldb,
                        double* w);

}  // namespace rankme
