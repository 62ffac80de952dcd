#include "rankme/lapack/pencil_reduction.hpp"

#include "rankme/lapack/blas_int.hpp"
#include "rankme/lapack/lapack_error.hpp"
#include "rankme/lapack/lapack_prototypes.hpp"
#include "rankme/lapack/sygst.hpp"

namespace rankme {

void reduce_pencil_to_standard(std::uint64_t n, double* a, std::uint64_t lda, double* b, std::uint64_t ldb) {
  const blas_int order = to_blas_int(n, "matrix order"), ldb_int = to_blas_int(ldb, "leading dimension of B");
  to_blas_int(lda, "leading dimension of A");
  if (order == 0) return;
  const char lower = 'L';
  int info = 0;
  dpotrf_(&lower, &order, b, &ldb_int, &info, 1);
  check_info("dpotrf", info);
  dsygst_standard_form(Triangle::lower, n, a, lda, b, ldb);
}

}  // namespace rankme
