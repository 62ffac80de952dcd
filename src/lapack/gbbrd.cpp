#include "rankme/lapack/gbbrd.hpp"

#include <algorithm>
#include <cstddef>
#include <vector>

#include "rankme/lapack/blas_int.hpp"
#include "rankme/lapack/lapack_error.hpp"
#include "rankme/lapack/lapack_prototypes.hpp"

namespace rankme {

// With VECT = 'N' and NCC = 0, Q, PT and C are not referenced, but LAPACK still checks their leading
// dimensions against 1.
void dgbbrd_upper_band(std::uint64_t n, std::uint64_t ku, double* ab, std::uint64_t ldab, double* d, double* e) {
  const blas_int order = to_blas_int(n, "matrix order"), upper = to_blas_int(ku, "superdiagonals");
  const blas_int ldab_int = to_blas_int(ldab, "leading dimension"), none = 0, one = 1;
  std::vector<double> work(2 * static_cast<std::size_t>(std::max(order, 1)));
  const char no_vectors = 'N';
  double unused = 0;
  int info = 0;
  dgbbrd_(&no_vectors, &order, &order, &none, &none, &upper, ab, &ldab_int, d, e, &unused, &one, &unused, &one, &unused,
          &one, work.data(), &info, 1);
  check_info("dgbbrd", info);
}

}  // namespace rankme
