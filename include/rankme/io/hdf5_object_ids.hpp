#pragma once
// LiDAR's --groups: the object id of each row of an embedding, a 1-D integer dataset in the same HDF5 file
// (numerics.md, "LiDAR"). Read by each rank on its own (a plain read-only open, no collective), only the
// ids of its shard of rows.
#include <cstdint>
#include <string>
#include <vector>

namespace rankme {

// The ids of rows [first, first + count) of the 1-D integer dataset `path` in `file` (any integer type,
// read as int64; an N x 1 dataset is taken as 1-D). Throws std::runtime_error saying what is wrong when the
// dataset is missing, not of integers, not 1-D, or its length is not `expected_rows` (the embedding's).
std::vector<std::int64_t> read_object_ids(const std::string& file, const std::string& path, std::uint64_t expected_rows,
                                          std::uint64_t first, std::uint64_t count);

}  // namespace rankme
