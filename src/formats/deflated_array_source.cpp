#include "rankme/formats/deflated_array_source.hpp"

#include <stdexcept>

#include "rankme/formats/strided_gather.hpp"

namespace rankme {

DeflatedArraySource::DeflatedArraySource(std::string path, DeflatedStream stream, ArrayLayout layout)
    : file_(path), layout_(std::move(layout)) {
  const std::string what = "'" + file_.path() + "': the deflated zip member " +
                           (stream.member.empty() ? "at byte " + std::to_string(stream.data_offset) : "'" + stream.member + "'");
  if (stream.data_offset > file_.size() || stream.compressed_bytes > file_.size() - stream.data_offset) {
    throw std::runtime_error(what + " has " + std::to_string(stream.compressed_bytes) +
                             " compressed bytes, beyond the end of the file (truncated?)");
  }
  layout_.check_inside(stream.inflated_bytes, what);
  cols_ = checked_row_elements(layout_, stream.inflated_bytes, what);
  inflating_ = std::make_unique<InflatingStream>(file_, stream, what);
}

void DeflatedArraySource::read_rows(const std::vector<RowRun>& runs, unsigned char* out, std::size_t out_bytes) {
  check_row_runs(runs, rows(), row_bytes(), out_bytes, "'" + file_.path() + "'");
  GatherLimits limits;
  // Every slab of a non-C-order layout is a pass over the stream: make them large.
  limits.slab_elements = std::uint64_t{1} << 20;
  gather_rows(
      layout_, runs, out,
      [this](std::uint64_t offset, std::size_t bytes, unsigned char* into) { inflating_->read(offset, bytes, into); },
      limits);
}

FileFingerprint DeflatedArraySource::fingerprint() const { return FileFingerprint::of(file_.path()); }

}  // namespace rankme
