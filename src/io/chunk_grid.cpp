#include "rankme/io/chunk_grid.hpp"

#include <algorithm>
#include <cstring>
#include <string>

namespace rankme {

std::uint64_t ChunkGrid::chunk_values() const {
  std::uint64_t values = 1;
  for (const std::uint64_t extent : chunk) values *= extent;
  return values;
}

std::string ChunkGrid::describe(const std::vector<std::uint64_t>& origin) const {
  std::string text;
  for (std::size_t axis = 0; axis < dims.size(); ++axis) {
    const std::uint64_t last = std::min(origin[axis] + chunk[axis], dims[axis]) - 1;
    const std::string name = axis == 0 ? "rows" : dims.size() == 2 ? "cols" : "axis " + std::to_string(axis);
    text += (axis ? ", " : "") + name + " " + std::to_string(origin[axis]) + "-" + std::to_string(last);
  }
  return text;
}

std::vector<ChunkBand> bands_of(const ChunkGrid& grid, const std::vector<RowRun>& runs) {
  std::vector<ChunkBand> bands;
  const std::uint64_t band_rows = grid.chunk[0];
  std::uint64_t position = 0;
  for (const RowRun& run : runs) {
    for (std::uint64_t row = run.first, end = run.first + run.count; row < end;) {
      const std::uint64_t band = row - row % band_rows;
      const std::uint64_t count = std::min(end, band + band_rows) - row;
      if (bands.empty() || bands.back().first_row != band) bands.push_back(ChunkBand{band, {}});
      bands.back().pieces.push_back(RowPiece{row, count, position});
      row += count;
      position += count;
    }
  }
  return bands;
}

std::vector<std::vector<std::uint64_t>> chunks_in_band(const ChunkGrid& grid, std::uint64_t first_row,
                                                       const std::vector<std::uint64_t>& start,
                                                       const std::vector<std::uint64_t>& count) {
  const std::size_t axes = grid.dims.size();
  std::vector<std::uint64_t> first(axes, 0), last(axes, 0);
  for (std::size_t axis = 1; axis < axes; ++axis) {
    if (count[axis - 1] == 0) return {};
    first[axis] = start[axis - 1] / grid.chunk[axis];
    last[axis] = (start[axis - 1] + count[axis - 1] - 1) / grid.chunk[axis];
  }
  std::vector<std::vector<std::uint64_t>> origins;
  std::vector<std::uint64_t> index = first;  // chunk indices on axes 1..; axis 0 unused
  for (;;) {
    std::vector<std::uint64_t> origin(axes);
    origin[0] = first_row;
    for (std::size_t axis = 1; axis < axes; ++axis) origin[axis] = index[axis] * grid.chunk[axis];
    origins.push_back(std::move(origin));
    std::size_t axis = axes - 1;
    while (axis >= 1 && index[axis] == last[axis]) {
      index[axis] = first[axis];
      --axis;
    }
    if (axis == 0) return origins;
    ++index[axis];
  }
}

std::int64_t output_span_of_chunk(const ChunkGrid& grid, const std::vector<std::uint64_t>& origin,
                                  const std::vector<RowPiece>& pieces, const std::vector<std::uint64_t>& start,
                                  const std::vector<std::uint64_t>& count) {
  if (pieces.size() != 1 || pieces[0].first != origin[0] || pieces[0].count != grid.chunk[0]) return -1;
  std::uint64_t row_values = 1;
  for (std::size_t axis = 1; axis < grid.dims.size(); ++axis) {
    const bool whole = start[axis - 1] == 0 && count[axis - 1] == grid.dims[axis] && grid.chunk[axis] == grid.dims[axis];
    if (!whole) return -1;
    row_values *= grid.dims[axis];
  }
  return static_cast<std::int64_t>(pieces[0].position * row_values);
}

void copy_from_chunk(const ChunkGrid& grid, const std::vector<std::uint64_t>& origin, const unsigned char* chunk,
                     std::size_t value_bytes, const std::vector<RowPiece>& pieces,
                     const std::vector<std::uint64_t>& start, const std::vector<std::uint64_t>& count,
                     unsigned char* out) {
  const std::size_t axes = grid.dims.size();
  // The part of the box inside this chunk, [low, high) on each axis after the first.
  std::vector<std::uint64_t> low(axes, 0), high(axes, 0);
  bool whole_rows = true;  // the part is every value of a chunk row and of an output row
  for (std::size_t axis = 1; axis < axes; ++axis) {
    low[axis] = std::max(start[axis - 1], origin[axis]);
    high[axis] = std::min({start[axis - 1] + count[axis - 1], origin[axis] + grid.chunk[axis], grid.dims[axis]});
    if (low[axis] >= high[axis]) return;
    whole_rows = whole_rows && high[axis] - low[axis] == grid.chunk[axis] && high[axis] - low[axis] == count[axis - 1];
  }
  // Strides in values: of the chunk's axes, and of the output's (a row of the box).
  std::vector<std::uint64_t> chunk_stride(axes, 1), out_stride(axes, 1);
  for (std::size_t axis = axes - 1; axis >= 1; --axis) {
    chunk_stride[axis - 1] = chunk_stride[axis] * grid.chunk[axis];
    out_stride[axis - 1] = out_stride[axis] * count[axis - 1];
  }
  const std::size_t span_bytes = static_cast<std::size_t>(high[axes - 1] - low[axes - 1]) * value_bytes;
  for (const RowPiece& piece : pieces) {
    const std::uint64_t chunk_row = piece.first - origin[0];
    if (whole_rows) {  // the piece's rows are consecutive in both: one copy
      std::memcpy(out + piece.position * out_stride[0] * value_bytes, chunk + chunk_row * chunk_stride[0] * value_bytes,
                  static_cast<std::size_t>(piece.count * out_stride[0]) * value_bytes);
      continue;
    }
    for (std::uint64_t row = 0; row < piece.count; ++row) {
      // Every index of the part on the axes between the first and the last; a span along the last.
      std::vector<std::uint64_t> index = low;
      for (;;) {
        std::uint64_t from = (chunk_row + row) * chunk_stride[0], to = (piece.position + row) * out_stride[0];
        for (std::size_t axis = 1; axis < axes; ++axis) {
          from += (index[axis] - origin[axis]) * chunk_stride[axis];
          to += (index[axis] - start[axis - 1]) * out_stride[axis];
        }
        std::memcpy(out + to * value_bytes, chunk + from * value_bytes, span_bytes);
        std::size_t axis = axes - 2;
        while (axis >= 1 && index[axis] + 1 == high[axis]) {
          index[axis] = low[axis];
          --axis;
        }
        if (axis == 0) break;
        ++index[axis];
      }
    }
  }
}

}  // namespace rankme
