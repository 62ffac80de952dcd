#pragma once
// Arrays in every layout the tensor row sources must read (C and Fortran order, 3-D, views with storage
// offsets and gaps, stride 0), over a storage of float64 values that say where they are (value = storage
// index + 0.25), and the matrix each must read as, computed from the definition (row i, column c = the
// element [i, c's C-order multi-index]), plus random ascending run lists.
#include <cstdint>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "rankme/formats/array_layout.hpp"
#include "rankme/io/row_source.hpp"

namespace rankme::testing {

struct StridedCase {
  std::string label;
  std::vector<std::uint64_t> shape;
  std::vector<std::uint64_t> strides;
  std::uint64_t base = 0;  // storage offset, in elements
};

inline const StoredType float64_type{StoredType::Kind::floating, 8, false};

inline std::vector<StridedCase> strided_cases() {
  return {
      {"c_2d", {7, 5}, {5, 1}, 0},
      {"fortran_2d", {7, 5}, {1, 7}, 0},
      {"c_3d", {4, 3, 5}, {15, 5, 1}, 0},
      {"fortran_3d", {4, 3, 5}, {1, 4, 12}, 0},
      {"transposed_view_with_offset", {5, 7}, {1, 5}, 3},
      {"permuted_with_gaps", {3, 4, 2}, {1, 9, 3}, 2},
      {"rows_broadcast_stride_0", {6, 4}, {0, 1}, 1},
      {"columns_broadcast_stride_0", {6, 4}, {1, 0}, 0},
      {"one_axis_stride_2", {10}, {2}, 1},
      {"single_column", {9, 1}, {1, 1}, 0},
      {"empty_rows", {0, 3}, {3, 1}, 0},
  };
}

inline ArrayLayout layout_of(const StridedCase& c, std::uint64_t stream_offset) {
  return ArrayLayout{float64_type, c.shape, c.strides, stream_offset + c.base * 8};
}

// Elements of storage the case needs (its last element's index + 1).
inline std::uint64_t storage_elements(const StridedCase& c) {
  std::uint64_t last = c.base;
  for (std::size_t axis = 0; axis < c.shape.size(); ++axis) {
    if (c.shape[axis] == 0) return c.base + 3;
    last += (c.shape[axis] - 1) * c.strides[axis];
  }
  return last + 1 + 3;  // a few values beyond it, which must never be read
}

inline std::string storage_bytes(std::uint64_t elements) {
  std::string bytes(elements * 8, '\0');
  for (std::uint64_t q = 0; q < elements; ++q) {
    const double value = static_cast<double>(q) + 0.25;
    std::memcpy(&bytes[q * 8], &value, 8);
  }
  return bytes;
}

inline std::uint64_t row_elements(const StridedCase& c) {
  std::uint64_t cols = 1;
  for (std::size_t axis = 1; axis < c.shape.size(); ++axis) cols *= c.shape[axis];
  return cols;
}

// The value the source must deliver at row `row`, column `col`.
inline double expected_value(const StridedCase& c, std::uint64_t row, std::uint64_t col) {
  std::uint64_t q = c.base + row * c.strides[0];
  for (std::size_t axis = c.shape.size(); axis-- > 1;) {
    q += (col % c.shape[axis]) * c.strides[axis];
    col /= c.shape[axis];
  }
  return static_cast<double>(q) + 0.25;
}

// Ascending, disjoint runs over [0, rows): each row is skipped or taken at random, consecutive taken rows
// form one run.
inline std::vector<RowRun> random_runs(std::uint64_t rows, std::mt19937& random) {
  std::vector<RowRun> runs;
  std::bernoulli_distribution take(0.6);
  for (std::uint64_t row = 0; row < rows; ++row) {
    if (!take(random)) continue;
    if (!runs.empty() && runs.back().first + runs.back().count == row && take(random)) {
      ++runs.back().count;
    } else {
      runs.push_back({row, 1});
    }
  }
  return runs;
}

// Compares a block read for `runs` with the definition; returns "" or the first difference.
inline std::string block_difference(const StridedCase& c, const std::vector<RowRun>& runs, const std::vector<double>& block) {
  const std::uint64_t cols = row_elements(c);
  std::size_t at = 0;
  for (const RowRun& run : runs) {
    for (std::uint64_t row = run.first; row < run.first + run.count; ++row) {
      for (std::uint64_t col = 0; col < cols; ++col, ++at) {
        if (block.at(at) != expected_value(c, row, col)) {
          return c.label + ": row " + std::to_string(row) + " column " + std::to_string(col) + " read " +
                 std::to_string(block[at]) + ", expected " + std::to_string(expected_value(c, row, col));
        }
      }
    }
  }
  return "";
}

}  // namespace rankme::testing
