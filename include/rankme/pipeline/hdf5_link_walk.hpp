#pragma once
// Walking the links of one HDF5 file for the datasets a pattern (or a whole-file scan, "/**") accepts.
#include <hdf5.h>

#include <string>
#include <vector>

#include "rankme/pipeline/hdf5_path_pattern.hpp"

namespace rankme {

struct LinkWalk {
  std::vector<std::string> dataset_paths;  // one per stored dataset, in byte order of the whole path
  std::vector<std::string> notes;          // links skipped: dangling soft links, external links
  bool matched_a_group = false;            // for a better message when nothing else matched
};

// The datasets below the root whose paths a pattern accepts, walking groups in name order through hard
// links only. A group is walked again only when reached in a new pattern state: a hard-linked group (h5py's
// f["final"] = f["epoch 100"]) is found by a pattern that names only its second name, cycles end, and a
// whole-file scan ("/**") walks each group once, as H5Ovisit would. A dataset reached by several names is
// listed once, under the first in walk order.
//
// Soft links the pattern accepts are resolved after the walk: one to a dataset that no hard link matched is
// listed under the soft link's name (in a whole-file scan every dataset has a hard link, so none is), one
// that cannot be resolved (dangling, a cycle) gets a note. Soft links to groups are not walked (cycles).
// External links leave the file: they get a note saying how to score their target instead.
//
// `file_name` (as given) is for the notes. Throws std::runtime_error when a group cannot be listed or an
// object examined (a damaged file).
LinkWalk walk_links(hid_t file, const std::string& file_name, const Hdf5PathPattern& pattern);

}  // namespace rankme
