#include "rankme/io/row_source.hpp"

#include <cstring>
#include <stdexcept>
#include <string>

namespace rankme {

void RowSource::read_row_columns(const std::vector<RowRun>& runs, std::uint64_t first_col, std::uint64_t col_count,
                                 unsigned char* out, std::size_t out_bytes) {
  if (first_col > cols() || col_count > cols() - first_col) {
    throw std::out_of_range("columns " + std::to_string(first_col) + ".." + std::to_string(first_col + col_count) + " of " +
                            std::to_string(cols()));
  }
  std::uint64_t rows = 0;
  for (const RowRun& run : runs) rows += run.count;
  const std::size_t value_bytes = static_cast<std::size_t>(stored_type().bytes);
  const std::size_t range_bytes = static_cast<std::size_t>(col_count) * value_bytes;
  if (rows * range_bytes > out_bytes) throw std::logic_error("a block of " + std::to_string(rows) + " rows does not fit its buffer");
  std::vector<unsigned char> whole(static_cast<std::size_t>(rows) * row_bytes());
  read_rows(runs, whole.data(), whole.size());
  for (std::uint64_t row = 0; row < rows; ++row) {
    std::memcpy(out + row * range_bytes, whole.data() + row * row_bytes() + first_col * value_bytes, range_bytes);
  }
}

}  // namespace rankme
