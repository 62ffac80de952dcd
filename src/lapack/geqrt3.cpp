#include "rankme/lapack/geqrt3.hpp"

#include "rankme/lapack/blas_int.hpp"
#include "rankme/lapack/lapack_error.hpp"
#include "rankme/lapack/lapack_prototypes.hpp"

namespace rankme {

void dgeqrt3(std::uint64_t m, std::uint64_t n, double* a, std::uint64_t lda, double* t, std::uint64_t ldt) {
  const blas_int rows = to_blas_int(m, "rows"), cols = to_blas_int(n, "columns");
  const blas_int lda_int = to_blas_int(lda, "leading dimension"), ldt_int = to_blas_int(ldt, "leading dimension of T");
  int info = 0;
  dgeqrt3_(&rows, &cols, a, &lda_int, t, &ldt_int, &info);
  check_info("dgeqrt3", info);
}

}  // namespace rankme
