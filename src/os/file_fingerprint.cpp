#include "rankme/os/file_fingerprint.hpp"

#include <sys/stat.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>

namespace rankme {

FileFingerprint FileFingerprint::of(const std::string& path) {
  if (auto fingerprint = examine(path)) return *fingerprint;
  throw std::runtime_error("cannot examine '" + path + "': " + std::strerror(errno));
}

std::optional<FileFingerprint> FileFingerprint::examine(const std::string& path) {
  struct stat status {};
  if (::stat(path.c_str(), &status) != 0) return std::nullopt;
  FileFingerprint fingerprint;
  fingerprint.device = static_cast<std::uint64_t>(status.st_dev);
  fingerprint.inode = static_cast<std::uint64_t>(status.st_ino);
  fingerprint.size = static_cast<std::uint64_t>(status.st_size);
  fingerprint.mtime_ns = static_cast<std::int64_t>(status.st_mtim.tv_sec) * 1000000000 + status.st_mtim.tv_nsec;
  return fingerprint;
}

std::optional<std::string> FileFingerprint::change_to(const FileFingerprint& now) const {
  if (now.device != device || now.inode != inode) return std::string("replaced by another file");
  if (now.size < size) return "truncated from " + std::to_string(size) + " to " + std::to_string(now.size) + " bytes";
  if (now.size > size) return "extended from " + std::to_string(size) + " to " + std::to_string(now.size) + " bytes";
  if (now.mtime_ns != mtime_ns) return std::string("modified");
  return std::nullopt;
}

}  // namespace rankme
