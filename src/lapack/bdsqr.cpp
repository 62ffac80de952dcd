#include "rankme/lapack/bdsqr.hpp"

#include <algorithm>
#include <cstddef>
#include <vector>

#include "rankme/lapack/blas_int.hpp"
#include "rankme/lapack/lapack_error.hpp"
#include "rankme/lapack/lapack_prototypes.hpp"

namespace rankme {

// With no vectors (NCVT = NRU = NCC = 0) VT, U and C are not referenced, but LAPACK still checks their
// leading dimensions against 1.
void dbdsqr_singular_values(std::uint64_t n, double* d, double* e) {
  const blas_int order = to_blas_int(n, "matrix order"), none = 0, one = 1;
  std::vector<double> work(4 * static_cast<std::size_t>(std::max(order, 1)));
  const char upper = 'U';
  double unused = 0;
  int info = 0;
  dbdsqr_(&upper, &order, &none, &none, &none, d, e, &unused, &one, &unused, &one, &unused, &one, work.data(), &info, 1);
  check_info("dbdsqr", info);
}

}  // namespace rankme
