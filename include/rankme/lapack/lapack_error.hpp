#pragma once
// What LAPACK's and ScaLAPACK's INFO reports, as C++ exceptions. INFO < 0 says that argument -INFO was
// invalid: rankme passed it, so it is a bug in rankme (std::logic_error). INFO > 0 says the routine itself
// failed on this matrix (for every routine rankme calls: an iteration that did not converge), which
// LapackFailure carries with the routine's name and INFO.
#include <stdexcept>
#include <string>

#include "rankme/lapack/blas_int.hpp"

namespace rankme {

class LapackFailure : public std::runtime_error {
 public:
  LapackFailure(const std::string& routine, blas_int info);

  const std::string& routine() const noexcept { return routine_; }
  blas_int info() const noexcept { return info_; }

 private:
  std::string routine_;
  blas_int info_;
};

// Nothing for info == 0; std::logic_error naming the routine and the argument for info < 0; LapackFailure
// for info > 0.
void check_info(const char* routine, blas_int info);

}  // namespace rankme
