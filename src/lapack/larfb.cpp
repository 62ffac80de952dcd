#include "rankme/lapack/larfb.hpp"

#include <algorithm>
#include <cstddef>
#include <stdexcept>
#include <vector>

#include "rankme/lapack/blas_int.hpp"
#include "rankme/lapack/lapack_prototypes.hpp"

namespace rankme {

void dlarfb(ReflectorSide side, bool transpose, ReflectorStorage storage, std::uint64_t m, std::uint64_t n,
            std::uint64_t k, const double* v, std::uint64_t ldv, const double* t, std::uint64_t ldt, double* c,
            std::uint64_t ldc) {
  const blas_int rows = to_blas_int(m, "rows"), cols = to_blas_int(n, "columns"), count = to_blas_int(k, "reflectors");
  const blas_int ldv_int = to_blas_int(ldv, "leading dimension of V"), ldt_int = to_blas_int(ldt, "leading dimension of T");
  const blas_int ldc_int = to_blas_int(ldc, "leading dimension of C");
  // WORK is LDWORK x K with LDWORK = N (left) or M (right). dlarfb has no INFO: its arguments are checked
  // here instead (nothing else would catch a short leading dimension).
  const bool left = side == ReflectorSide::left;
  const blas_int ldwork = std::max(left ? cols : rows, 1);
  const std::uint64_t reflected = left ? m : n;
  const bool columns = storage == ReflectorStorage::columns;
  if (ldc < std::max<std::uint64_t>(m, 1) || ldt < std::max<std::uint64_t>(k, 1) ||
      ldv < std::max<std::uint64_t>(columns ? reflected : k, 1) || k > reflected) {
    throw std::logic_error("dlarfb: a leading dimension is smaller than its matrix, or more reflectors than rows");
  }
  std::vector<double> work(static_cast<std::size_t>(ldwork) * static_cast<std::size_t>(std::max(count, 1)));
  const char side_char = left ? 'L' : 'R', trans_char = transpose ? 'T' : 'N', direct = 'F';
  const char storev = columns ? 'C' : 'R';
  dlarfb_(&side_char, &trans_char, &direct, &storev, &rows, &cols, &count, v, &ldv_int, t, &ldt_int, c, &ldc_int,
          work.data(), &ldwork, 1, 1, 1, 1);
}

}  // namespace rankme
