#pragma once
// The tensor files other than HDF5, behind one door: what arrays a file holds (each format's own reader
// lists them), and a row source for one of them.
#include <memory>
#include <string>
#include <vector>

#include "rankme/formats/file_format.hpp"
#include "rankme/formats/read_only_file.hpp"
#include "rankme/formats/tensor_entry.hpp"
#include "rankme/io/row_source.hpp"

namespace rankme {

// Every array `file` holds, sorted by name, for a format other than hdf5 and unknown (std::logic_error
// for those). Throws std::runtime_error, naming the file, for a malformed file and for legacy torch files.
std::vector<TensorEntry> list_tensor_file(const ReadOnlyFile& file, FileFormat format);

// The rows of `entry` (listed from the file at `path`): d0 x (d1 * ... * dk) for an array of shape
// (d0, ..., dk), read by position from the file or by inflating its zip member. `entry.type` must be set.
std::unique_ptr<RowSource> open_tensor_source(const std::string& path, const TensorEntry& entry);

}  // namespace rankme
