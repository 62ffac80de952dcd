#pragma once
// Discovery in the tensor files other than HDF5 (.npy, .npz, safetensors, torch): the same rules as for
// HDF5 (dataset_discovery.hpp), over the names the file's format gives its arrays ("/" for a bare .npy,
// "/<key>" otherwise): a whole-file scan lists every matrix and notes what it skips, FILE:PATTERN globs
// over the names, FILE:DATASET names one array.
#include <optional>
#include <string>

#include "rankme/formats/file_format.hpp"
#include "rankme/formats/tensor_entry.hpp"
#include "rankme/pipeline/dataset_target.hpp"
#include "rankme/pipeline/input_spec.hpp"

namespace rankme {

// Why `entry` is not an N x K matrix rankme scores, or nothing when it is (wording as for HDF5 datasets,
// io/hdf5_dataset.hpp, so that a scan's notes read alike whatever the format; the Python module says the
// same of an array). An array of 3 or more axes is no reason: it is listed with its shape, and
// pool_targets (--pool) decides what it becomes, as for HDF5.
std::optional<std::string> not_a_matrix_reason(const TensorEntry& entry);

// Appends the targets (and notes) of `input`, whose file holds `format`, to `discovery`. A file that
// cannot be listed (malformed, truncated, a legacy torch file) becomes one error target.
void discover_in_tensor_file(const InputSpec& input, FileFormat format, Discovery& discovery);

}  // namespace rankme
