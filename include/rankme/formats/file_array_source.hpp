#pragma once
// The rows of an array stored uncompressed somewhere in a file (.npy, a stored .npz member, safetensors, a
// torch storage in a zip stored without compression), read by pread: the RowSource of every tensor format
// whose bytes are in place. The array may be in any layout (array_layout.hpp): C order is one read per run
// of rows; any other (Fortran order, strided views) is gathered in large spans (strided_gather.hpp), with
// memory independent of the array's size. Reads are local: the collective contract of row_source.hpp holds
// trivially.
#include <string>

#include "rankme/formats/array_layout.hpp"
#include "rankme/formats/read_only_file.hpp"
#include "rankme/io/row_source.hpp"

namespace rankme {

class FileArraySource : public RowSource {
 public:
  // Opens `path` and checks that every element of `layout` lies inside it (std::runtime_error naming the
  // file otherwise: it may have been truncated since it was listed).
  FileArraySource(std::string path, ArrayLayout layout);

  std::uint64_t rows() const override { return layout_.shape[0]; }
  std::uint64_t cols() const override { return cols_; }
  StoredType stored_type() const override { return layout_.type; }
  void read_rows(const std::vector<RowRun>& runs, unsigned char* out, std::size_t out_bytes) override;
  // C order: one pread of the range per row (--pool first/last read one token per sample, not all of
  // them); other layouts read whole rows and copy the range out (RowSource's way).
  void read_row_columns(const std::vector<RowRun>& runs, std::uint64_t first_col, std::uint64_t col_count,
                        unsigned char* out, std::size_t out_bytes) override;
  FileFingerprint fingerprint() const override;

 private:
  ReadOnlyFile file_;
  ArrayLayout layout_;
  std::uint64_t cols_ = 0;
};

}  // namespace rankme
