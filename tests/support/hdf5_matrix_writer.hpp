// Writes matrices to HDF5 with the HDF5 C API, in every stored type and layout rankme reads, returning
// the values exactly as stored. Conventions (serial writes, nothing overwritten, exceptions): see
// hdf5_writer_core.hpp.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "support/stored_value_encoding.hpp"

namespace rankme::testing {

struct Layout {
  enum class Kind { contiguous, chunked, compact } kind = Kind::contiguous;
  std::uint64_t chunk_rows = 0, chunk_cols = 0;  // chunked only; each in [1, matrix dimension]
  bool gzip = false;                             // deflate (needs chunked), at gzip_level
  bool shuffle = false;  // shuffle filter, applied before deflate (needs chunked)
  int gzip_level = 4;    // 0 (stored) to 9; after the others, so that {kind, rows, cols, gzip, shuffle} still reads

  // e.g. "contiguous", "compact", "chunked(7x3)+shuffle+gzip".
  std::string name() const;
};

// Writes a rows x cols matrix given row-major in doubles, converting each value to the stored type as
// stored_value does (stored_value_encoding.hpp; float16 as h5py stores it).
// Big-endian types are byte-swapped here; the data are written with a memory type equal to the file
// type, so HDF5 performs no conversion of its own. Creates `file` if missing, otherwise opens it
// read-write and adds to it. Throws if anything already exists at dataset_path.
// Returns the values exactly as stored, converted back to double, so that a test can compute its
// reference on precisely the data the product will read.
std::vector<double> write_matrix(const std::string& file, const std::string& dataset_path,
                                 const std::vector<double>& row_major, std::uint64_t rows,
                                 std::uint64_t cols, const StoredType& type,
                                 const Layout& layout = {});

// The same for an array of any number of axes (samples x tokens x features, ...): `row_major` in C order,
// `dims` its shape; contiguous, or chunked by `chunk_dims` (one per axis, each in [1, dims[i]]) when
// given, deflated when `gzip`. Returns the values as stored.
std::vector<double> write_array(const std::string& file, const std::string& dataset_path,
                                const std::vector<double>& row_major, const std::vector<std::uint64_t>& dims,
                                const StoredType& type, const std::vector<std::uint64_t>& chunk_dims = {},
                                bool gzip = false);

}  // namespace rankme::testing
