#include "rankme/lapack/geqrf.hpp"

#include <cstddef>
#include <vector>

#include "rankme/lapack/blas_int.hpp"
#include "rankme/lapack/lapack_error.hpp"
#include "rankme/lapack/lapack_prototypes.hpp"

namespace rankme {

void dgeqrf(std::uint64_t m, std::uint64_t n, double* a, std::uint64_t leading, double* tau) {
  const blas_int rows = to_blas_int(m, "rows"), cols = to_blas_int(n, "columns");
  const blas_int lda = to_blas_int(leading, "leading dimension");
  int info = 0;
  const int query = -1;
  double work_query = 0;
  dgeqrf_(&rows, &cols, a, &lda, tau, &work_query, &query, &info);
  check_info("dgeqrf", info);
  const int lwork = workspace_length(work_query, "workspace length");
  std::vector<double> work(static_cast<std::size_t>(lwork));
  dgeqrf_(&rows, &cols, a, &lda, tau, work.data(), &lwork, &info);
  check_info("dgeqrf", info);
}

}  // namespace rankme
