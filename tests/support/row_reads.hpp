// Reading runs of rows from a RowSource into a vector of its element type (double for float64 sources,
// float for float32, ...), as the row-source tests of every area do. Header only: no library to link.
#pragma once

#include <cstdint>
#include <vector>

#include "rankme/io/row_source.hpp"

namespace rankme::testing {

// The rows of `runs`, in order, `source.cols()` values each.
template <typename Value>
std::vector<Value> read_rows_as(RowSource& source, const std::vector<RowRun>& runs) {
  std::uint64_t rows = 0;
  for (const RowRun& run : runs) rows += run.count;
  std::vector<Value> block(rows * source.cols());
  source.read_rows(runs, reinterpret_cast<unsigned char*>(block.data()), block.size() * sizeof(Value));
  return block;
}

}  // namespace rankme::testing
