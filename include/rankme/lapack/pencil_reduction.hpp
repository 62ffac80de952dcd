#pragma once
// A symmetric-definite pencil A x = lambda B x reduced to a standard symmetric problem with the same
// eigenvalues, C = L^-1 A L^-T for the Cholesky factor B = L L^T (LiDAR's Sigma_b against Sigma_w:
// numerics.md, "LiDAR"), as LAPACK's dsygv does before its eigensolver. dsygv's own reduction, dsygst, is
// not used: at order 2,048 (OpenBLAS 0.3.21, 2 threads, Cooperlake) dsygvd took 5.2-5.8 s where dpotrf, two
// dtrsm and dsyevd took 2.4-3.1 s together (dsygst's blocked update is mostly symmetric rank-2 and
// matrix-vector work; two triangular solves with many right-hand sides are BLAS 3 throughout).
#include <cstdint>

namespace rankme {

// `b` (n x n, column-major, leading dimension ldb >= max(n, 1), lower triangle read) becomes its Cholesky
// factor L (lower triangle), and `a` (lda >= max(n, 1), lower triangle read; the upper one is overwritten
// with its mirror first) becomes L^-1 A L^-T, whose lower triangle is valid for a symmetric eigensolver.
// Sizes are narrowed to LAPACK's int first (std::length_error naming the argument, before any work).
// Throws LapackFailure ("dpotrf", INFO) when B is not positive definite and std::logic_error on an
// argument LAPACK rejects.
void reduce_pencil_to_standard(std::uint64_t n, double* a, std::uint64_t lda, double* b, std::uint64_t ldb);

}  // namespace rankme
