#include "rankme/parallel/pdsyev.hpp"

#include "rankme/lapack/blas_int.hpp"
#include "rankme/lapack/lapack_error.hpp"
#include "rankme/parallel/scalapack_prototypes.hpp"

namespace rankme {

namespace {
const char eigenvalues_only = 'N';
// The whole matrix: global row and column 1 (ScaLAPACK's IA, JA, and IZ, JZ for the unused Z).
const blas_int first = 1;
}  // namespace

// Z and DESCZ are not referenced with JOBZ = 'N'; the matrix's own stand in for them.
std::uint64_t pdsyev_workspace_length(Triangle triangle, std::uint64_t n, double* local,
                                      const ArrayDescriptor& descriptor, double* w) {
  const blas_int order = to_blas_int(n, "matrix order");
  const char uplo = uplo_of(triangle);
  int info = 0;
  double work_query = 0;
  const int query = -1;
  pdsyev_(&eigenvalues_only, &uplo, &order, local, &first, &first, descriptor.data(), w, local, &first, &first,
          descriptor.data(), &work_query, &query, &info, 1, 1);
  check_info("pdsyev", info);
  // One more than PDSYEV asks for, as rankme has always allocated (a margin that costs nothing).
  return static_cast<std::uint64_t>(workspace_length(work_query, "pdsyev workspace length")) + 1;
}

void pdsyev_eigenvalues(Triangle triangle, std::uint64_t n, double* local, const ArrayDescriptor& descriptor,
                        double* w, std::vector<double>& work) {
  const blas_int order = to_blas_int(n, "matrix order");
  const blas_int lwork = to_blas_int(work.size(), "pdsyev workspace length");
  const char uplo = uplo_of(triangle);
  int info = 0;
  pdsyev_(&eigenvalues_only, &uplo, &order, local, &first, &first, descriptor.data(), w, local, &first, &first,
          descriptor.data(), work.data(), &lwork, &info, 1, 1);
  check_info("pdsyev", info);
}

}  // namespace rankme
