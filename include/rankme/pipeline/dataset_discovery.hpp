#pragma once
// Turning the command line's inputs into the list of datasets to score. Done by one rank with the POSIX
// driver (metadata only), then broadcast, so that P ranks do not all walk the same files.
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "rankme/numerics/stored_type.hpp"
#include "rankme/parallel/communicator.hpp"
#include "rankme/pipeline/input_spec.hpp"

namespace rankme {

// One dataset to score, or one input that failed before any dataset was found (error set, and dataset
// empty when the file itself could not be opened).
struct DatasetTarget {
  std::string file;      // as given on the command line
  std::string dataset;   // absolute HDF5 path
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

struct Discovery {
  std::vector<DatasetTarget> targets;
  std::vector<std::string> notes;  // datasets skipped in a whole-file scan or by a pattern, for stderr
};

// Serial: opens each file alone, inputs in the order given. A named dataset that is not a 2-D numeric
// matrix is an error target; in a whole-file scan or a pattern's matches such datasets are skipped with a
// note, and a file (or pattern) with none to score is an error. The datasets one scan or pattern finds are
// sorted by path, and a dataset reached through several hard links is listed once. Groups are walked
// through hard links only, as in H5Ovisit; a soft link the scan or pattern accepts that leads to a dataset
// no hard link matched is listed under its own name, a dangling one (or a cycle) gets a note, and external
// links get a note naming their target (scans and patterns stay inside their file). An input with `error`
// set becomes an error target without any file being opened.
//
// A stored dataset that a scan or pattern finds is listed once over all inputs, however it was reached
// (hard, soft or external links, another spelling of the file name): every name given explicitly is kept
// (as asked), and without one, the entry in the file that holds the dataset, then the first by (file,
// dataset); each dropped entry gets a note.
//
// FILE:DATASET with `pattern` set: a dataset of exactly that name is that dataset; otherwise the pattern
// selects (see hdf5_path_matches), and one that matches nothing is an error naming the file and the
// pattern. Without `pattern`, backslash escapes are resolved unless the name exists as written.
Discovery discover_targets(const std::vector<InputSpec>& inputs);

// Rank `root` discovers, every rank of `comm` receives the same result. Collective; a failure of the
// discovery itself throws CollectiveError on every rank.
Discovery discover_targets_on_root(const Communicator& comm, const std::vector<InputSpec>& inputs, int root = 0);

// The same for any discovery that `discover` runs on the root only (e.g. one that first expands
// directories there).
Discovery discover_on_root(const Communicator& comm, const std::function<Discovery()>& discover, int root = 0);

}  // namespace rankme
