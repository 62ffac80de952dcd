// Matrices compressed with HDF5's dynamically loaded filters (lzf, blosc, lz4, bzip2 from Debian's plugin
// packages), and files that need a filter no plugin provides (as bitshuffle or zstd files from hdf5plugin
// are on Debian). Conventions: see hdf5_writer_core.hpp.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace rankme::testing {

// HDF5's registered filter ids.
inline constexpr unsigned filter_bzip2 = 307, filter_lzf = 32000, filter_blosc = 32001, filter_lz4 = 32004,
                          filter_bitshuffle = 32008, filter_zstd = 32015;

// Adds Debian's plugin directories to the writer's HDF5 search path (once): the test support's own list,
// not rankme's, so that a mistake in rankme's is not shared.
void find_debian_filter_plugins();

// Writes a rows x cols float32 matrix in chunks of `chunk_rows` rows through filter `filter_id` (with
// `parameters` as its cd_values; optional, as h5py sets it), and returns the values as stored (rounded to
// float32). Throws when HDF5 cannot load the filter's plugin, or when a chunk was stored without going
// through it (values it could not compress: quantise them).
std::vector<double> write_filtered_matrix(const std::string& file, const std::string& path,
                                          const std::vector<double>& row_major, std::uint64_t rows,
                                          std::uint64_t cols, unsigned filter_id,
                                          const std::vector<unsigned>& parameters, std::uint64_t chunk_rows);

// A float32 matrix whose chunks went through a stand-in for filter `filter_id` (an identity transform
// registered under that id only while writing): the file then needs that filter's plugin, as a file
// compressed with it does, while the reader has none.
void write_matrix_needing_filter(const std::string& file, const std::string& path, std::uint64_t rows,
                                 std::uint64_t cols, unsigned filter_id);

}  // namespace rankme::testing
