#pragma once
// BLAS, LAPACK and ScaLAPACK take 32-bit ints; rankme's sizes are 64-bit. Narrow in one checked place.
#include <cmath>
#include <cstdint>
#include <limits>
#include <stdexcept>
#include <string>

namespace rankme {

using blas_int = int;

// Throws std::length_error naming the argument when `value` does not fit the libraries' int.
inline blas_int to_blas_int(std::uint64_t value, const char* what) {
  if (value > static_cast<std::uint64_t>(std::numeric_limits<blas_int>::max())) {
    throw std::length_error(std::string(what) + " = " + std::to_string(value) +
                            " exceeds the 32-bit integer range of BLAS/LAPACK/ScaLAPACK");
  }
  return static_cast<blas_int>(value);
}

// The workspace length a workspace query (LWORK = -1) returned in WORK(1), a double: rounded up, at least
// 1, and narrowed like any other size (std::length_error naming `what` when it does not fit; a NaN or an
// infinity does not either). The routine will be called with exactly this length.
inline blas_int workspace_length(double query_result, const char* what) {
  if (!(query_result < 0x1p63)) {
    throw std::length_error(std::string(what) + " = " + std::to_string(query_result) +
                            " exceeds the 32-bit integer range of BLAS/LAPACK/ScaLAPACK");
  }
  if (!(query_result > 1)) return 1;
  return to_blas_int(static_cast<std::uint64_t>(std::ceil(query_result)), what);
}

}  // namespace rankme
