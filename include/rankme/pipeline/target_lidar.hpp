#pragma once
// --lidar applied to what discovery found, before --pool (target_pooling.hpp), on every rank from the same
// broadcast discovery: where each dataset's views come from (numerics.md, "LiDAR").
//   - An array of 3 or more axes (n objects, q views, K), is read as its n * q rows of K (pool "flatten"),
//     object = row / q, with `views` = q (the middle axes' product for more axes).
//   - A 2-D HDF5 dataset, with --groups NAME, takes its rows' object ids from the dataset NAME in the same
//     file: an absolute NAME ("/object_ids") is that path, a relative one ("ids") is resolved in the
//     dataset's own group (/run1/emb -> /run1/ids), so one option serves a file of many runs. Whether it
//     exists and fits is checked when the dataset is scored (an error result for that dataset).
//   - The groups dataset itself is never scored (a 1-D one never is; an N x 1 one is dropped with a note).
//   - Other matrices get no LiDAR (null), said in one note.
#include <string>

#include "rankme/pipeline/dataset_target.hpp"

namespace rankme {

// `groups`: --groups as given ("" without it).
void lidar_targets(Discovery& discovery, const std::string& groups);

// `groups` resolved for `dataset` (an absolute HDF5 path): itself when absolute, else next to `dataset`.
std::string resolve_groups_path(const std::string& groups, const std::string& dataset);

}  // namespace rankme
