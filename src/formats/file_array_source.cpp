#include "rankme/formats/file_array_source.hpp"

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

FileFingerprint FileArraySource::fingerprint() const { return FileFingerprint::of(file_.path()); }

}  // namespace rankme
