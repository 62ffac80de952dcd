#include "rankme/formats/read_only_file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>

namespace rankme {

ReadOnlyFile::ReadOnlyFile(const std::string& path) : path_(path), descriptor_(::open(path.c_str(), O_RDONLY | O_CLOEXEC)) {
  if (!descriptor_) throw std::runtime_error("cannot open '" + path + "': " + std::strerror(errno));
  struct stat status {};
  if (::fstat(descriptor_.get(), &status) != 0) {
    throw std::runtime_error("cannot examine '" + path + "': " + std::strerror(errno));
  }
  if (!S_ISREG(status.st_mode)) throw std::runtime_error("'" + path + "' is not a regular file");
  size_ = static_cast<std::uint64_t>(status.st_size);
}

void ReadOnlyFile::read_exactly(std::uint64_t offset, void* out, std::size_t bytes) const {
  auto* cursor = static_cast<unsigned char*>(out);
  std::size_t done = 0;
  while (done < bytes) {
    const ssize_t got = ::pread(descriptor_.get(), cursor + done, bytes - done, static_cast<off_t>(offset + done));
    if (got < 0) {
      if (errno == EINTR) continue;
      throw std::runtime_error("cannot read '" + path_ + "' at byte " + std::to_string(offset + done) + ": " +
                               std::strerror(errno));
    }
    if (got == 0) {
      throw std::runtime_error("'" + path_ + "' ends at byte " + std::to_string(offset + done) + ", but " +
                               std::to_string(offset + bytes) + " bytes were expected (truncated?)");
    }
    done += static_cast<std::size_t>(got);
  }
}

std::string ReadOnlyFile::read_at_most(std::uint64_t offset, std::size_t bytes) const {
  if (offset >= size_) return {};
  const std::size_t available = static_cast<std::size_t>(std::min<std::uint64_t>(bytes, size_ - offset));
  std::string text(available, '\0');
  read_exactly(offset, text.data(), available);
  return text;
}

}  // namespace rankme
