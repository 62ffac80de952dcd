#pragma once
// Discovery in the tensor files other than HDF5 (.npy, .npz, safetensors, torch): the same rules as for
// HDF5 (dataset_discovery.hpp), over the names the file's format gives its arrays ("/" for a bare .npy,
// "/<key>" otherwise): a whole-file scan lists every matrix and notes what it skips, FILE:PATTERN globs
// over the names, FILE:DATASET names one array.
#include "rankme/formats/file_format.hpp"
#include "rankme/pipeline/dataset_target.hpp"
#include "rankme/pipeline/input_spec.hpp"

namespace rankme {

// Appends the targets (and notes) of `input`, whose file holds `format`, to `discovery`. A file that
// cannot be listed (malformed, truncated, a legacy torch file) becomes one error target.
void discover_in_tensor_file(const InputSpec& input, FileFormat format, Discovery& discovery);

}  // namespace rankme
