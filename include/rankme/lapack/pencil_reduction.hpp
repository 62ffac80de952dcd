#pragma once
// A symmetric-definite pencil A x = lambda B x reduced to a standard symmetric problem with the same
// eigenvalues, C = L^-1 A L^-T for the Cholesky factor B = L L^T (LiDAR's Sigma_b against Sigma_w:
// numerics.md, "LiDAR"): dpotrf, then dsygst (sygst.hpp), as LAPACK's dsygv does before its eigensolver,
// whose eigenvalues-only solver is then the one RankMe's Gram matrix gets (eigensolver.hpp). dsygst rather
// than two dtrsm with n right-hand sides: at order 2,048 (OpenBLAS 0.3.21, 2 threads, Cooperlake) it took
// 0.13-0.17 s against their 0.24 s (n^3 flops against 2 n^3; same result to rounding).
#include <cstdint>

namespace rankme {

// `b` (n x n, column-major, leading dimension ldb >= max(n, 1), lower triangle read) becomes its Cholesky
// factor L (lower triangle), and the lower triangle of `a` (lda >= max(n, 1); the upper one is neither read
// nor written) becomes that of L^-1 A L^-T, valid for a symmetric eigensolver.
// Sizes are narrowed to LAPACK's int first (std::length_error naming the argument, before any work).
// Throws LapackFailure ("dpotrf", INFO) when B is not positive definite and std::logic_error on an
// argument LAPACK rejects.
void reduce_pencil_to_standard(std::uint64_t n, double* a, std::uint64_t lda, double* b, std::uint64_t ldb);

}  // namespace rankme
