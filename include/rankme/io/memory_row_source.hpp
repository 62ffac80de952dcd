#pragma once
// A RowSource (row_source.hpp) over a matrix held in memory: the stored bytes of rows x cols values of
// one StoredType, row after row. Tests read and score through it without any file; it is also the
// smallest example of the interface. Its reads are local (no MPI): each rank holds its own copy. It owns
// its bytes, or borrows them (the Python module scores a numpy array's memory in place, without a copy).
#include <cstddef>
#include <cstdint>
#include <vector>

#include "rankme/io/row_source.hpp"

namespace rankme {

class MemoryRowSource : public RowSource {
 public:
  // `bytes` holds rows x cols values stored as `type` (in its byte order); throws std::invalid_argument
  // when its size is not that.
  MemoryRowSource(const StoredType& type, std::uint64_t rows, std::uint64_t cols, std::vector<unsigned char> bytes);
  // Borrows `size` bytes at `data`: whoever owns them keeps them alive and unchanged while the source is
  // read. Throws std::invalid_argument when `size` is not rows x cols values.
  MemoryRowSource(const StoredType& type, std::uint64_t rows, std::uint64_t cols, const unsigned char* data,
                  std::size_t size);

  std::uint64_t rows() const override { return rows_; }
  std::uint64_t cols() const override { return cols_; }
  StoredType stored_type() const override { return type_; }
  // Copies the runs' bytes; throws std::out_of_range for a run past the last row or a short `out`.
  void read_rows(const std::vector<RowRun>& runs, unsigned char* out, std::size_t out_bytes) override;
  // Changes with every replace_bytes(), as a file's does when it is rewritten.
  FileFingerprint fingerprint() const override;

  // New values of the same size: the input "changed while it was read".
  void replace_bytes(std::vector<unsigned char> bytes);
  // How many times read_rows() was called, runs or none (the collective contract counts calls).
  std::uint64_t read_calls() const { return read_calls_; }

 private:
  // Throws std::invalid_argument when `size` is not rows x cols values.
  void check_size(std::size_t size) const;

  StoredType type_;
  std::uint64_t rows_;
  std::uint64_t cols_;
  std::vector<unsigned char> owned_;     // empty when borrowed
  const unsigned char* data_ = nullptr;  // owned_'s, or the borrowed bytes
  std::size_t size_ = 0;
  std::int64_t generation_ = 0;
  std::uint64_t read_calls_ = 0;
};

}  // namespace rankme
