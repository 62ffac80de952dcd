#include "rankme/lapack/gesdd.hpp"

#include <algorithm>
#include <cstddef>
#include <vector>

#include "rankme/lapack/blas_int.hpp"
#include "rankme/lapack/lapack_error.hpp"
#include "rankme/lapack/lapack_prototypes.hpp"

namespace rankme {

// With JOBZ = 'N' neither U nor VT is referenced, but LAPACK still checks LDU >= 1 and LDVT >= 1.
void dgesdd_singular_values(std::uint64_t m, std::uint64_t n, double* a, std::uint64_t leading, double* s) {
  const blas_int rows = to_blas_int(m, "rows"), cols = to_blas_int(n, "columns");
  const blas_int lda = to_blas_int(leading, "leading dimension"), one = 1;
  // IWORK is 8 * min(M, N) integers; dgesdd does not report it from the query.
  std::vector<int> iwork(8 * static_cast<std::size_t>(std::max(std::min(rows, cols), 1)));
  const char values_only = 'N';
  int info = 0;
  const int query = -1;
  double work_query = 0, unused = 0;
  dgesdd_(&values_only, &rows, &cols, a, &lda, s, &unused, &one, &unused, &one, &work_query, &query, iwork.data(),
          &info, 1);
  check_info("dgesdd", info);
  const int lwork = workspace_length(work_query, "workspace length");
  std::vector<double> work(static_cast<std::size_t>(lwork));
  dgesdd_(&values_only, &rows, &cols, a, &lda, s, &unused, &one, &unused, &one, work.data(), &lwork, iwork.data(),
          &info, 1);
  check_info("dgesdd", info);
}

}  // namespace rankme
