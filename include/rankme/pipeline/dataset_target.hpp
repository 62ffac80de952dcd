#pragma once
// What discovery hands to scoring: one dataset to score (or one input that failed), and the list of them
// with the notes of what was skipped.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "rankme/io/pool_mode.hpp"
#include "rankme/numerics/stored_type.hpp"
#include "rankme/pipeline/run_params.hpp"

namespace rankme {

// One dataset to score, or one input that failed before any dataset was found (error set, and dataset
// empty when the file itself could not be opened).
struct DatasetTarget {
  std::string file;      // as given on the command line; for --concat, see parts
  std::string dataset;   // absolute HDF5 path, or the array's name in another format ("/" for a bare .npy)
  std::string format = "hdf5";  // format_name() of the file's format (formats/file_format.hpp)
  // The matrix that is scored: the stored matrix, or an N-D array's after --pool (pool_targets), or the
  // parts stacked (--concat).
  std::uint64_t rows = 0;
  std::uint64_t cols = 0;
  // The stored array's full shape ({rows, cols} for a matrix; (1000, 197, 768) for tokens), empty when
  // unknown (an error target). A format's discovery fills it; rows and cols stay 0 for 3 or more axes
  // until pool_targets says how they become a matrix.
  std::vector<std::uint64_t> shape;
  PoolMode pool = PoolMode::none;  // how an array of 3 or more axes was made a matrix (--pool)
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
  // --concat: the datasets whose rows are stacked, in order (each a complete target of its own, pooled
  // alike); empty for a single dataset. rows is their sum; file and dataset name the whole, file_size is
  // the parts' total and file_mtime_ns a mix of every part's size and time (target_concatenation.hpp).
  std::vector<DatasetTarget> parts;
  // The run's hyperparameters and checkpoint position, from the path and the HDF5 attributes (run_params.hpp).
  Params params;
  // --lidar (target_lidar.hpp): an array of 3 or more axes read as views, `views` rows per object (the
  // middle axes' product; rows are objects x views); or a matrix whose rows' object ids are the HDF5
  // dataset `groups` (absolute path, --groups resolved). Both empty/0: LiDAR is not computed.
  std::uint64_t views = 0;
  std::string groups;

  // Whether shape has 3 or more axes still waiting for a --pool mode.
  bool awaits_pooling() const { return shape.size() > 2 && pool == PoolMode::none; }

  // An array still waiting for --pool is not (pool_targets makes it a matrix, an error or a note).
  bool scorable() const { return error.empty() && !awaits_pooling(); }
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
