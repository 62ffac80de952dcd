#include "rankme/lapack/sygvd.hpp"

#include <algorithm>
#include <cstddef>
#include <vector>

#include "rankme/lapack/blas_int.hpp"
#include "rankme/lapack/lapack_error.hpp"
#include "rankme/lapack/lapack_prototypes.hpp"

namespace rankme {

void dsygvd_eigenvalues(Triangle triangle, std::uint64_t n, double* a, std::uint64_t lda, double* b, std::uint64_t ldb,
                        double* w) {
  const blas_int order = to_blas_int(n, "matrix order"), lda_int = to_blas_int(lda, "leading dimension of A"),
                 ldb_int = to_blas_int(ldb, "leading dimension of B");
  const int itype = 1;  // A x = lambda B x
  const char eigenvalues_only = 'N', uplo = uplo_of(triangle);
  int info = 0;
  double work_query = 0;
  int iwork_query = 0;
  const int query = -1;
  dsygvd_(&itype, &eigenvalues_only, &uplo, &order, a, &lda_int, b, &ldb_int, w, &work_query, &query, &iwork_query,
          &query, &info, 1, 1);
  check_info("dsygvd", info);
  const int lwork = workspace_length(work_query, "workspace length");
  const int liwork = std::max(iwork_query, 1);
  std::vector<double> work(static_cast<std::size_t>(lwork));
  std::vector<int> iwork(static_cast<std::size_t>(liwork));
  dsygvd_(&itype, &eigenvalues_only, &uplo, &order, a, &lda_int, b, &ldb_int, w, work.data(), &lwork, iwork.data(),
          &liwork, &info, 1, 1);
  check_info("dsygvd", info);
}

}  // namespace rankme
