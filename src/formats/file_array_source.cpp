#include "rankme/formats/file_array_source.hpp"

#include <stdexcept>

#include "rankme/formats/strided_gather.hpp"

namespace rankme {

FileArraySource::FileArraySource(std::string path, ArrayLayout layout) : file_(path), layout_(std::move(layout)) {
  layout_.check_inside(file_.size(), "'" + file_.path() + "'");
  cols_ = checked_row_elements(layout_, file_.size(), "'" + file_.path() + "'");
}

void FileArraySource::read_rows(const std::vector<RowRun>& runs, unsigned char* out, std::size_t out_bytes) {
  check_row_runs(runs, rows(), row_bytes(), out_bytes, "'" + file_.path() + "'");
  gather_rows(layout_, runs, out, [this](std::uint64_t offset, std::size_t bytes, unsigned char* into) {
    file_.read_exactly(offset, into, bytes);
  });
}

void FileArraySource::read_row_columns(const std::vector<RowRun>& runs, std::uint64_t first_col,
                                       std::uint64_t col_count, unsigned char* out, std::size_t out_bytes) {
  if (!layout_.c_contiguous() || (first_col == 0 && col_count == cols_)) {
    RowSource::read_row_columns(runs, first_col, col_count, out, out_bytes);
    return;
  }
  if (first_col > cols_ || col_count > cols_ - first_col) {
    throw std::out_of_range("read_row_columns: columns [" + std::to_string(first_col) + ", " +
                            std::to_string(first_col + col_count) + ") of " + std::to_string(cols_));
  }
  const auto element_bytes = static_cast<std::uint64_t>(layout_.type.bytes);
  const std::size_t range_bytes = static_cast<std::size_t>(col_count * element_bytes);
  // Checks the runs against rows() and out_bytes as read_rows does, counting range_bytes per row.
  check_row_runs(runs, rows(), range_bytes, out_bytes, "'" + file_.path() + "'");
  for (const RowRun& run : runs) {
    for (std::uint64_t row = run.first; row < run.first + run.count; ++row) {
      file_.read_exactly(layout_.offset + (row * cols_ + first_col) * element_bytes, out, range_bytes);
      out += range_bytes;
    }
  }
}

FileFingerprint FileArraySource::fingerprint() const { return FileFingerprint::of(file_.path()); }

}  // namespace rankme
