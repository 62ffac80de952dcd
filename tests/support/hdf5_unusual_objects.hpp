// HDF5 objects that are not the float matrices rankme scores: other types (strings, compounds, bitfields,
// enums, non-IEEE floats), other ranks and dataspaces, and a group holding only an attribute. Each creates
// its object in `file` (created if missing). Conventions: see hdf5_writer_core.hpp.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace rankme::testing {

// 2-D 3x2 fixed-length (8-byte, null-terminated, ASCII) strings "r0c0" .. "r2c1".
void write_string_dataset(const std::string& file, const std::string& path);
// 2-D 3x2 compound {double a; int b;} with a = 1..6 and b = -1..-6.
void write_compound_dataset(const std::string& file, const std::string& path);
// float32 (little endian) of any rank, filled with 1..n in row-major order. `dims` may contain
// zeros (nothing is written then); empty `dims` gives a scalar dataspace holding 1. Contiguous
// layout.
void write_array_of_rank(const std::string& file, const std::string& path,
                         const std::vector<std::uint64_t>& dims);
// H5S_SCALAR float64 holding 42.
void write_scalar_dataset(const std::string& file, const std::string& path);
// float64 dataset with an H5S_NULL dataspace (no elements at all).
void write_null_dataspace_dataset(const std::string& file, const std::string& path);
// 2-D 3x2 H5T_STD_B8LE bitfield holding 1..6.
void write_bitfield_dataset(const std::string& file, const std::string& path);
// 2-D 3x2 enum {RED = 0, GREEN = 1, BLUE = 2} over a 32-bit little-endian integer base type.
void write_enum_dataset(const std::string& file, const std::string& path);
// 2x2 little-endian custom (non-IEEE-sized) float, built by copying H5T_IEEE_F32LE (or F64LE when
// size_bytes > 4) and setting the given bit fields, size and exponent bias; normalisation stays
// "implied" like IEEE. The values 1, 2, 3, 4 are written through HDF5's own soft conversion from
// native double, so a reader that converts with HDF5 sees 1..4.
// Examples: bfloat16 = (15, 7, 8, 0, 7, 2, 127); a 24-bit float = (23, 16, 7, 0, 16, 3, 63).
void write_float_type_dataset(const std::string& file, const std::string& path, std::size_t spos,
                              std::size_t epos, std::size_t esize, std::size_t mpos,
                              std::size_t msize, std::size_t size_bytes, std::size_t ebias);
// A group at group_path holding no datasets, only a 2x2 float64 attribute "matrix" = {1, 2, 3, 4}
// (matrix-shaped on purpose: a reader must not mistake an attribute for a dataset).
void write_attribute_only_group(const std::string& file, const std::string& group_path);

}  // namespace rankme::testing
