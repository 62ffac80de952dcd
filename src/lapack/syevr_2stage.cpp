#include "rankme/lapack/syevr_2stage.hpp"

#include <algorithm>
#include <cstddef>
#include <stdexcept>
#include <string>
#include <vector>

#include "rankme/lapack/blas_int.hpp"
#include "rankme/lapack/lapack_error.hpp"
#include "rankme/lapack/lapack_prototypes.hpp"

namespace rankme {

// RANGE = 'A' with no eigenvectors: Z and ISUPPZ are never written, but LAPACK still checks LDZ >= 1; the
// bounds VL, VU, IL, IU and ABSTOL are ignored for RANGE = 'A'.
void dsyevr_2stage_eigenvalues(Triangle triangle, std::uint64_t order, double* a, std::uint64_t leading, double* w) {
  const blas_int n = to_blas_int(order, "matrix order"), lda = to_blas_int(leading, "leading dimension");
  const char eigenvalues_only = 'N', all_eigenvalues = 'A', uplo = uplo_of(triangle);
  const double unused_bound = 0, abstol = 0;
  const int unused_index = 0, ldz = 1;
  double z = 0;
  std::vector<int> isuppz(2 * static_cast<std::size_t>(std::max(n, 1)));
  int found = 0, info = 0;
  double work_query = 0;
  int iwork_query = 0;
  const int query = -1;
  dsyevr_2stage_(&eigenvalues_only, &all_eigenvalues, &uplo, &n, a, &lda, &unused_bound, &unused_bound,
                 &unused_index, &unused_index, &abstol, &found, w, &z, &ldz, isuppz.data(), &work_query, &query,
                 &iwork_query, &query, &info, 1, 1, 1);
  check_info("dsyevr_2stage", info);
  const int lwork = workspace_length(work_query, "workspace length");
  const int liwork = std::max(iwork_query, 1);
  std::vector<double> work(static_cast<std::size_t>(lwork));
  std::vector<int> iwork(static_cast<std::size_t>(liwork));
  dsyevr_2stage_(&eigenvalues_only, &all_eigenvalues, &uplo, &n, a, &lda, &unused_bound, &unused_bound,
                 &unused_index, &unused_index, &abstol, &found, w, &z, &ldz, isuppz.data(), work.data(), &lwork,
                 iwork.data(), &liwork, &info, 1, 1, 1);
  check_info("dsyevr_2stage", info);
  if (found != n) {
    throw std::runtime_error("dsyevr_2stage found " + std::to_string(found) + " of " + std::to_string(n) +
                             " eigenvalues");
  }
}

}  // namespace rankme
