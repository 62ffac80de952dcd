#pragma once
// The rows of an array inside a deflated zip member (np.savez_compressed, a compressed torch storage),
// read by inflating the member as a stream (inflating_stream.hpp), never by inflating it whole into memory.
//
// C order: the stream is inflated forward to the first row asked for, skipped bytes discarded, and kept
// going for the next runs; only a row behind the stream's position starts it again from the member's
// first byte. Each rank reads its own shard in ascending order, so that is one pass over the member (up
// to the end of the shard) per rank. Any other layout (Fortran order) spreads a row over the whole stream:
// each read_rows call (one block, however many runs) costs one pass over the stream up to the last element
// it needs per 2^20 elements of the block (strided_gather.hpp's slabs), so reading a Fortran-order
// deflated N x K array in blocks of B rows costs about N / B * ceil(B * K / 2^20) passes in total; memory stays bounded (16 MiB of placements plus the buffers). Re-saving
// such an array in C order (np.ascontiguousarray) makes it one pass.
#include <memory>
#include <string>

#include "rankme/formats/array_layout.hpp"
#include "rankme/formats/inflating_stream.hpp"
#include "rankme/formats/read_only_file.hpp"
#include "rankme/formats/tensor_entry.hpp"
#include "rankme/io/row_source.hpp"

namespace rankme {

class DeflatedArraySource : public RowSource {
 public:
  // `layout` is in the inflated bytes of `stream`; it is checked to lie inside its declared size, and the
  // member's compressed bytes to lie inside the file (std::runtime_error naming the file otherwise).
  DeflatedArraySource(std::string path, DeflatedStream stream, ArrayLayout layout);
  // The inflating stream reads through file_: neither may move without the other.
  DeflatedArraySource(const DeflatedArraySource&) = delete;
  DeflatedArraySource& operator=(const DeflatedArraySource&) = delete;

  std::uint64_t rows() const override { return layout_.shape[0]; }
  std::uint64_t cols() const override { return cols_; }
  StoredType stored_type() const override { return layout_.type; }
  void read_rows(const std::vector<RowRun>& runs, unsigned char* out, std::size_t out_bytes) override;
  FileFingerprint fingerprint() const override;

  // How many times the member was inflated from its start so far (for tests of the one-pass promise).
  std::uint64_t passes() const { return inflating_->passes(); }

 private:
  ReadOnlyFile file_;
  ArrayLayout layout_;
  std::uint64_t cols_ = 0;
  std::unique_ptr<InflatingStream> inflating_;
};

}  // namespace rankme
