// Chunked datasets as they are stored: where each chunk lies, its raw bytes and filter mask; datasets with
// unusual filter settings (fletcher32, partial edge chunks left unfiltered, chunks written by
// H5Dwrite_chunk with filters skipped); and HDF5's own read of them, the reference that rankme's decoding
// of stored chunks (io/hdf5_chunk_reader.hpp) must match bit for bit. Conventions: see hdf5_writer_core.hpp.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace rankme::testing {

struct StoredChunk {
  std::vector<std::uint64_t> offset;  // the chunk's first value, one coordinate per axis
  unsigned filter_mask = 0;
  std::uint64_t address = 0;  // in the file
  std::uint64_t size = 0;     // stored bytes
};

// Every stored chunk of `dataset` (H5Dget_chunk_info), in the order HDF5 lists them.
std::vector<StoredChunk> stored_chunks(const std::string& file, const std::string& dataset);

// Overwrites bytes of `file` from `position` on (to damage a chunk where stored_chunks() says it lies).
void overwrite_bytes(const std::string& file, std::uint64_t position, const std::vector<unsigned char>& bytes);

// The bytes HDF5 itself reads (its filter pipeline, the sec2 driver, memory type = file type) for the rows
// of `row_runs` ((first, count) pairs, ascending) times the box `start`, `count` on the other axes (every
// value of a row when both are empty), row after row.
std::vector<unsigned char> read_with_hdf5(const std::string& file, const std::string& dataset,
                                          const std::vector<std::pair<std::uint64_t, std::uint64_t>>& row_runs,
                                          const std::vector<std::uint64_t>& start = {},
                                          const std::vector<std::uint64_t>& count = {});

struct ChunkedFloat32 {
  std::vector<std::uint64_t> chunk;  // one per axis
  int gzip_level = 4;                // 0: no deflate
  bool shuffle = false;              // before deflate
  bool fletcher32 = false;           // after deflate
  bool dont_filter_partial_chunks = false;  // H5D_CHUNK_DONT_FILTER_PARTIAL_CHUNKS
};

// Writes little-endian float32 `values` (C order) of shape `dims` in chunks, through the filters of
// `options`.
void write_chunked_float32(const std::string& file, const std::string& path, const std::vector<float>& values,
                           const std::vector<std::uint64_t>& dims, const ChunkedFloat32& options);

// Replaces the chunk at `offset` of a float32 dataset filtered by shuffle and/or deflate with `values`
// (one whole chunk, C order) through H5Dwrite_chunk, stored through the filters of its pipeline except
// those whose position bit is set in `filter_mask` (encoded here: this file's own shuffle, zlib's
// compress2), with that mask: as a writer whose optional filter failed leaves a chunk.
void rewrite_chunk_skipping_filters(const std::string& file, const std::string& path,
                                    const std::vector<std::uint64_t>& offset, unsigned filter_mask,
                                    const std::vector<float>& values);

}  // namespace rankme::testing
