#pragma once
// What identifies the bytes of a file at one moment: device, inode, size and modification time. Taken
// when a dataset is opened and again when its last block has been read, so that a file truncated,
// rewritten or replaced while it was being read is reported instead of scored (HDF5's MPI-IO driver reads
// zeros past the end of a truncated file, which would be a wrong number, not an error).
#include <cstdint>
#include <optional>
#include <string>

namespace rankme {

struct FileFingerprint {
  std::uint64_t device = 0, inode = 0, size = 0;
  std::int64_t mtime_ns = 0;

  // Throws std::runtime_error naming the file when it cannot be examined (e.g. it was removed).
  static FileFingerprint of(const std::string& path);
  // The same, or nothing when the file cannot be examined.
  static std::optional<FileFingerprint> examine(const std::string& path);

  // How `now` differs from this earlier fingerprint ("truncated from A to B bytes", "replaced by another
  // file", "modified"), or nothing when it does not.
  std::optional<std::string> change_to(const FileFingerprint& now) const;
};

}  // namespace rankme
