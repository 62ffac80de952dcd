#include "rankme/lapack/sygst.hpp"

#include "rankme/lapack/blas_int.hpp"
#include "rankme/lapack/lapack_error.hpp"
#include "rankme/lapack/lapack_prototypes.hpp"

namespace rankme {

void dsygst_standard_form(Triangle triangle, std::uint64_t n, double* a, std::uint64_t lda, const double* b,
                          std::uint64_t ldb) {
  const blas_int order = to_blas_int(n, "matrix order"), lda_int = to_blas_int(lda, "leading dimension of A"),
                 ldb_int = to_blas_int(ldb, "leading dimension of B");
  const int itype = 1;  // A x = lambda B x (2 and 3 are the products A B x and B A x)
  const char uplo = uplo_of(triangle);
  int info = 0;
  dsygst_(&itype, &uplo, &order, a, &lda_int, b, &ldb_int, &info, 1);
  check_info("dsygst", info);
}

}  // namespace rankme
