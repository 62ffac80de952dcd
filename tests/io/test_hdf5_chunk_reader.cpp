// rankme's own decoding of gzip-chunked HDF5 datasets (hdf5_chunk_reader.hpp, through Hdf5RowSource) against
// HDF5's own filter pipeline, bit for bit, at 1-4 ranks: gzip levels 1 and 9, with and without shuffle,
// chunks that do not divide the rows (nor the block rows), chunked along the columns too, float16/32/64 and
// integers of either byte order, every row selection (all, --rows, --sample), N-D samples and their column
// ranges (--pool); each stored chunk inflated once per pass; a damaged chunk an error naming its
// coordinates on the rank that reads it, with no hang; a chunk written with filters skipped (its filter
// mask) read as HDF5 reads it; and every other pipeline left to HDF5.
#include "rankme/io/hdf5_chunk_reader.hpp"

#include <gtest/gtest.h>
#include <mpi.h>

#include <cmath>
#include <cstring>
#include <memory>
#include <set>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "rankme/io/block_prefetcher.hpp"
#include "rankme/io/hdf5_dataset.hpp"
#include "rankme/io/hdf5_file.hpp"
#include "rankme/io/hdf5_row_source.hpp"
#include "rankme/io/pooled_row_source.hpp"
#include "rankme/io/row_block_reader.hpp"
#include "rankme/numerics/row_selection.hpp"
#include "rankme/numerics/row_shard.hpp"
#include "rankme/parallel/communicator.hpp"
#include "support/hdf5_matrix_writer.hpp"
#include "support/hdf5_stored_chunks.hpp"
#include "support/hdf5_unwritten_datasets.hpp"
#include "support/lapack_reference.hpp"
#include "support/mpi_fixtures.hpp"

