#pragma once
// What discovery hands to scoring: one dataset to score (or one input that failed), and the list of them
// with the notes of what was skipped.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "rankme/numerics/stored_type.hpp"

namespace rankme {

// One dataset to score, or one input that failed before any dataset was found (error set, and dataset
// empty when the file itself could not be opened).
struct DatasetTarget {
  std::string file;      // as given on the command line
  std::string dataset;   // absolute HDF5 path, or the array's name in another format ("/" for a bare .npy)
  std::string format = "hdf5";  // format_name() of the file's format (formats/file_format.hpp)
  std::uint64_t rows = 0;
  std::uint64_t cols = 0;
  std::string dtype;     // StoredType::name(), or what the unsupported type is
  std::optional<StoredType> type;
  std::vector<std::uint64_t> chunk_dims;
  std::string error;     // non-empty: reported with status "error", not scored
  // The file as it was when listed: --resume scores a dataset again when its file was rewritten.
  std::uint64_t file_size = 0;
  std::int64_t file_mtime_ns = 0;  // nanoseconds since the epoch
  // The file however it was spelled (os/canonical_path.hpp): --resume and rankme-merge know a result by
  // it, not by `file`. Empty when the file could not be reached.
  std::string canonical_file;
  // The stored object, whatever link or file name reached it (device, inode and address); "" when unknown.
  std::string object_identity;
  bool through_external_link = false;  // the object lives in another file than `file`
  bool named_explicitly = false;       // FILE:DATASET, not found by a scan or a pattern

  bool scorable() const { return error.empty(); }
};

// An input that failed as a whole: `dataset` is what it asked for ("" for a whole file).
inline DatasetTarget failed_target(const std::string& file, const std::string& dataset, const std::string& error) {
  DatasetTarget failed;
  failed.file = file;
  failed.dataset = dataset;
  failed.error = error;
  return failed;
}

struct Discovery {
  std::vector<DatasetTarget> targets;
  std::vector<std::string> notes;  // datasets skipped in a whole-file scan or by a pattern, for stderr
};

}  // namespace rankme
