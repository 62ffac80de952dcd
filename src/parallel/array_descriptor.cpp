#include "rankme/parallel/array_descriptor.hpp"

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

}  // namespace rankme
