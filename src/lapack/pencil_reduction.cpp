#include "rankme/lapack/pencil_reduction.hpp"

#include <cblas.h>

#include <cstddef>

#include "rankme/lapack/blas_int.hpp"
#include "rankme/lapack/lapack_error.hpp"
#include "rankme/lapack/lapack_prototypes.hpp"

namespace rankme {

void reduce_pencil_to_standard(std::uint64_t n, double* a, std::uint64_t lda, double* b, std::uint64_t ldb) {
  const blas_int order = to_blas_int(n, "matrix order"), lda_int = to_blas_int(lda, "leading dimension of A"),
                 ldb_int = to_blas_int(ldb, "leading dimension of B");
  if (order == 0) return;
  const char lower = 'L';
  int info = 0;
  dpotrf_(&lower, &order, b, &ldb_int, &info, 1);
  check_info("dpotrf", info);
  // The triangular solves take A whole: its upper triangle from the lower one.
  for (std::size_t col = 0; col < static_cast<std::size_t>(n); ++col) {
    for (std::size_t row = 0; row < col; ++row) a[row + col * lda] = a[col + row * lda];
  }
  // L^-1 A, then (L^-1 A) L^-T.
  cblas_dtrsm(CblasColMajor, CblasLeft, CblasLower, CblasNoTrans, CblasNonUnit, order, order, 1.0, b, ldb_int, a, lda_int);
  cblas_dtrsm(CblasColMajor, CblasRight, CblasLower, CblasTrans, CblasNonUnit, order, order, 1.0, b, ldb_int, a, lda_int);
}

}  // namespace rankme
