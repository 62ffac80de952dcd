#pragma once
// A NumPy .npy file as a tensor file: one array, the dataset "/", whose values follow the header in the
// file in C or Fortran order (npy_header.hpp).
#include <string>
#include <vector>

#include "rankme/formats/npy_header.hpp"
#include "rankme/formats/read_only_file.hpp"
#include "rankme/formats/tensor_entry.hpp"

namespace rankme {

// The entry named `name` for an array whose header is `header` and whose stream (the file, or the inflated
// zip member) starts at byte `stream_offset` and holds `stream_bytes` bytes; its layout is checked to lie
// inside them. A 0-d array lists shape () and a layout of its one element as shape (1,). Throws
// std::runtime_error("<what>: ...") when the values do not fit.
TensorEntry npy_tensor_entry(const NpyHeader& header, std::string name, std::uint64_t stream_offset,
                             std::uint64_t stream_bytes, const std::string& what);

// Lists the one array of a .npy file, named "/". Throws std::runtime_error naming the file for a malformed
// header or values beyond the end of the file.
std::vector<TensorEntry> list_npy_file(const ReadOnlyFile& file);

}  // namespace rankme
