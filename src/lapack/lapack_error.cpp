#include "rankme/lapack/lapack_error.hpp"

namespace rankme {

LapackFailure::LapackFailure(const std::string& routine, blas_int info)
    : std::runtime_error(routine + " did not converge (info = " + std::to_string(info) + ")"),
      routine_(routine),
      info_(info) {}

void check_info(const char* routine, blas_int info) {
  if (info < 0) {
    throw std::logic_error(std::string(routine) + ": argument " + std::to_string(-info) +
                           " was invalid (a bug in rankme)");
  }
  if (info > 0) throw LapackFailure(routine, info);
}

}  // namespace rankme
