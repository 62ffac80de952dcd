#pragma once
// A file opened for reading by position (pread), as every tensor format reads its headers and rows: no
// shared file offset, so a prefetch thread and the main thread may read the same file at once.
#include <cstddef>
#include <cstdint>
#include <string>

#include "rankme/os/file_descriptor.hpp"

namespace rankme {

class ReadOnlyFile {
 public:
  // Throws std::runtime_error("cannot open '<path>': <reason>").
  explicit ReadOnlyFile(const std::string& path);

  const std::string& path() const { return path_; }
  // The size when it was opened.
  std::uint64_t size() const { return size_; }
  // Copies bytes [offset, offset + bytes) to `out`, looping over short reads. Throws std::runtime_error
  // naming the file when they are not all there (the file is shorter: truncated, or shrunk since) or the
  // read fails.
  void read_exactly(std::uint64_t offset, void* out, std::size_t bytes) const;
  // Up to `bytes` bytes from `offset`: fewer only at the end of the file.
  std::string read_at_most(std::uint64_t offset, std::size_t bytes) const;

 private:
  std::string path_;
  FileDescriptor descriptor_;
  std::uint64_t size_ = 0;
};

}  // namespace rankme
