#pragma once
// Turning the command line's inputs into the list of datasets to score. Done by one rank with the POSIX
// driver (metadata only), then broadcast, so that P ranks do not all walk the same files. The pieces:
// input_expansion (directories), hdf5_path_pattern (FILE:PATTERN), hdf5_link_walk (a file's groups),
// isolated_discovery (each input listed in a child process), discovery_broadcast (root to every rank).
#include <string>
#include <vector>

#include "rankme/parallel/communicator.hpp"
#include "rankme/pipeline/dataset_target.hpp"
#include "rankme/pipeline/input_spec.hpp"

namespace rankme {

// Serial: opens each file alone, inputs in the order given. A numeric array of 3 or more axes is listed
// with its shape and rows = cols = 0, for pool_targets (target_pooling.hpp) to make a matrix of or skip.
// A named dataset that is not such an array or a 2-D numeric matrix is an error target; in a whole-file
// scan or a pattern's matches such datasets are skipped with a note, and a file (or pattern) with none to score is an error. The datasets one scan or pattern finds are
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
// selects (see hdf5_path_matches in hdf5_path_pattern.hpp), and one that matches nothing is an error naming
// the file and the pattern. Without `pattern`, backslash escapes are resolved unless the name exists as
// written.
Discovery discover_targets(const std::vector<InputSpec>& inputs);

// Rank `root` discovers, every rank of `comm` receives the same result. Collective; a failure of the
// discovery itself throws CollectiveError on every rank.
Discovery discover_targets_on_root(const Communicator& comm, const std::vector<InputSpec>& inputs, int root = 0);

// expand_arguments + discover_targets on rank `root` only (P ranks do not all walk the same directory
// trees, and cannot see them change in between), the result broadcast to every rank of `comm`.
// Collective; order as discover_targets gives it (call sort_targets before select_shard, target_order.hpp).
Discovery discover_arguments_on_root(const Communicator& comm, const std::vector<std::string>& arguments,
                                     int root = 0);

}  // namespace rankme
