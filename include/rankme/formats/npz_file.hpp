#pragma once
// A NumPy .npz archive (np.savez, np.savez_compressed) as a tensor file: a zip (zip_archive.hpp) whose
// members "<key>.npy" are the datasets "/<key>" ("a/b.npy" is "/a/b"). A stored member is read in place; a
// deflated one is listed by inflating only its header, and read as a stream (deflated_array_source.hpp).
#include <vector>

#include "rankme/formats/read_only_file.hpp"
#include "rankme/formats/tensor_entry.hpp"

namespace rankme {

// One entry per .npy member, in the archive's order; other members are not arrays and are left out. A
// member compressed with a method other than stored or deflate is an entry without a type whose dtype says
// so. Throws std::runtime_error naming the file (and member) for a malformed archive or array header, and
// for a header whose shape does not match the member's size.
std::vector<TensorEntry> list_npz_file(const ReadOnlyFile& file);

}  // namespace rankme
