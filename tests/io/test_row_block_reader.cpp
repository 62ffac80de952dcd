// RowBlockReader over an Hdf5RowSource: every rank reads its own shard of rows in blocks with collective
// parallel HDF5 and widens the stored values to double. Checked for every stored type rankme accepts, in every layout
// the fixture library writes, with shards and blocks that do not divide the rows evenly: each decoded
// value must be exactly the value the fixture stored at that row, and each block's statistics must
// describe exactly that block.
#include "rankme/io/row_block_reader.hpp"

#include <gtest/gtest.h>
#include <mpi.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <condition_variable>
#include <cstdint>
#include <cstring>
#include <functional>
#include <limits>
#include <mutex>
#include <optional>
#include <random>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "rankme/io/hdf5_dataset.hpp"
#include "rankme/io/hdf5_file.hpp"
#include "rankme/io/hdf5_row_source.hpp"
#include "rankme/numerics/row_shard.hpp"
#include "rankme/numerics/stored_type.hpp"
#include "rankme/parallel/communicator.hpp"
#include "support/hdf5_matrix_writer.hpp"
#include "support/hdf5_unwritten_datasets.hpp"
#include "support/stored_value_encoding.hpp"
#include "support/mpi_fixtures.hpp"

namespace rankme {
namespace {

using FixtureType = testing::StoredType;
using testing::Layout;

// ---- MPI plumbing for fixtures (raw MPI, independent of the code under test) ----

using testing::is_root;
using testing::SharedDirectory;
using testing::text_of_rank_zero;
using testing::values_of_rank_zero;
using testing::write_on_root;

// Every test of this file runs under a watchdog, so that a hang is a named failure. (The suite is not
// called RowBlockReader: a fixture of that name would hide the class under test.)
using RowBlockReading = testing::WatchedTest;
using RowBlockReadingNeverWritten = RowBlockReading;

// ---- Types and values ----

StoredType product_type(const FixtureType& type) {
  StoredType stored;
  switch (type.kind) {
    case FixtureType::Kind::floating: stored.kind = StoredType::Kind::floating; break;
    case FixtureType::Kind::signed_int: stored.kind = StoredType::Kind::signed_int; break;
    case FixtureType::Kind::unsigned_int: stored.kind = StoredType::Kind::unsigned_int; break;
  }
  stored.bytes = type.bytes;
  stored.big_endian = type.bytes > 1 && type.big_endian;  // 1-byte integers are written as *8LE
  return stored;
}

// numpy's names as rankme reports them ("float16", "float32be", "int8", "uint64be"), spelled out here
// rather than taken from StoredType::name().
std::string expected_type_name(const FixtureType& type) {
  std::string name = type.kind == FixtureType::Kind::floating     ? "float"
                     : type.kind == FixtureType::Kind::signed_int ? "int"
                                                                  : "uint";
  name += std::to_string(type.bytes * 8);
  if (type.bytes > 1 && type.big_endian) name += "be";
  return name;
}

bool is_float(const FixtureType& type) { return type.kind == FixtureType::Kind::floating; }

struct Cell {
  std::uint64_t row, col;
};
// Where the float types get their non-finite values: rows 3, 9 and 20 of 23, which fall into different
// shards at 2, 3 and 4 ranks (so at 4 ranks rank 2 reads none of them).
constexpr Cell nan_cell{3, 2};
constexpr Cell negative_infinity_cell{9, 0};
constexpr Cell infinity_cell{20, 7};

// Values that exercise the whole type: for floats, random magnitudes over most of the exponent range
// plus -0, a subnormal, the largest finite value and (optionally) NaN and +-Inf; for integers, values
// spread over the whole range plus both extremes, 0 and -1.
std::vector<double> values_for(const FixtureType& type, std::uint64_t rows, std::uint64_t cols, std::uint64_t seed,
                               bool with_non_finite) {
  std::mt19937_64 generator(seed);
  std::vector<double> values(static_cast<std::size_t>(rows * cols));
  auto at = [&](std::uint64_t r, std::uint64_t c) -> double& { return values[static_cast<std::size_t>(r * cols + c)]; };
  if (is_float(type)) {
    const int exponent_range = type.bytes == 2 ? 10 : type.bytes == 4 ? 100 : 900;
    std::normal_distribution<double> normal;
    std::uniform_int_distribution<int> exponent(-exponent_range, exponent_range);
    for (double& v : values) v = std::ldexp(normal(generator), exponent(generator));
    const double largest = type.bytes == 2 ? 65504.0
                           : type.bytes == 4 ? static_cast<double>(std::numeric_limits<float>::max())
                                             : std::numeric_limits<double>::max();
    const double subnormal = type.bytes == 2 ? std::ldexp(3.0, -24)
                             : type.bytes == 4 ? std::ldexp(5.0, -149)
                                               : std::ldexp(7.0, -1074);
    if (rows > 0 && cols > 0) at(0, 0) = -0.0;
    if (rows > 1 && cols > 1) at(1, 1) = subnormal;
    if (rows > 2 && cols > 2) at(2, 2) = -largest;
    if (with_non_finite) {
      at(nan_cell.row, nan_cell.col) = std::numeric_limits<double>::quiet_NaN();
      at(negative_infinity_cell.row, negative_infinity_cell.col) = -std::numeric_limits<double>::infinity();
      at(infinity_cell.row, infinity_cell.col) = std::numeric_limits<double>::infinity();
    }
  } else {
    const int bits = type.bytes * 8;
    const bool is_signed = type.kind == FixtureType::Kind::signed_int;
    const double low = is_signed ? -std::ldexp(1.0, bits - 1) : 0.0;
    const double high = is_signed ? std::ldexp(1.0, bits - 1) - 1 : std::ldexp(1.0, bits) - 1;
    std::uniform_real_distribution<double> uniform(low, high);
    for (double& v : values) v = uniform(generator);
    if (rows > 0 && cols > 0) at(0, 0) = low;
    if (rows > 1 && cols > 1) at(1, 1) = high;  // rounds to 2^64 for uint64 and is clamped by the fixture
    if (rows > 2 && cols > 2) at(2, 2) = 0;
    if (rows > 4 && cols > 4) at(4, 4) = is_signed ? -1 : 1;
  }
  return values;
}

// Equal as the reader must produce them: bit for bit (so -0.0 is not 0.0), except that any NaN matches
// any NaN (the payload of a widened NaN is not specified).
bool same_value(double got, double expected) {
  if (std::isnan(got) || std::isnan(expected)) return std::isnan(got) && std::isnan(expected);
  return std::memcmp(&got, &expected, sizeof(double)) == 0;
}

std::vector<Layout> layouts_for(std::uint64_t rows) {
  Layout contiguous;
  Layout chunked;
  chunked.kind = Layout::Kind::chunked;
  chunked.chunk_rows = 7;
  chunked.chunk_cols = 3;
  Layout columns = chunked;  // one chunk per column: every row block touches every chunk
  columns.chunk_rows = rows;
  columns.chunk_cols = 1;
  Layout compressed = chunked;
  compressed.chunk_rows = 5;
  compressed.chunk_cols = 5;
  compressed.shuffle = true;
  compressed.gzip = true;
  Layout compact;
  compact.kind = Layout::Kind::compact;
  return {contiguous, chunked, columns, compressed, compact};
}

// ---- The check itself ----

struct ReadOutcome {
  std::uint64_t rows_read = 0;      // over all blocks, on this rank
  bool every_read_collective = true;
  bool saw_non_finite = false;
};

// The dataset `path` of `file` as the reader's source, with the shape and type describe_dataset finds
// (as score_dataset gives it). The caller keeps the file open.
Hdf5RowSource source_of(hid_t file, const std::string& path, const std::string& file_name) {
  Hdf5Handle dataset = open_dataset(file, path);
  const DatasetDescription description = describe_dataset(dataset.get());
  return Hdf5RowSource(Hdf5Handle(), std::move(dataset), description, file_name);
}

// Reads every block of this rank's shard of `source` (rows x cols, holding `expected`) and checks every
// decoded value, the row count of every block and each block's statistics. Collective.
ReadOutcome read_and_check(const Communicator& comm, Hdf5RowSource& source, std::uint64_t rows, std::uint64_t cols,
                           std::uint64_t block_rows, const std::vector<double>& expected, const std::string& what) {
  ReadOutcome outcome;
  EXPECT_EQ(source.rows(), rows) << what;
  EXPECT_EQ(source.cols(), cols) << what;
  const RowShard shard = RowShard::of_rank(rows, comm.rank(), comm.size());
  const std::uint64_t blocks = block_count(rows, comm.size(), block_rows);
  RowBlockReader reader(source, shard, block_rows);
  std::vector<double> out(static_cast<std::size_t>(block_rows * cols));
  int reported = 0;
  // One read past the last block too: every shard is exhausted there, and the collective read must
  // still work with an empty selection on every rank.
  for (std::uint64_t index = 0; index <= blocks; ++index) {
    const std::uint64_t first = shard.begin + std::min(shard.count, index * block_rows);
    const std::uint64_t expected_rows =
        index * block_rows < shard.count ? std::min(block_rows, shard.count - index * block_rows) : 0;
    BlockStatistics stats;
    stats.max_abs = -1;  // must be overwritten, also for an empty block
    stats.all_finite = false;
    const std::uint64_t got_rows = reader.read(index, out.data(), stats);
    outcome.every_read_collective = outcome.every_read_collective && source.last_read_was_collective();
    EXPECT_EQ(got_rows, expected_rows) << what << ", block " << index;
    if (got_rows != expected_rows) continue;
    outcome.rows_read += got_rows;

    BlockStatistics expected_stats;  // max |value| over the finite values; all_finite
    for (std::uint64_t r = 0; r < got_rows; ++r) {
      for (std::uint64_t c = 0; c < cols; ++c) {
        const double want = expected[static_cast<std::size_t>((first + r) * cols + c)];
        const double got = out[static_cast<std::size_t>(r * cols + c)];
        if (std::isfinite(want)) {
          expected_stats.max_abs = std::max(expected_stats.max_abs, std::fabs(want));
        } else {
          expected_stats.all_finite = false;
        }
        if (!same_value(got, want) && ++reported <= 5) {
          ADD_FAILURE() << what << ": row " << first + r << ", column " << c << ": got " << got << ", stored " << want;
        }
      }
    }
    EXPECT_EQ(stats.max_abs, expected_stats.max_abs) << what << ", block " << index << " (rows " << first << "..)";
    EXPECT_EQ(stats.all_finite, expected_stats.all_finite) << what << ", block " << index << " (rows " << first << "..)";
    if (!stats.all_finite) outcome.saw_non_finite = true;
  }
  return outcome;
}

int sum_over_ranks(long long value) {
  long long total = 0;
  MPI_Allreduce(&value, &total, 1, MPI_LONG_LONG, MPI_SUM, MPI_COMM_WORLD);
  return static_cast<int>(total);
}

std::string dataset_name(std::size_t type_index, std::size_t layout_index) {
  return "/type" + std::to_string(type_index) + "/layout" + std::to_string(layout_index);
}

TEST_F(RowBlockReading, EveryTypeAndLayoutDecodesExactlyWhatWasStored) {
  const Communicator comm = Communicator::world();
  const SharedDirectory directory;
  ASSERT_FALSE(directory.path().empty());
  const std::string file_name = directory.file("all_types.h5");
  // 23 x 11: at 2, 3 and 4 ranks the shards are uneven, and blocks of 4 leave partial last blocks.
  const std::uint64_t rows = 23, cols = 11;
  const auto types = testing::all_supported_stored_types();
  const auto layouts = layouts_for(rows);

  // Rank 0 writes one dataset per (type, layout); every rank receives the values as stored.
  std::vector<std::vector<double>> stored(types.size() * layouts.size());
  const std::string error = write_on_root([&] {
    for (std::size_t t = 0; t < types.size(); ++t) {
      const auto values = values_for(types[t], rows, cols, 1000 + t, is_float(types[t]));
      for (std::size_t l = 0; l < layouts.size(); ++l) {
        stored[t * layouts.size() + l] =
            testing::write_matrix(file_name, dataset_name(t, l), values, rows, cols, types[t], layouts[l]);
      }
    }
  });
  ASSERT_EQ(error, "");
  for (auto& values : stored) values = values_of_rank_zero(values);

  const Hdf5Handle file = open_file_on_all_ranks(file_name, comm);
  ASSERT_TRUE(file.valid());
  std::vector<int> independent(layouts.size(), 0);  // per layout: cases where some read was not collective
  for (std::size_t t = 0; t < types.size(); ++t) {
    for (std::size_t l = 0; l < layouts.size(); ++l) {
      const std::string what = types[t].name() + " " + layouts[l].name();
      SCOPED_TRACE(what);
      Hdf5Handle dataset = open_dataset(file.get(), dataset_name(t, l));
      const DatasetDescription description = describe_dataset(dataset.get());
      EXPECT_EQ(description.dims, (std::vector<std::uint64_t>{rows, cols}));
      EXPECT_FALSE(description.unsupported_reason().has_value());
      ASSERT_TRUE(description.type.has_value()) << description.type_description;  // same file on every rank
      const StoredType expected_type = product_type(types[t]);
      EXPECT_EQ(description.type->kind, expected_type.kind);
      EXPECT_EQ(description.type->bytes, expected_type.bytes);
      EXPECT_EQ(description.type->big_endian, expected_type.big_endian);
      EXPECT_EQ(description.type_description, expected_type_name(types[t]));
      if (layouts[l].kind == Layout::Kind::chunked) {
        EXPECT_EQ(description.chunk_dims, (std::vector<std::uint64_t>{layouts[l].chunk_rows, layouts[l].chunk_cols}));
      } else {
        EXPECT_TRUE(description.chunk_dims.empty());
      }

      const auto& expected = stored[t * layouts.size() + l];
      // The source is given the shape and type describe_dataset found, as score_dataset gives them.
      Hdf5RowSource source(Hdf5Handle(), std::move(dataset), description, file_name);
      for (std::uint64_t block_rows : {std::uint64_t{1}, std::uint64_t{4}, std::uint64_t{1000}}) {
        const std::string case_name = what + ", block_rows " + std::to_string(block_rows);
        const ReadOutcome outcome = read_and_check(comm, source, rows, cols, block_rows, expected, case_name);
        EXPECT_EQ(sum_over_ranks(static_cast<long long>(outcome.rows_read)), static_cast<int>(rows))
            << case_name << ": the shards must cover every row exactly once";
        if (is_float(types[t])) {
          // Exactly the ranks whose shard holds row 3, 9 or 20 saw a non-finite value.
          const RowShard shard = RowShard::of_rank(rows, comm.rank(), comm.size());
          bool holds_non_finite = false;
          for (const Cell cell : {nan_cell, negative_infinity_cell, infinity_cell}) {
            holds_non_finite = holds_non_finite || (cell.row >= shard.begin && cell.row < shard.begin + shard.count);
          }
          EXPECT_EQ(outcome.saw_non_finite, holds_non_finite) << case_name;
        }
        if (sum_over_ranks(outcome.every_read_collective ? 1 : 0) < comm.size()) ++independent[l];

      }
    }
  }
  // Recorded, not asserted: which layouts HDF5 reads collectively is its own business, except for the
  // case checked in ContiguousFloat32IsReadCollectively. (HDF5 1.10.8 reads compact datasets from the
  // object header, never through MPI-IO, so they always report an independent read.)
  if (comm.is_root()) {
    std::string report;
    for (std::size_t l = 0; l < layouts.size(); ++l) {
      report += " " + layouts[l].name() + ": " + std::to_string(independent[l]) + "/" + std::to_string(types.size() * 3);
    }
    std::printf("[   INFO   ] (type, block_rows) cases with an independent read at %d ranks:%s\n", comm.size(),
                report.c_str());
  }
}

TEST_F(RowBlockReading, ContiguousFloat32IsReadCollectively) {
  // The point of reading the stored bytes unconverted: with no type conversion, parallel HDF5 keeps the
  // transfer collective. At one rank HDF5 may take its independent path, so only > 1 ranks are checked.
  const Communicator comm = Communicator::world();
  const SharedDirectory directory;
  ASSERT_FALSE(directory.path().empty());
  const std::string file_name = directory.file("float32.h5");
  const std::uint64_t rows = 41, cols = 6;
  const FixtureType float32{FixtureType::Kind::floating, 4, false};
  const FixtureType float32be{FixtureType::Kind::floating, 4, true};
  std::vector<double> little, big;
  const std::string error = write_on_root([&] {
    little = testing::write_matrix(file_name, "/le", values_for(float32, rows, cols, 5, false), rows, cols, float32);
    big = testing::write_matrix(file_name, "/be", values_for(float32be, rows, cols, 6, false), rows, cols, float32be);
  });
  ASSERT_EQ(error, "");
  little = values_of_rank_zero(little);
  big = values_of_rank_zero(big);

  const Hdf5Handle file = open_file_on_all_ranks(file_name, comm);
  for (const auto& [path, type, values] :
       {std::tuple{"/le", float32, &little}, std::tuple{"/be", float32be, &big}}) {
    SCOPED_TRACE(path);
    Hdf5RowSource source = source_of(file.get(), path, file_name);
    EXPECT_TRUE(source.stored_type() == product_type(type));
    const ReadOutcome outcome = read_and_check(comm, source, rows, cols, 8, *values, path);
    if (comm.size() > 1) {
      EXPECT_TRUE(outcome.every_read_collective) << "H5Pget_mpio_actual_io_mode reported an independent read";
    }
  }
}

TEST_F(RowBlockReading, RanksWithoutRowsTakePartAndReadNothing) {
  // 2 rows: at 3 and 4 ranks, ranks 2 and 3 have empty shards, yet every read is collective, so they
  // must enter each one (or the others would hang) and get 0 rows and neutral statistics.
  const Communicator comm = Communicator::world();
  const SharedDirectory directory;
  ASSERT_FALSE(directory.path().empty());
  const std::string file_name = directory.file("two_rows.h5");
  const std::uint64_t rows = 2, cols = 5;
  const FixtureType float64{FixtureType::Kind::floating, 8, false};
  const FixtureType int16be{FixtureType::Kind::signed_int, 2, true};
  Layout row_chunks;
  row_chunks.kind = Layout::Kind::chunked;
  row_chunks.chunk_rows = 1;
  row_chunks.chunk_cols = 5;
  Layout compressed = row_chunks;
  compressed.chunk_rows = 2;
  compressed.chunk_cols = 2;
  compressed.gzip = true;
  struct Case {
    const char* path;
    FixtureType type;
    Layout layout;
  };
  const std::vector<Case> cases = {{"/contiguous", float64, Layout{}},
                                   {"/rows", int16be, row_chunks},
                                   {"/gzip", float64, compressed}};
  std::vector<std::vector<double>> stored(cases.size());
  const std::string error = write_on_root([&] {
    for (std::size_t i = 0; i < cases.size(); ++i) {
      stored[i] = testing::write_matrix(file_name, cases[i].path, values_for(cases[i].type, rows, cols, 40 + i, false),
                                        rows, cols, cases[i].type, cases[i].layout);
    }
  });
  ASSERT_EQ(error, "");
  for (auto& values : stored) values = values_of_rank_zero(values);

  const Hdf5Handle file = open_file_on_all_ranks(file_name, comm);
  for (std::size_t i = 0; i < cases.size(); ++i) {
    Hdf5RowSource source = source_of(file.get(), cases[i].path, file_name);
    EXPECT_TRUE(source.stored_type() == product_type(cases[i].type)) << cases[i].path;
    for (std::uint64_t block_rows : {std::uint64_t{1}, std::uint64_t{3}}) {
      const std::string what = std::string(cases[i].path) + ", block_rows " + std::to_string(block_rows);
      const ReadOutcome outcome = read_and_check(comm, source, rows, cols, block_rows, stored[i], what);
      const bool empty_shard = comm.rank() >= 2;
      if (empty_shard) {
        EXPECT_EQ(outcome.rows_read, 0u) << what;
      }
      EXPECT_EQ(sum_over_ranks(static_cast<long long>(outcome.rows_read)), static_cast<int>(rows)) << what;
    }
  }
}

TEST_F(RowBlockReading, DefaultBlockRowsFollowsMemoryTargetAndChunks) {
  constexpr std::uint64_t target_bytes = std::uint64_t{32} << 20;       // doubles per block, unchunked
  constexpr std::uint64_t tall_chunk_budget = std::uint64_t{512} << 20;  // doubles + stored values
  for (std::uint64_t cols : {std::uint64_t{1}, std::uint64_t{7}, std::uint64_t{512}, std::uint64_t{2048},
                             std::uint64_t{100000}, std::uint64_t{10000000}}) {
    const std::uint64_t rows = default_block_rows(cols);
    EXPECT_GE(rows, 64u) << cols;  // BLAS needs some depth even for very wide data
    if (rows > 64) {
      EXPECT_LE(rows * cols * sizeof(double), target_bytes) << cols;
      EXPECT_GT((rows + 1) * cols * sizeof(double), target_bytes) << cols;
    }
    for (int stored_bytes : {1, 4, 8}) {
      for (std::uint64_t chunk_rows : {std::uint64_t{1}, std::uint64_t{7}, std::uint64_t{64}, std::uint64_t{1000},
                                       std::uint64_t{50000}, std::uint64_t{100000}}) {
        const std::string where = std::to_string(cols) + " columns of " + std::to_string(stored_bytes) +
                                  " bytes, chunks of " + std::to_string(chunk_rows) + " rows";
        const std::uint64_t chunked = default_block_rows(cols, chunk_rows, stored_bytes);
        if (chunk_rows <= rows) {
          // Whole chunk rows per block, rounded down by less than one chunk.
          EXPECT_EQ(chunked % chunk_rows, 0u) << where;
          EXPECT_LE(chunked, rows) << where;
          EXPECT_GT(chunked + chunk_rows, rows) << where;
        } else if (chunk_rows * cols * (sizeof(double) + static_cast<std::uint64_t>(stored_bytes)) <= tall_chunk_budget) {
          // Chunks taller than a block: one whole chunk row per block, so each chunk is decompressed once.
          EXPECT_EQ(chunked, chunk_rows) << where;
        } else {
          EXPECT_EQ(chunked, rows) << where << " (a chunk row of this size would exceed the budget)";
        }
      }
    }
  }
}

// A dataset that was created and never written has no storage allocated. HDF5 1.10.8's H5Dread then
// returns fill values at once, without any MPI call, on ranks whose selection is not empty, while a rank
// with an empty selection enters the collective transfer and waits forever: RowBlockReader must never be
// given such a dataset. describe_dataset is what tells, on every rank alike, before any read.
TEST_F(RowBlockReadingNeverWritten, DescriptionSaysTheStorageIsMissingOnEveryRank) {
  const Communicator comm = Communicator::world();
  const SharedDirectory directory;
  ASSERT_FALSE(directory.path().empty());
  const std::string file_name = directory.file("never_written.h5");
  ASSERT_EQ(write_on_root([&] {
              testing::write_unallocated_dataset(file_name, "/unallocated", 5, 12);
              testing::write_matrix(file_name, "/written", std::vector<double>(5 * 12, 1.0), 5, 12,
                                    testing::StoredType{testing::StoredType::Kind::floating, 4},
                                    testing::Layout{testing::Layout::Kind::chunked, 2, 5});
            }),
            "");
  const Hdf5Handle file = open_file_on_all_ranks(file_name, comm);
  const DatasetDescription unwritten = describe_dataset(open_dataset(file.get(), "/unallocated").get());
  EXPECT_FALSE(unwritten.storage_allocated);
  ASSERT_TRUE(unwritten.incompleteness().has_value());
  EXPECT_NE(unwritten.incompleteness()->find("incomplete: no data was ever written"), std::string::npos);
  const DatasetDescription written = describe_dataset(open_dataset(file.get(), "/written").get());
  EXPECT_TRUE(written.storage_allocated);
  EXPECT_EQ(written.expected_chunks, 9u);  // ceil(5/2) x ceil(12/5)
  EXPECT_EQ(written.allocated_chunks, 9u);
  EXPECT_FALSE(written.incompleteness().has_value());
  EXPECT_EQ(sum_over_ranks(unwritten.storage_allocated ? 1 : 0), 0);  // the same answer on every rank
}

}  // namespace
}  // namespace rankme
