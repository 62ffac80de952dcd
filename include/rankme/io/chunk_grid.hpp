#pragma once
// Which chunks of a chunked N-D dataset a read touches, and where each chunk's values go: the geometry
// behind reading compressed chunks directly (hdf5_chunk_reader.hpp). No HDF5 here.
//
// A read is what Hdf5RowSource reads: rows of the first axis (ascending runs) times a box of the other
// axes (`start`, `count` per axis after the first), written row after row, each row's box values in C
// order. Chunks are stored whole, also at the dataset's edges (HDF5 pads edge chunks to the full chunk
// shape), so a decoded chunk is always chunk_values() values in C order of the chunk shape.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "rankme/io/row_source.hpp"

namespace rankme {

struct ChunkGrid {
  std::vector<std::uint64_t> dims;   // the dataset's shape, 2 or more axes, none 0
  std::vector<std::uint64_t> chunk;  // its chunk shape, as many axes, none 0

  std::uint64_t chunk_values() const;
  // "rows 512-767, cols 0-2047" (2-D) or "rows 0-9, axis 1 0-3, axis 2 0-767", inside the dataset (an edge
  // chunk's padding left out), for the chunk whose first value is at `origin`.
  std::string describe(const std::vector<std::uint64_t>& origin) const;
};

// Rows [first, first + count) of the dataset, which lie in one band of chunks (the chunks that start at
// the same row), and go to rows [position, position + count) of the read's output.
struct RowPiece {
  std::uint64_t first = 0;
  std::uint64_t count = 0;
  std::uint64_t position = 0;
};

// The rows of a read in one band: the band's first row (a multiple of chunk[0]) and the pieces in it.
struct ChunkBand {
  std::uint64_t first_row = 0;
  std::vector<RowPiece> pieces;
};

// The bands that `runs` (ascending, inside the dataset, not overlapping) touch, ascending, each with the
// pieces of the runs inside it.
std::vector<ChunkBand> bands_of(const ChunkGrid& grid, const std::vector<RowRun>& runs);

// The first value of every chunk of one band (its row `first_row`) that the box (`start`, `count` on the
// axes after the first) touches, in C order of the chunk grid: the chunks' full coordinates.
std::vector<std::vector<std::uint64_t>> chunks_in_band(const ChunkGrid& grid, std::uint64_t first_row,
                                                       const std::vector<std::uint64_t>& start,
                                                       const std::vector<std::uint64_t>& count);

// Where a chunk's whole content lies in the read's output as one span, or -1 when it does not: the piece
// covers all its rows (and none of them is padding), and the box is every value of the rows, which the
// chunk covers exactly. Such a chunk can be decoded straight into the output. Returns the span's first
// output value.
std::int64_t output_span_of_chunk(const ChunkGrid& grid, const std::vector<std::uint64_t>& origin,
                                  const std::vector<RowPiece>& pieces, const std::vector<std::uint64_t>& start,
                                  const std::vector<std::uint64_t>& count);

// Copies the values of the decoded chunk at `origin` (`chunk`, chunk_values() values of `value_bytes`)
// that lie in the pieces' rows and inside the box into their places in `out`.
void copy_from_chunk(const ChunkGrid& grid, const std::vector<std::uint64_t>& origin, const unsigned char* chunk,
                     std::size_t value_bytes, const std::vector<RowPiece>& pieces,
                     const std::vector<std::uint64_t>& start, const std::vector<std::uint64_t>& count,
                     unsigned char* out);

}  // namespace rankme
