// float32 datasets never fully written: storage never allocated, allocated but never written, written in
// part, or grown without writing the new rows (as a writer that crashed leaves them). Each creates its
// dataset in `file` (created if missing). Conventions: see hdf5_writer_core.hpp.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace rankme::testing {

// Chunked (chunks of at most 64x64) float32 of rows x cols (both >= 1), created but never written:
// no chunk is allocated, so readers see only the fill value (0).
void write_unallocated_dataset(const std::string& file, const std::string& path, std::uint64_t rows,
                               std::uint64_t cols);
// Chunked float32 rows x cols in chunks of chunk_rows x cols (gzip optional), of which only the first
// written_rows rows (0 <= written_rows <= rows) are written: the chunks below them are never allocated
// (incremental allocation) and read back as the fill value 0. Returns the written rows' values as stored
// (1 + ((7 row + 3 col) mod 11) / 8), row-major.
std::vector<double> write_partially_written_dataset(const std::string& file, const std::string& path,
                                                    std::uint64_t rows, std::uint64_t cols,
                                                    std::uint64_t chunk_rows, std::uint64_t written_rows,
                                                    bool gzip);
// Contiguous float32 rows x cols with late allocation, created and never written: its storage is never
// allocated.
void write_unwritten_contiguous_dataset(const std::string& file, const std::string& path, std::uint64_t rows,
                                        std::uint64_t cols);
// float32 rows x cols with early allocation (contiguous, or chunked in chunk_rows x cols when
// chunk_rows > 0) and fill value `fill` (NaN allowed), created and never written: every chunk exists and
// reads back as `fill`, indistinguishable from written data.
void write_early_allocated_unwritten_dataset(const std::string& file, const std::string& path,
                                             std::uint64_t rows, std::uint64_t cols, double fill,
                                             std::uint64_t chunk_rows = 0);
// An appendable float32 dataset (unlimited rows) of `rows` x cols in chunks of chunk_rows x cols (which may
// exceed rows), every row written, then grown to grown_rows (>= rows) without writing the new rows, as a
// writer that crashed while appending leaves it. Returns the written rows' values as stored, row-major.
std::vector<double> write_appended_dataset(const std::string& file, const std::string& path, std::uint64_t rows,
                                           std::uint64_t cols, std::uint64_t chunk_rows, std::uint64_t grown_rows);

}  // namespace rankme::testing
