#include "rankme/lapack/tpqrt2.hpp"

#include "rankme/lapack/blas_int.hpp"
#include "rankme/lapack/lapack_error.hpp"
#include "rankme/lapack/lapack_prototypes.hpp"

namespace rankme {

void dtpqrt2(std::uint64_t m, std::uint64_t n, std::uint64_t l, double* a, std::uint64_t lda, double* b,
             std::uint64_t ldb, double* t, std::uint64_t ldt) {
  const blas_int rows = to_blas_int(m, "rows"), cols = to_blas_int(n, "columns");
  const blas_int pentagon = to_blas_int(l, "pentagon rows");
  const blas_int lda_int = to_blas_int(lda, "leading dimension of A");
  const blas_int ldb_int = to_blas_int(ldb, "leading dimension of B");
  const blas_int ldt_int = to_blas_int(ldt, "leading dimension of T");
  int info = 0;
  dtpqrt2_(&rows, &cols, &pentagon, a, &lda_int, b, &ldb_int, t, &ldt_int, &info);
  check_info("dtpqrt2", info);
}

}  // namespace rankme
