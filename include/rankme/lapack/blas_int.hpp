#pragma once
// BLAS, LAPACK and ScaLAPACK take 32-bit ints; rankme's sizes are 64-bit. Narrow in one checked place.
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

}  // namespace rankme
