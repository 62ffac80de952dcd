#include "rankme/parallel/array_descriptor.hpp"

#include <algorithm>

#include "rankme/lapack/lapack_error.hpp"
#include "rankme/parallel/scalapack_prototypes.hpp"

namespace rankme {

blas_int numroc(std::uint64_t n, blas_int block, blas_int coordinate, blas_int processes) {
  const blas_int order = to_blas_int(n, "matrix order"), first_process = 0;
  return numroc_(&order, &block, &coordinate, &first_process, &processes);
}

ArrayDescriptor descinit(std::uint64_t m, std::uint64_t n, blas_int mb, blas_int nb, blas_int context,
                         std::uint64_t local_leading) {
  const blas_int rows = to_blas_int(m, "rows"), cols = to_blas_int(n, "columns");
  const blas_int lld = to_blas_int(local_leading, "local leading dimension"), first_process = 0;
  ArrayDescriptor descriptor{};
  int info = 0;
  descinit_(descriptor.data(), &rows, &cols, &mb, &nb, &first_process, &first_process, &context, &lld, &info);
  check_info("descinit", info);
  return descriptor;
}

std::uint64_t global_index(std::uint64_t local, blas_int block, blas_int coordinate, blas_int processes) {
  const auto nb = static_cast<std::uint64_t>(block);
  return (local / nb) * nb * static_cast<std::uint64_t>(processes) + static_cast<std::uint64_t>(coordinate) * nb +
         local % nb;
}

std::vector<double> lower_triangle_piece(const std::vector<double>& replicated, std::uint64_t order, blas_int block,
                                         blas_int my_row, blas_int my_col, blas_int grid_rows, blas_int grid_cols,
                                         blas_int local_rows, blas_int local_cols, blas_int leading) {
  std::vector<double> local(static_cast<std::size_t>(leading) * static_cast<std::size_t>(std::max(local_cols, 1)), 0.0);
  for (blas_int col = 0; col < local_cols; ++col) {
    const std::uint64_t global_col = global_index(static_cast<std::uint64_t>(col), block, my_col, grid_cols);
    for (blas_int row = 0; row < local_rows; ++row) {
      const std::uint64_t global_row = global_index(static_cast<std::uint64_t>(row), block, my_row, grid_rows);
      if (global_row < global_col) continue;
      local[static_cast<std::size_t>(row) + static_cast<std::size_t>(col) * static_cast<std::size_t>(leading)] =
          replicated[global_row + global_col * order];
    }
  }
  return local;
}

}  // namespace rankme
