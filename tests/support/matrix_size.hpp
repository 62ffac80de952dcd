// rows x cols as a number of elements, checked: the fixture writers and the LAPACK reference size their
// buffers with it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <limits>
#include <stdexcept>
#include <string>

namespace rankme::testing {

// rows * cols, or std::invalid_argument (prefixed by `where`) when that overflows size_t.
inline std::size_t element_count(std::uint64_t rows, std::uint64_t cols, const std::string& where) {
  if (cols != 0 && rows > std::numeric_limits<std::size_t>::max() / cols) {
    throw std::invalid_argument(where + ": " + std::to_string(rows) + "x" + std::to_string(cols) +
                                " elements overflow size_t");
  }
  return static_cast<std::size_t>(rows * cols);
}

}  // namespace rankme::testing
