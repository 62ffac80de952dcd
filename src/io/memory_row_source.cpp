#include "rankme/io/memory_row_source.hpp"

#include <cstring>
#include <stdexcept>
#include <string>
#include <utility>

namespace rankme {

MemoryRowSource::MemoryRowSource(const StoredType& type, std::uint64_t rows, std::uint64_t cols,
                                 std::vector<unsigned char> bytes)
    : type_(type), rows_(rows), cols_(cols) {
  replace_bytes(std::move(bytes));
  generation_ = 0;
}

MemoryRowSource::MemoryRowSource(const StoredType& type, std::uint64_t rows, std::uint64_t cols,
                                 const unsigned char* data, std::size_t size)
    : type_(type), rows_(rows), cols_(cols), data_(data), size_(size) {
  check_size(size);
}

void MemoryRowSource::check_size(std::size_t size) const {
  if (size != rows_ * row_bytes()) {
    throw std::invalid_argument(std::to_string(size) + " bytes for " + std::to_string(rows_) + " rows of " +
                                std::to_string(row_bytes()) + " bytes");
  }
}

void MemoryRowSource::replace_bytes(std::vector<unsigned char> bytes) {
  check_size(bytes.size());
  owned_ = std::move(bytes);
  data_ = owned_.data();
  size_ = owned_.size();
  ++generation_;
}

void MemoryRowSource::read_rows(const std::vector<RowRun>& runs, unsigned char* out, std::size_t out_bytes) {
  ++read_calls_;
  std::size_t written = 0;
  for (const RowRun& run : runs) {
    if (run.first > rows_ || run.count > rows_ - run.first) {
      throw std::out_of_range("rows " + std::to_string(run.first) + ".." + std::to_string(run.first + run.count) +
                              " of " + std::to_string(rows_));
    }
    const std::size_t length = static_cast<std::size_t>(run.count) * row_bytes();
    if (length > out_bytes - written) throw std::out_of_range("a block larger than its buffer");
    std::memcpy(out + written, data_ + static_cast<std::size_t>(run.first) * row_bytes(), length);
    written += length;
  }
}

FileFingerprint MemoryRowSource::fingerprint() const {
  FileFingerprint fingerprint;
  fingerprint.size = size_;
  fingerprint.mtime_ns = generation_;
  return fingerprint;
}

}  // namespace rankme
