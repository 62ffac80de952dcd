// The geometry of reading stored chunks (chunk_grid.hpp): for random shapes of 2 to 4 axes, chunk shapes
// that do and do not divide them (and exceed them, as an appendable dataset's may), row runs and boxes,
// the chunks listed and the values copied out of them must be exactly those of a value-by-value
// reference read of the same array.
#include "rankme/io/chunk_grid.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <cstring>
#include <map>
#include <random>
#include <set>
#include <string>
#include <vector>

namespace rankme {
namespace {

using Index = std::vector<std::uint64_t>;

std::uint64_t product(const Index& extents) {
  std::uint64_t values = 1;
  for (const std::uint64_t extent : extents) values *= extent;
  return values;
}

// The value stored at `index` of the array: its C-order position, so every value is distinct.
std::uint32_t value_at(const Index& dims, const Index& index) {
  std::uint64_t position = 0;
  for (std::size_t axis = 0; axis < dims.size(); ++axis) position = position * dims[axis] + index[axis];
  return static_cast<std::uint32_t>(position);
}

constexpr std::uint32_t padding = 0xdeadbeef;

// The chunk at `origin` as HDF5 stores it: chunk-shaped, C order, padding where it overhangs the array.
std::vector<std::uint32_t> stored_chunk(const ChunkGrid& grid, const Index& origin) {
  std::vector<std::uint32_t> chunk(grid.chunk_values());
  Index offset(grid.dims.size(), 0);
  for (std::uint32_t& value : chunk) {
    Index index(grid.dims.size());
    bool inside = true;
    for (std::size_t axis = 0; axis < grid.dims.size(); ++axis) {
      index[axis] = origin[axis] + offset[axis];
      inside = inside && index[axis] < grid.dims[axis];
    }
    value = inside ? value_at(grid.dims, index) : padding;
    for (std::size_t axis = grid.dims.size(); axis-- > 0;) {
      if (++offset[axis] < grid.chunk[axis]) break;
      offset[axis] = 0;
    }
  }
  return chunk;
}

struct Read {
  std::vector<RowRun> runs;
  Index start, count;
};

// The values of the read, value by value: rows of the runs, each row's box in C order.
std::vector<std::uint32_t> reference(const ChunkGrid& grid, const Read& read) {
  std::vector<std::uint32_t> values;
  for (const RowRun& run : read.runs) {
    for (std::uint64_t row = run.first; row < run.first + run.count; ++row) {
      Index offset(read.count.size(), 0);
      for (std::uint64_t value = 0; value < product(read.count); ++value) {
        Index index{row};
        for (std::size_t axis = 0; axis < offset.size(); ++axis) index.push_back(read.start[axis] + offset[axis]);
        values.push_back(value_at(grid.dims, index));
        for (std::size_t axis = offset.size(); axis-- > 0;) {
          if (++offset[axis] < read.count[axis]) break;
          offset[axis] = 0;
        }
      }
    }
  }
  return values;
}

// The same read through chunk_grid: every chunk listed, copied (or placed whole) into the output.
std::vector<std::uint32_t> through_chunks(const ChunkGrid& grid, const Read& read, std::set<Index>& listed,
                                          int& whole_chunks) {
  std::uint64_t rows = 0;
  for (const RowRun& run : read.runs) rows += run.count;
  std::vector<std::uint32_t> out(rows * product(read.count), 0x01010101);
  for (const ChunkBand& band : bands_of(grid, read.runs)) {
    EXPECT_EQ(band.first_row % grid.chunk[0], 0u);
    for (const Index& origin : chunks_in_band(grid, band.first_row, read.start, read.count)) {
      EXPECT_TRUE(listed.insert(origin).second) << "a chunk listed twice";
      const std::vector<std::uint32_t> chunk = stored_chunk(grid, origin);
      const std::int64_t span = output_span_of_chunk(grid, origin, band.pieces, read.start, read.count);
      if (span >= 0) {
        ++whole_chunks;
        EXPECT_LE(static_cast<std::uint64_t>(span) + chunk.size(), out.size());
        std::memcpy(out.data() + span, chunk.data(), chunk.size() * sizeof(std::uint32_t));
      } else {
        copy_from_chunk(grid, origin, reinterpret_cast<const unsigned char*>(chunk.data()), sizeof(std::uint32_t),
                        band.pieces, read.start, read.count, reinterpret_cast<unsigned char*>(out.data()));
      }
    }
  }
  return out;
}

// The chunks the read touches, found value by value.
std::set<Index> touched_chunks(const ChunkGrid& grid, const Read& read) {
  std::set<Index> chunks;
  for (const RowRun& run : read.runs) {
    for (std::uint64_t row = run.first; row < run.first + run.count; ++row) {
      Index offset(read.count.size(), 0);
      for (std::uint64_t value = 0; value < product(read.count); ++value) {
        Index origin{row - row % grid.chunk[0]};
        for (std::size_t axis = 0; axis < offset.size(); ++axis) {
          const std::uint64_t index = read.start[axis] + offset[axis];
          origin.push_back(index - index % grid.chunk[axis + 1]);
        }
        chunks.insert(origin);
        for (std::size_t axis = offset.size(); axis-- > 0;) {
          if (++offset[axis] < read.count[axis]) break;
          offset[axis] = 0;
        }
      }
    }
  }
  return chunks;
}

TEST(ChunkGrid, RandomReadsMatchAValueByValueReference) {
  std::mt19937_64 random(20240611);
  const auto uniform = [&](std::uint64_t low, std::uint64_t high) {
    return std::uniform_int_distribution<std::uint64_t>(low, high)(random);
  };
  int whole_chunks = 0, partial_reads = 0;
  for (int trial = 0; trial < 400; ++trial) {
    ChunkGrid grid;
    const std::size_t axes = static_cast<std::size_t>(uniform(2, 4));
    for (std::size_t axis = 0; axis < axes; ++axis) {
      grid.dims.push_back(uniform(1, axis == 0 ? 40 : 9));
      // Mostly chunks inside the shape, dividing it or not; sometimes the whole axis; sometimes larger.
      const std::uint64_t kind = uniform(0, 5);
      grid.chunk.push_back(kind == 0 ? grid.dims.back() : kind == 1 ? grid.dims.back() + uniform(1, 3) : uniform(1, grid.dims.back()));
    }
    Read read;
    // Ascending runs of rows, some touching, some not.
    for (std::uint64_t row = uniform(0, 3); row < grid.dims[0];) {
      const std::uint64_t count = std::min(uniform(1, 12), grid.dims[0] - row);
      read.runs.push_back(RowRun{row, count});
      row += count + uniform(0, 6);
    }
    const bool whole_rows = uniform(0, 2) == 0;
    for (std::size_t axis = 1; axis < axes; ++axis) {
      const std::uint64_t first = whole_rows ? 0 : uniform(0, grid.dims[axis] - 1);
      read.start.push_back(first);
      read.count.push_back(whole_rows ? grid.dims[axis] : uniform(1, grid.dims[axis] - first));
    }
    SCOPED_TRACE("trial " + std::to_string(trial));
    std::set<Index> listed;
    EXPECT_EQ(through_chunks(grid, read, listed, whole_chunks), reference(grid, read));
    EXPECT_EQ(listed, touched_chunks(grid, read)) << "the chunks listed are not those the read touches";
    partial_reads += whole_rows ? 0 : 1;
  }
  // Both ways of placing a chunk were exercised.
  EXPECT_GT(whole_chunks, 20);
  EXPECT_GT(partial_reads, 100);
}

TEST(ChunkGrid, BandsSplitRunsAtChunkRowsAndCountOutputRows) {
  const ChunkGrid grid{{100, 8}, {16, 8}};
  const std::vector<ChunkBand> bands = bands_of(grid, {RowRun{5, 30}, RowRun{40, 2}, RowRun{47, 1}, RowRun{99, 1}});
  ASSERT_EQ(bands.size(), 4u);
  EXPECT_EQ(bands[0].first_row, 0u);
  ASSERT_EQ(bands[0].pieces.size(), 1u);
  EXPECT_EQ(bands[0].pieces[0].first, 5u);
  EXPECT_EQ(bands[0].pieces[0].count, 11u);
  EXPECT_EQ(bands[0].pieces[0].position, 0u);
  EXPECT_EQ(bands[1].first_row, 16u);
  EXPECT_EQ(bands[1].pieces[0].count, 16u);
  EXPECT_EQ(bands[1].pieces[0].position, 11u);
  // Rows 32..34 of the first run, then 40..41 and 47 of the others: one band, three pieces.
  EXPECT_EQ(bands[2].first_row, 32u);
  ASSERT_EQ(bands[2].pieces.size(), 3u);
  EXPECT_EQ(bands[2].pieces[0].count, 3u);
  EXPECT_EQ(bands[2].pieces[1].first, 40u);
  EXPECT_EQ(bands[2].pieces[1].position, 30u);
  EXPECT_EQ(bands[2].pieces[2].position, 32u);
  EXPECT_EQ(bands[3].first_row, 96u);
  EXPECT_EQ(bands[3].pieces[0].position, 33u);
  EXPECT_TRUE(bands_of(grid, {}).empty());
}

TEST(ChunkGrid, OnlyAWholeChunkOfWholeRowsIsPlacedWhole) {
  const ChunkGrid grid{{100, 8}, {16, 8}};
  const std::vector<RowPiece> whole{{16, 16, 4}};
  EXPECT_EQ(output_span_of_chunk(grid, {16, 0}, whole, {0}, {8}), 4 * 8);
  EXPECT_EQ(output_span_of_chunk(grid, {16, 0}, {{16, 15, 4}}, {0}, {8}), -1);  // part of its rows
  EXPECT_EQ(output_span_of_chunk(grid, {16, 0}, whole, {1}, {7}), -1);          // part of each row
  // The last chunk holds 4 rows of data and 12 of padding: never placed whole.
  EXPECT_EQ(output_span_of_chunk(grid, {96, 0}, {{96, 4, 0}}, {0}, {8}), -1);
  // Chunked along the columns too: a chunk is never a span of whole rows.
  const ChunkGrid columns{{100, 8}, {16, 4}};
  EXPECT_EQ(output_span_of_chunk(columns, {16, 4}, whole, {0}, {8}), -1);
}

TEST(ChunkGrid, DescribesChunksInsideTheDataset) {
  EXPECT_EQ((ChunkGrid{{1000, 2048}, {256, 2048}}.describe({512, 0})), "rows 512-767, cols 0-2047");
  EXPECT_EQ((ChunkGrid{{1000, 2048}, {256, 2048}}.describe({768, 0})), "rows 768-999, cols 0-2047");
  EXPECT_EQ((ChunkGrid{{10, 4, 768}, {5, 4, 512}}.describe({5, 0, 512})), "rows 5-9, axis 1 0-3, axis 2 512-767");
}

}  // namespace
}  // namespace rankme
