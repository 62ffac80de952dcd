#include "rankme/os/durable_file.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "rankme/os/file_descriptor.hpp"

namespace rankme {

namespace {

std::string parent_directory(const std::string& path) {
  const std::size_t slash = path.rfind('/');
  if (slash == std::string::npos) return ".";
  return slash == 0 ? "/" : path.substr(0, slash);
}

}  // namespace

std::runtime_error file_error(const std::string& what, const std::string& path, int error_number) {
  return std::runtime_error(what + " '" + path + "': " + std::strerror(error_number));
}

void write_fully(int descriptor, const std::string& bytes, const FileLabel& file, std::size_t& written) {
  written = 0;
  while (written < bytes.size()) {
    const ssize_t count = ::write(descriptor, bytes.data() + written, bytes.size() - written);
    if (count < 0 && errno == EINTR) continue;
    if (count < 0) throw file_error("cannot write to " + file.role, file.path, errno);
    if (count == 0) throw file_error("cannot write to " + file.role, file.path, EIO);
    written += static_cast<std::size_t>(count);
  }
}

void flush_to_disk(int descriptor, const FileLabel& file, bool regular_file) {
  int status = 0;
  do {
    status = ::fsync(descriptor);
  } while (status != 0 && errno == EINTR);
  if (status != 0 && !(errno == EINVAL && !regular_file)) {
    throw file_error("cannot flush " + file.role + " to disk (fsync)", file.path, errno);
  }
}

void flush_directory_of(const FileLabel& file) {
  const std::string directory = parent_directory(file.path);
  FileDescriptor descriptor(::open(directory.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!descriptor) throw file_error("cannot open the directory of " + file.role, file.path, errno);
  if (::fsync(descriptor.get()) != 0 && errno != EINVAL) {
    throw file_error("cannot flush the directory of " + file.role, file.path, errno);
  }
}

std::string read_at(int descriptor, std::size_t limit, off_t offset, const FileLabel& file) {
  std::string bytes(limit, '\0');
  std::size_t done = 0;
  while (done < limit) {
    const ssize_t count = ::pread(descriptor, &bytes[done], limit - done, offset + static_cast<off_t>(done));
    if (count < 0 && errno == EINTR) continue;
    if (count < 0) throw file_error("cannot read " + file.role, file.path, errno);
    if (count == 0) break;
    done += static_cast<std::size_t>(count);
  }
  bytes.resize(done);
  return bytes;
}

std::optional<std::string> read_whole_file(const FileLabel& file) {
  const FileDescriptor descriptor(::open(file.path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!descriptor && errno == ENOENT) return std::nullopt;
  if (!descriptor) throw file_error("cannot open " + file.role, file.path, errno);
  std::string text;
  char buffer[1 << 16];
  for (;;) {
    const ssize_t count = ::read(descriptor.get(), buffer, sizeof buffer);
    if (count < 0 && errno == EINTR) continue;
    if (count < 0) throw file_error("cannot read " + file.role, file.path, errno);
    if (count == 0) break;
    text.append(buffer, static_cast<std::size_t>(count));
  }
  return text;
}

void replace_file(const FileLabel& file, const std::string& bytes) {
  const FileLabel partial{file.role, file.path + ".partial." + std::to_string(::getpid())};
  FileDescriptor descriptor(::open(partial.path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644));
  if (!descriptor) throw file_error("cannot create", partial.path, errno);
  try {
    std::size_t written = 0;
    write_fully(descriptor.get(), bytes, partial, written);
    flush_to_disk(descriptor.get(), partial, true);
  } catch (...) {
    descriptor.reset();
    ::unlink(partial.path.c_str());
    throw;
  }
  // Reported: on NFS a write that failed on the server can surface only here.
  if (const int error_number = descriptor.close(); error_number != 0) {
    ::unlink(partial.path.c_str());
    throw file_error("cannot close", partial.path, error_number);
  }
  if (::rename(partial.path.c_str(), file.path.c_str()) != 0) {
    const int error_number = errno;
    ::unlink(partial.path.c_str());
    throw file_error("cannot rename " + partial.path + " to", file.path, error_number);
  }
  flush_directory_of(file);
}

}  // namespace rankme
