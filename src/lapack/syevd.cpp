#include "rankme/lapack/syevd.hpp"

#include <algorithm>
#include <cstddef>
#include <vector>

#include "rankme/lapack/blas_int.hpp"
#include "rankme/lapack/lapack_error.hpp"
#include "rankme/lapack/lapack_prototypes.hpp"

namespace rankme {

namespace {

// The two dsyevd drivers share one signature: the one-stage routine or the 2-stage one.
using DsyevdRoutine = void (*)(const char*, const char*, const int*, double*, const int*, double*, double*,
                               const int*, int*, const int*, int*, std::size_t, std::size_t);

void dsyevd_with(DsyevdRoutine routine, const char* name, Triangle triangle, std::uint64_t order, double* a,
                 std::uint64_t leading, double* w) {
  const blas_int n = to_blas_int(order, "matrix order"), lda = to_blas_int(leading, "leading dimension");
  const char eigenvalues_only = 'N', uplo = uplo_of(triangle);
  int info = 0;
  double work_query = 0;
  int iwork_query = 0;
  const int query = -1;
  routine(&eigenvalues_only, &uplo, &n, a, &lda, w, &work_query, &query, &iwork_query, &query, &info, 1, 1);
  check_info(name, info);
  const int lwork = workspace_length(work_query, "workspace length");
  const int liwork = std::max(iwork_query, 1);
  std::vector<double> work(static_cast<std::size_t>(lwork));
  std::vector<int> iwork(static_cast<std::size_t>(liwork));
  routine(&eigenvalues_only, &uplo, &n, a, &lda, w, work.data(), &lwork, iwork.data(), &liwork, &info, 1, 1);
  check_info(name, info);
}

}  // namespace

void dsyevd_eigenvalues(Triangle triangle, std::uint64_t n, double* a, std::uint64_t lda, double* w) {
  dsyevd_with(dsyevd_, "dsyevd", triangle, n, a, lda, w);
}

void dsyevd_2stage_eigenvalues(Triangle triangle, std::uint64_t n, double* a, std::uint64_t lda, double* w) {
  dsyevd_with(dsyevd_2stage_, "dsyevd_2stage", triangle, n, a, lda, w);
}

}  // namespace rankme