namespace rankme {
namespace {

using FixtureType = testing::StoredType;
using Runs = std::vector<std::pair<std::uint64_t, std::uint64_t>>;

class ChunkDecoding : public ::testing::Test {
  // Several files and many reads at 4 ranks on 2 cores: more than WatchedTest's 10 s.
  testing::Watchdog watchdog_{"a chunk decoding test", std::chrono::seconds(100)};
};

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

Runs pairs_of(const std::vector<RowRun>& runs) {
  Runs pairs;
  for (const RowRun& run : runs) pairs.emplace_back(run.first, run.count);
  return pairs;
}

// `dataset` of `file_name` as every rank reads it: opened on all ranks, decoded on `threads` threads.
std::unique_ptr<Hdf5RowSource> open_source(const Communicator& comm, const std::string& file_name,
                                           const std::string& dataset, int threads) {
  Hdf5Handle file = open_file_on_all_ranks(file_name, comm);
  Hdf5Handle data = open_dataset(file.get(), dataset);
  const DatasetDescription description = describe_dataset(data.get());
  return std::make_unique<Hdf5RowSource>(std::move(file), std::move(data), description, file_name, threads);
}

// Every block of this rank's shard of `selected`, read in the background as the pipeline reads them: each
// block's stored bytes must be HDF5's for the same rows. Returns the chunks decoded.
std::uint64_t check_blocks_against_hdf5(const Communicator& comm, Hdf5RowSource& source, const std::string& file_name,
                                        const std::string& dataset, const SelectedRows& selected,
                                        std::uint64_t block_rows) {
  const RowShard shard = RowShard::of_rank(selected.size(), comm.rank(), comm.size());
  const std::uint64_t blocks = block_count(selected.size(), comm.size(), block_rows);
  RowBlockReader reader(source, shard, block_rows, &selected);
  BlockPrefetcher prefetcher(reader, BlockValues::double_values, true);
  const std::uint64_t decoded_before = source.chunk_reader()->chunks_decoded();
  for (std::uint64_t index = 0; index < blocks; ++index) {
    prefetcher.start(index);
    const DecodedBlock& block = prefetcher.wait();
    EXPECT_FALSE(block.error.has_value()) << block.error.value_or("");
    const std::uint64_t first = index * block_rows;
    const std::uint64_t rows = first < shard.count ? std::min(block_rows, shard.count - first) : 0;
    EXPECT_EQ(block.rows, rows);
    if (block.rows != rows) continue;
    const std::vector<unsigned char> expected =
        testing::read_with_hdf5(file_name, dataset, pairs_of(row_runs(&selected, shard.begin + first, rows)));
    EXPECT_EQ(expected.size(), rows * source.row_bytes());
    if (expected.size() != rows * source.row_bytes() || rows == 0) continue;
    EXPECT_EQ(std::memcmp(block.raw.data(), expected.data(), expected.size()), 0) << "block " << index;
  }
  return source.chunk_reader()->chunks_decoded() - decoded_before;
}

// The chunks the rows of this rank's shard of `selected` lie in: each is inflated once in a pass.
std::uint64_t chunks_of_shard(const Communicator& comm, const SelectedRows& selected, std::uint64_t chunk_rows,
                              std::uint64_t column_chunks) {
  const RowShard shard = RowShard::of_rank(selected.size(), comm.rank(), comm.size());
  std::set<std::uint64_t> bands;
  for (std::uint64_t position = shard.begin; position < shard.begin + shard.count; ++position) {
    bands.insert(selected.row(position) / chunk_rows);
  }
  return bands.size() * column_chunks;
}

struct Chunking {
  std::uint64_t rows, cols;
  int level;
  bool shuffle;
};

TEST_F(ChunkDecoding, EveryTypeLayoutAndSelectionIsHdf5sBitForBit) {
  const Communicator comm = Communicator::world();
  testing::SharedDirectory directory;
  const std::string file_name = directory.file("gzip.h5");
  const std::uint64_t rows = 203, cols = 37;
  const std::vector<FixtureType> types = {
      {FixtureType::Kind::floating, 4, false},  {FixtureType::Kind::floating, 8, false},
      {FixtureType::Kind::floating, 2, false},  {FixtureType::Kind::floating, 4, true},
      {FixtureType::Kind::floating, 8, true},   {FixtureType::Kind::signed_int, 2, false},
      {FixtureType::Kind::unsigned_int, 1, false}, {FixtureType::Kind::signed_int, 8, true}};
  // Chunk rows that divide neither the rows nor the block rows; chunks along the columns too (37 = 3 x 10
  // + 7); one chunk for the whole matrix.
  const std::vector<Chunking> chunkings = {{16, 37, 1, false}, {16, 37, 9, true}, {25, 10, 4, true},
                                           {64, 37, 9, false}, {203, 37, 1, true}};
  std::vector<std::string> names;
  ASSERT_EQ(testing::write_on_root([&] {
              for (std::size_t t = 0; t < types.size(); ++t) {
                for (std::size_t c = 0; c < chunkings.size(); ++c) {
                  testing::Layout layout;
                  layout.kind = testing::Layout::Kind::chunked;
                  layout.chunk_rows = chunkings[c].rows;
                  layout.chunk_cols = chunkings[c].cols;
                  layout.gzip = true;
                  layout.gzip_level = chunkings[c].level;
                  layout.shuffle = chunkings[c].shuffle;
                  const bool integer = types[t].kind != FixtureType::Kind::floating;
                  std::vector<double> values = testing::random_values(rows * cols, 100 * t + c, integer ? 40.0 : 1.0);
                  if (types[t].kind == FixtureType::Kind::unsigned_int) {
                    for (double& v : values) v = std::abs(v);
                  }
                  testing::write_matrix(file_name, "/" + types[t].name() + "/" + std::to_string(c), values, rows, cols,
                                        types[t], layout);
                }
              }
            }),
            "");
  const std::vector<RowSelection> selections = {RowSelection{}, RowSelection{RowSelection::Kind::first, 150, 0},
                                                RowSelection{RowSelection::Kind::sample, 60, 3}};
  for (std::size_t t = 0; t < types.size(); ++t) {
    for (std::size_t c = 0; c < chunkings.size(); ++c) {
      const std::string dataset = "/" + types[t].name() + "/" + std::to_string(c);
      for (const RowSelection& selection : selections) {
        const SelectedRows selected(selection, rows);
        for (const std::uint64_t block_rows : {std::uint64_t{7}, std::uint64_t{50}, std::uint64_t{1000}}) {
          SCOPED_TRACE(dataset + ", " + std::to_string(selected.size()) + " rows" + (selected.contiguous() ? "" : " sampled") +
                       ", block_rows " + std::to_string(block_rows));
          // A fresh source per pass: no chunk kept decoded from an earlier one.
          const std::unique_ptr<Hdf5RowSource> source = open_source(comm, file_name, dataset, 3);
          ASSERT_NE(source->chunk_reader(), nullptr) << "gzip chunks not decoded by rankme";
          const std::uint64_t decoded = check_blocks_against_hdf5(comm, *source, file_name, dataset, selected, block_rows);
          const std::uint64_t column_chunks = (cols + chunkings[c].cols - 1) / chunkings[c].cols;
          EXPECT_EQ(decoded, chunks_of_shard(comm, selected, chunkings[c].rows, column_chunks))
              << "every chunk of the shard inflated exactly once";
        }
      }
    }
  }
}

TEST_F(ChunkDecoding, RanksReadTheirOwnRunsAndColumnRangesOfNDimensionalSamples) {
  const Communicator comm = Communicator::world();
  testing::SharedDirectory directory;
  const std::string file_name = directory.file("tokens.h5");
  const std::vector<std::uint64_t> dims = {23, 4, 7};  // 28 values per sample
  ASSERT_EQ(testing::write_on_root([&] {
              testing::write_array(file_name, "/z", testing::random_values(23 * 28, 9, 1.0), dims,
                                   FixtureType{FixtureType::Kind::floating, 4, false}, {5, 3, 4}, true);
            }),
            "");
  const std::unique_ptr<Hdf5RowSource> source = open_source(comm, file_name, "/z", 2);
  ASSERT_NE(source->chunk_reader(), nullptr);
  // Each rank its own runs, not collective: a rank may read while another reads nothing.
  const std::vector<RowRun> runs = comm.rank() % 2 == 0 ? std::vector<RowRun>{{1, 2}, {6, 9}, {22, 1}}
                                                        : std::vector<RowRun>{{4, 1}, {10, 11}};
  std::uint64_t rows = 0;
  for (const RowRun& run : runs) rows += run.count;
  const auto check_columns = [&](std::uint64_t first_col, std::uint64_t count) {
    SCOPED_TRACE("columns " + std::to_string(first_col) + "+" + std::to_string(count));
    std::vector<unsigned char> got(rows * count * 4);
    source->read_row_columns(runs, first_col, count, got.data(), got.size());
    // HDF5's read of the whole samples, the range cut out of each.
    const std::vector<unsigned char> whole = testing::read_with_hdf5(file_name, "/z", pairs_of(runs));
    std::vector<unsigned char> expected;
    for (std::uint64_t row = 0; row < rows; ++row) {
      const auto begin = whole.begin() + static_cast<std::ptrdiff_t>((row * 28 + first_col) * 4);
      expected.insert(expected.end(), begin, begin + static_cast<std::ptrdiff_t>(count * 4));
    }
    EXPECT_EQ(got, expected);
  };
  check_columns(0, 28);  // whole samples
  check_columns(0, 7);   // the first vector (--pool first)
  check_columns(21, 7);  // the last (--pool last)
  check_columns(9, 3);   // inside one
  check_columns(5, 9);   // across vectors
  // Pooled as --pool last reads it: the last vector of each sample, HDF5's box of it.
  PooledRowSource pooled(open_source(comm, file_name, "/z", 2), dims, PoolMode::last);
  std::vector<unsigned char> last(rows * 7 * 4);
  pooled.read_rows(runs, last.data(), last.size());
  EXPECT_EQ(last, testing::read_with_hdf5(file_name, "/z", pairs_of(runs), {3, 0}, {1, 7}));
  EXPECT_EQ(pooled.decode_threads(), 2);
  // Runs outside the dataset are refused before anything is read.
  std::vector<unsigned char> out(28 * 4 * 30);
  EXPECT_THROW(source->read_rows({RowRun{20, 4}}, out.data(), out.size()), std::out_of_range);
}

// The stored chunk of `dataset` at row `first_row` (2-D, one column chunk).
testing::StoredChunk chunk_at_row(const std::string& file, const std::string& dataset, std::uint64_t first_row) {
  for (const testing::StoredChunk& chunk : testing::stored_chunks(file, dataset)) {
    if (chunk.offset[0] == first_row) return chunk;
  }
  throw std::runtime_error("no chunk at row " + std::to_string(first_row));
}

TEST_F(ChunkDecoding, ADamagedChunkIsAnErrorNamingItOnTheRankThatReadsIt) {
  const Communicator comm = Communicator::world();
  testing::SharedDirectory directory;
  const std::string file_name = directory.file("damaged.h5");
  const std::uint64_t rows = 100, cols = 6;
  ASSERT_EQ(testing::write_on_root([&] {
              testing::Layout layout;
              layout.kind = testing::Layout::Kind::chunked;
              layout.chunk_rows = 10;
              layout.chunk_cols = cols;
              layout.gzip = true;
              testing::write_matrix(file_name, "/broken", testing::random_values(rows * cols, 5, 1.0), rows, cols,
                                    FixtureType{FixtureType::Kind::floating, 8, false}, layout);
              // Bytes flipped in the middle of the stream of rows 50-59 (where H5Dget_chunk_info says it lies).
              const testing::StoredChunk chunk = chunk_at_row(file_name, "/broken", 50);
              testing::overwrite_bytes(file_name, chunk.address + chunk.size / 2, std::vector<unsigned char>(6, 0xff));
            }),
            "");
  for (const std::uint64_t block_rows : {std::uint64_t{8}, std::uint64_t{100}}) {
    SCOPED_TRACE("block_rows " + std::to_string(block_rows));
    const std::unique_ptr<Hdf5RowSource> source = open_source(comm, file_name, "/broken", 2);
    const SelectedRows selected(RowSelection{}, rows);
    const RowShard shard = RowShard::of_rank(rows, comm.rank(), comm.size());
    RowBlockReader reader(*source, shard, block_rows, &selected);
    BlockPrefetcher prefetcher(reader, BlockValues::double_values, true);
    int errors = 0;
    for (std::uint64_t index = 0; index < block_count(rows, comm.size(), block_rows); ++index) {
      prefetcher.start(index);
      const DecodedBlock& block = prefetcher.wait();
      const std::uint64_t first = shard.begin + index * block_rows;
      const std::uint64_t end = std::min(shard.begin + shard.count, first + block_rows);
      const bool reads_damage = first < end && first < 60 && end > 50;
      if (!reads_damage) {
        EXPECT_FALSE(block.error.has_value()) << block.error.value_or("");
        continue;
      }
      ++errors;
      ASSERT_TRUE(block.error.has_value()) << "block " << index << " read the damaged chunk without an error";
      EXPECT_TRUE(contains(*block.error, "chunk at rows 50-59, cols 0-5 of '/broken': deflate stream")) << *block.error;
      EXPECT_TRUE(contains(*block.error, "reading rows " + std::to_string(first) + "..")) << *block.error;
    }
    // Whichever rank reads rows 50-59 says so; the others go on to the next collective (no hang).
    int total = 0;
    MPI_Allreduce(&errors, &total, 1, MPI_INT, MPI_SUM, MPI_COMM_WORLD);
    EXPECT_GE(total, 1);
    // The source is still usable after the failure: the good rows read as HDF5 reads them.
    std::vector<unsigned char> good(10 * source->row_bytes());
    source->read_rows({RowRun{70, 10}}, good.data(), good.size());
    EXPECT_EQ(good, testing::read_with_hdf5(file_name, "/broken", {{70, 10}}));
  }
}

TEST_F(ChunkDecoding, ChunksWrittenWithFiltersSkippedReadAsHdf5ReadsThem) {
  const Communicator comm = Communicator::world();
  testing::SharedDirectory directory;
  const std::string file_name = directory.file("masks.h5");
  const std::uint64_t rows = 70, cols = 8;  // chunks of 16 rows: the last holds 6
  std::vector<float> values(rows * cols);
  for (std::size_t i = 0; i < values.size(); ++i) values[i] = static_cast<float>(std::cos(0.1 * static_cast<double>(i)));
  std::vector<float> replaced(16 * cols);
  for (std::size_t i = 0; i < replaced.size(); ++i) replaced[i] = static_cast<float>(i) * 0.25f - 3.0f;
  ASSERT_EQ(testing::write_on_root([&] {
              testing::ChunkedFloat32 options;
              options.chunk = {16, cols};
              options.shuffle = true;
              options.gzip_level = 6;
              testing::write_chunked_float32(file_name, "/x", values, {rows, cols}, options);
              // Shuffle is filter 0, deflate filter 1: one chunk with each skipped, one with both.
              testing::rewrite_chunk_skipping_filters(file_name, "/x", {16, 0}, 0b10, replaced);
              testing::rewrite_chunk_skipping_filters(file_name, "/x", {32, 0}, 0b01, replaced);
              testing::rewrite_chunk_skipping_filters(file_name, "/x", {64, 0}, 0b11, replaced);
              std::set<unsigned> masks;
              for (const testing::StoredChunk& chunk : testing::stored_chunks(file_name, "/x")) masks.insert(chunk.filter_mask);
              if (masks != std::set<unsigned>{0, 1, 2, 3}) throw std::runtime_error("the masks were not stored");
            }),
            "");
  const std::unique_ptr<Hdf5RowSource> source = open_source(comm, file_name, "/x", 2);
  ASSERT_NE(source->chunk_reader(), nullptr);
  std::vector<unsigned char> all(rows * source->row_bytes());
  source->read_rows({RowRun{0, rows}}, all.data(), all.size());
  const std::vector<unsigned char> expected = testing::read_with_hdf5(file_name, "/x", {{0, rows}});
  EXPECT_EQ(all, expected);
  // HDF5 itself reads the replaced values back: the fixture stored them right.
  EXPECT_EQ(std::memcmp(expected.data() + 16 * cols * 4, replaced.data(), replaced.size() * 4), 0);
  EXPECT_EQ(std::memcmp(expected.data() + 64 * cols * 4, replaced.data(), 6 * cols * 4), 0);
}

TEST_F(ChunkDecoding, EveryOtherPipelineIsReadByHdf5) {
  const Communicator comm = Communicator::world();
  testing::SharedDirectory directory;
  const std::string file_name = directory.file("others.h5");
  const std::uint64_t rows = 45, cols = 6;
  std::vector<float> values(rows * cols);
  for (std::size_t i = 0; i < values.size(); ++i) values[i] = static_cast<float>(i % 17) * 0.5f;
  struct Other {
    std::string path;
    testing::ChunkedFloat32 options;
  };
  std::vector<Other> others(3);
  others[0] = {"/fletcher32", {{10, cols}, 4, false, true, false}};
  others[1] = {"/shuffle_only", {{10, cols}, 0, true, false, false}};
  others[2] = {"/plain_chunks", {{10, cols}, 0, false, false, false}};
  ASSERT_EQ(testing::write_on_root([&] {
              for (const Other& other : others) testing::write_chunked_float32(file_name, other.path, values, {rows, cols}, other.options);
              // gzip chunks of which only the first 20 rows were ever written.
              testing::write_partially_written_dataset(file_name, "/unfinished", rows, cols, 10, 20, true);
            }),
            "");
  others.push_back({"/unfinished", {}});
  for (const Other& other : others) {
    SCOPED_TRACE(other.path);
    const std::unique_ptr<Hdf5RowSource> source = open_source(comm, file_name, other.path, 2);
    EXPECT_EQ(source->chunk_reader(), nullptr) << "a pipeline rankme does not decode took its path";
    EXPECT_EQ(source->decode_threads(), 0);
    // Missing chunks are fill values, which HDF5 gives (the pipeline refuses such a dataset before reading:
    // parallel HDF5 1.10.8 fails on them in a collective read).
    if (other.path == "/unfinished") continue;
    // Collective through HDF5: every rank reads the same rows.
    std::vector<unsigned char> got(rows * source->row_bytes());
    source->read_rows({RowRun{0, rows}}, got.data(), got.size());
    EXPECT_EQ(got, testing::read_with_hdf5(file_name, other.path, {{0, rows}}));
    EXPECT_EQ(source->decode_seconds(), 0.0);
  }
}

TEST_F(ChunkDecoding, PartialEdgeChunksLeftUnfilteredReadAsHdf5ReadsThemAlone) {
  // H5D_CHUNK_DONT_FILTER_PARTIAL_CHUNKS: chunks overhanging the dataset (here the last rows and the last
  // columns) are stored unfiltered. Serial HDF5 reads them; parallel HDF5 1.10.8's collective read tries
  // to inflate them and fails, so rankme's decoding is the only way to read such a file at several ranks.
  const Communicator comm = Communicator::world();
  testing::SharedDirectory directory;
  const std::string file_name = directory.file("edges.h5");
  const std::uint64_t rows = 45, cols = 6;
  std::vector<float> values(rows * cols);
  for (std::size_t i = 0; i < values.size(); ++i) values[i] = static_cast<float>(i % 17) * 0.5f;
  ASSERT_EQ(testing::write_on_root([&] {
              for (const bool shuffle : {false, true}) {
                testing::ChunkedFloat32 options;
                options.chunk = {10, 4};
                options.shuffle = shuffle;
                options.dont_filter_partial_chunks = true;
                testing::write_chunked_float32(file_name, shuffle ? "/shuffled" : "/plain", values, {rows, cols}, options);
              }
            }),
            "");
  for (const char* dataset : {"/plain", "/shuffled"}) {
    SCOPED_TRACE(dataset);
    const std::unique_ptr<Hdf5RowSource> source = open_source(comm, file_name, dataset, 2);
    ASSERT_NE(source->chunk_reader(), nullptr);
    std::vector<unsigned char> got(rows * source->row_bytes());
    source->read_rows({RowRun{0, rows}}, got.data(), got.size());
    const std::vector<unsigned char> expected = testing::read_with_hdf5(file_name, dataset, {{0, rows}});
    EXPECT_EQ(got, expected);
    EXPECT_EQ(std::memcmp(expected.data(), values.data(), expected.size()), 0) << "serial HDF5 reads what was written";
    // Column ranges cut through the unfiltered edge chunks too.
    std::vector<unsigned char> columns(rows * 3 * 4), whole_rows = expected, cut;
    source->read_row_columns({RowRun{0, rows}}, 3, 3, columns.data(), columns.size());
    for (std::uint64_t row = 0; row < rows; ++row) {
      cut.insert(cut.end(), whole_rows.begin() + static_cast<std::ptrdiff_t>((row * cols + 3) * 4),
                 whole_rows.begin() + static_cast<std::ptrdiff_t>((row * cols + 6) * 4));
    }
    EXPECT_EQ(columns, cut);
  }
}

TEST_F(ChunkDecoding, TheThreadsInUseAndTheDecodingTimeAreTheSources) {
  const Communicator comm = Communicator::world();
  testing::SharedDirectory directory;
  const std::string file_name = directory.file("threads.h5");
  ASSERT_EQ(testing::write_on_root([&] {
              testing::Layout layout;
              layout.kind = testing::Layout::Kind::chunked;
              layout.chunk_rows = 32;
              layout.chunk_cols = 64;
              layout.gzip = true;
              testing::write_matrix(file_name, "/x", testing::random_values(512 * 64, 1, 1.0), 512, 64,
                                    FixtureType{FixtureType::Kind::floating, 4, false}, layout);
            }),
            "");
  const std::unique_ptr<Hdf5RowSource> source = open_source(comm, file_name, "/x", 3);
  const Hdf5ChunkReader& chunks = *source->chunk_reader();
  EXPECT_EQ(source->decode_threads(), 3);
  EXPECT_EQ(chunks.active_threads(), 3);
  source->use_decode_threads(1);
  EXPECT_EQ(chunks.active_threads(), 1);
  source->use_decode_threads(7);
  EXPECT_EQ(chunks.active_threads(), 3);
  source->use_decode_threads(0);
  EXPECT_EQ(chunks.active_threads(), 1);
  std::vector<unsigned char> out(512 * 64 * 4);
  EXPECT_EQ(source->decode_seconds(), 0.0);
  for (int threads : {1, 2, 3}) {
    source->use_decode_threads(threads);
    source->read_rows({RowRun{0, 512}}, out.data(), out.size());
    EXPECT_EQ(out, testing::read_with_hdf5(file_name, "/x", {{0, 512}})) << threads << " threads";
  }
  EXPECT_GT(source->decode_seconds(), 0.0);
  EXPECT_EQ(chunks.chunks_decoded(), 3u * 16u);
}

}  // namespace
}  // namespace rankme
