// The input seam (row_source.hpp): the block reader and the prefetcher read only through RowSource. A
// matrix held in memory (MemoryRowSource) and the same values in an HDF5 file (Hdf5RowSource) must give
// the same blocks, bit for bit, and the same Gram matrix, for every row selection (all, --rows, --sample),
// block size, value type and reading thread; and the reader keeps the collective contract (the same
// number of read_rows calls on every rank, also when a rank's preparation of a block fails).
#include "rankme/io/row_source.hpp"

#include <gtest/gtest.h>
#include <mpi.h>

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <random>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "rankme/io/block_prefetcher.hpp"
#include "rankme/io/hdf5_dataset.hpp"
#include "rankme/io/hdf5_file.hpp"
#include "rankme/io/hdf5_row_source.hpp"
#include "rankme/io/memory_row_source.hpp"
#include "rankme/io/row_block_reader.hpp"
#include "rankme/numerics/gram_accumulator.hpp"
#include "rankme/numerics/row_selection.hpp"
#include "rankme/numerics/row_shard.hpp"
#include "rankme/os/fault_injection.hpp"
#include "rankme/parallel/communicator.hpp"
#include "support/hdf5_matrix_writer.hpp"
#include "support/mpi_fixtures.hpp"

namespace rankme {
namespace {

using FixtureType = testing::StoredType;
using RowSourceSeam = testing::WatchedTest;

const StoredType float32_le{StoredType::Kind::floating, 4, false};
const StoredType float64_le{StoredType::Kind::floating, 8, false};

// The little-endian bytes of `values` stored as `type` (float32 or float64), built independently of
// the product's decoding.
std::vector<unsigned char> little_endian_bytes(const std::vector<double>& values, const StoredType& type) {
  std::vector<unsigned char> bytes;
  for (const double value : values) {
    std::uint64_t bits = 0;
    if (type.bytes == 4) {
      const float narrow = static_cast<float>(value);
      std::uint32_t narrow_bits = 0;
      std::memcpy(&narrow_bits, &narrow, sizeof narrow_bits);
      bits = narrow_bits;
    } else {
      std::memcpy(&bits, &value, sizeof bits);
    }
    for (int i = 0; i < type.bytes; ++i) bytes.push_back(static_cast<unsigned char>(bits >> (8 * i)));
  }
  return bytes;
}

std::vector<double> gaussian(std::uint64_t rows, std::uint64_t cols, std::uint64_t seed) {
  std::mt19937_64 generator(seed);
  std::normal_distribution<double> normal;
  std::vector<double> values(static_cast<std::size_t>(rows * cols));
  for (double& v : values) v = normal(generator);
  return values;
}

// One decoded block as it can be compared: its rows, statistics, exponent and values' bits.
struct BlockImage {
  std::uint64_t rows = 0;
  double max_abs = 0;
  bool all_finite = true;
  int float_exponent = 0;
  std::vector<unsigned char> value_bytes;
  std::string error;

  bool operator==(const BlockImage& other) const {
    return rows == other.rows && std::memcmp(&max_abs, &other.max_abs, sizeof max_abs) == 0 &&
           all_finite == other.all_finite && float_exponent == other.float_exponent &&
           value_bytes == other.value_bytes && error == other.error;
  }
};

struct ReadThrough {
  std::vector<BlockImage> blocks;
  std::vector<double> gram;  // this rank's, not summed
};

// Every block of this rank's shard of `selected`, through the reader and the prefetcher, as the
// pipeline reads them, and this rank's Gram matrix of them. Collective.
ReadThrough read_through(const Communicator& comm, RowSource& source, const SelectedRows& selected,
                         std::uint64_t block_rows, BlockValues values, bool background) {
  const RowShard shard = RowShard::of_rank(selected.size(), comm.rank(), comm.size());
  const std::uint64_t blocks = block_count(selected.size(), comm.size(), block_rows);
  RowBlockReader reader(source, shard, block_rows, &selected);
  BlockPrefetcher prefetcher(reader, values, background);
  GramAccumulator gram(source.cols());
  ReadThrough through;
  for (std::uint64_t index = 0; index < blocks; ++index) {
    prefetcher.start(index);
    DecodedBlock& block = prefetcher.wait();
    BlockImage image;
    image.rows = block.rows;
    image.max_abs = block.stats.max_abs;
    image.all_finite = block.stats.all_finite;
    image.float_exponent = block.float_exponent;
    image.error = block.error.value_or("");
    const std::size_t count = static_cast<std::size_t>(block.rows * source.cols());
    const auto* first = values == BlockValues::double_values ? reinterpret_cast<const unsigned char*>(block.wide.data())
                                                             : reinterpret_cast<const unsigned char*>(block.single());
    const std::size_t bytes = count * (values == BlockValues::double_values ? sizeof(double) : sizeof(float));
    image.value_bytes.assign(first, first + bytes);
    through.blocks.push_back(image);
    if (block.rows == 0) continue;
    if (values == BlockValues::double_values) {
      gram.add_block(block.wide.data(), block.rows, block.stats);
    } else {
      gram.add_block_single(block.single(), block.rows, block.float_exponent, block.stats.max_abs);
    }
  }
  through.gram = gram.matrix();
  return through;
}

TEST(RowRuns, ContiguousRowsAreOneRunAndASampleOnePerStretch) {
  const SelectedRows all(RowSelection{}, 100);
  const std::vector<RowRun> whole = row_runs(&all, 10, 25);
  ASSERT_EQ(whole.size(), 1u);
  EXPECT_EQ(whole[0].first, 10u);
  EXPECT_EQ(whole[0].count, 25u);
  EXPECT_TRUE(row_runs(&all, 10, 0).empty());
  EXPECT_EQ(row_runs(nullptr, 3, 4).size(), 1u);

  const SelectedRows sample(RowSelection{RowSelection::Kind::sample, 30, 7}, 60);
  ASSERT_FALSE(sample.contiguous());
  for (std::uint64_t first = 0; first < sample.size(); first += 7) {
    const std::uint64_t count = std::min<std::uint64_t>(7, sample.size() - first);
    std::vector<std::uint64_t> covered;
    for (const RowRun& run : row_runs(&sample, first, count)) {
      ASSERT_GT(run.count, 0u);
      // Runs are maximal: the next run does not continue this one.
      if (!covered.empty()) {
        EXPECT_GT(run.first, covered.back() + 1);
      }
      for (std::uint64_t r = 0; r < run.count; ++r) covered.push_back(run.first + r);
    }
    ASSERT_EQ(covered.size(), count);
    for (std::uint64_t i = 0; i < count; ++i) EXPECT_EQ(covered[i], sample.row(first + i));
  }
}

TEST(MemoryRowSource, CopiesTheRunsAndChangesItsFingerprintWhenRewritten) {
  std::vector<unsigned char> bytes(5 * 3 * 4);
  for (std::size_t i = 0; i < bytes.size(); ++i) bytes[i] = static_cast<unsigned char>(i);
  EXPECT_THROW(MemoryRowSource(float32_le, 5, 4, bytes), std::invalid_argument);
  MemoryRowSource source(float32_le, 5, 3, bytes);
  EXPECT_EQ(source.rows(), 5u);
  EXPECT_EQ(source.cols(), 3u);
  EXPECT_EQ(source.row_bytes(), 12u);
  std::vector<unsigned char> out(3 * 12, 0xff);
  source.read_rows({RowRun{0, 1}, RowRun{3, 2}}, out.data(), out.size());
  EXPECT_TRUE(std::equal(out.begin(), out.begin() + 12, bytes.begin()));
  EXPECT_TRUE(std::equal(out.begin() + 12, out.end(), bytes.begin() + 36));
  EXPECT_THROW(source.read_rows({RowRun{4, 2}}, out.data(), out.size()), std::out_of_range);
  EXPECT_THROW(source.read_rows({RowRun{0, 4}}, out.data(), out.size()), std::out_of_range);
  source.read_rows({}, out.data(), out.size());
  EXPECT_EQ(source.read_calls(), 4u);

  const FileFingerprint before = source.fingerprint();
  EXPECT_FALSE(before.change_to(source.fingerprint()).has_value());
  source.replace_bytes(bytes);
  EXPECT_TRUE(before.change_to(source.fingerprint()).has_value());
}

// Borrowed bytes (the Python module's arrays): read in place, so a change to them shows in the next read,
// and the size is checked as for owned bytes.
TEST(MemoryRowSource, ReadsBorrowedBytesInPlace) {
  std::vector<unsigned char> bytes(4 * 2 * 8);
  for (std::size_t i = 0; i < bytes.size(); ++i) bytes[i] = static_cast<unsigned char>(3 * i);
  EXPECT_THROW(MemoryRowSource(float64_le, 4, 2, bytes.data(), bytes.size() - 1), std::invalid_argument);
  MemoryRowSource source(float64_le, 4, 2, bytes.data(), bytes.size());
  EXPECT_EQ(source.fingerprint().size, bytes.size());
  std::vector<unsigned char> out(2 * 16, 0);
  source.read_rows({RowRun{1, 1}, RowRun{3, 1}}, out.data(), out.size());
  EXPECT_TRUE(std::equal(out.begin(), out.begin() + 16, bytes.begin() + 16));
  EXPECT_TRUE(std::equal(out.begin() + 16, out.end(), bytes.begin() + 48));
  bytes[16] = 0xab;  // not a copy: the owner's change is what the next read sees
  source.read_rows({RowRun{1, 1}}, out.data(), out.size());
  EXPECT_EQ(out[0], 0xab);
  EXPECT_THROW(source.read_rows({RowRun{3, 2}}, out.data(), out.size()), std::out_of_range);
}

TEST_F(RowSourceSeam, MemoryAndHdf5GiveTheSameBlocksAndGram) {
  const Communicator comm = Communicator::world();
  const testing::SharedDirectory directory;
  ASSERT_FALSE(directory.path().empty());
  const std::string file_name = directory.file("seam.h5");
  const std::uint64_t rows = 101, cols = 9;
  struct Case {
    const char* path;
    FixtureType fixture_type;
    StoredType type;
  };
  const std::vector<Case> cases = {{"/f32", {FixtureType::Kind::floating, 4, false}, float32_le},
                                   {"/f64", {FixtureType::Kind::floating, 8, false}, float64_le}};
  std::vector<std::vector<double>> stored(cases.size());
  ASSERT_EQ(testing::write_on_root([&] {
              for (std::size_t i = 0; i < cases.size(); ++i) {
                stored[i] = testing::write_matrix(file_name, cases[i].path, gaussian(rows, cols, 20 + i), rows, cols,
                                                  cases[i].fixture_type);
              }
            }),
            "");
  for (auto& values : stored) values = testing::values_of_rank_zero(values);

  const Hdf5Handle file = open_file_on_all_ranks(file_name, comm);
  const std::vector<RowSelection> selections = {RowSelection{}, RowSelection{RowSelection::Kind::first, 50, 0},
                                                RowSelection{RowSelection::Kind::sample, 37, 3}};
  for (std::size_t i = 0; i < cases.size(); ++i) {
    Hdf5Handle dataset = open_dataset(file.get(), cases[i].path);
    const DatasetDescription description = describe_dataset(dataset.get());
    Hdf5RowSource from_file(Hdf5Handle(), std::move(dataset), description, file_name);
    MemoryRowSource in_memory(cases[i].type, rows, cols, little_endian_bytes(stored[i], cases[i].type));
    ASSERT_TRUE(from_file.stored_type() == in_memory.stored_type());
    ASSERT_EQ(from_file.rows(), in_memory.rows());
    ASSERT_EQ(from_file.cols(), in_memory.cols());
    for (const RowSelection& selection : selections) {
      const SelectedRows selected(selection, rows);
      for (const std::uint64_t block_rows : {std::uint64_t{1}, std::uint64_t{7}, std::uint64_t{1000}}) {
        for (const BlockValues values : {BlockValues::double_values, BlockValues::float_values}) {
          for (const bool background : {false, true}) {
            SCOPED_TRACE(std::string(cases[i].path) + ", " + std::to_string(selected.size()) + " rows" +
                         (selected.contiguous() ? "" : " sampled") + ", block_rows " + std::to_string(block_rows) +
                         (values == BlockValues::float_values ? ", float" : ", double") +
                         (background ? ", background" : ", foreground"));
            const std::uint64_t calls_before = in_memory.read_calls();
            const ReadThrough hdf5 = read_through(comm, from_file, selected, block_rows, values, background);
            const ReadThrough memory = read_through(comm, in_memory, selected, block_rows, values, background);
            const std::uint64_t blocks = block_count(selected.size(), comm.size(), block_rows);
            EXPECT_EQ(in_memory.read_calls() - calls_before, blocks) << "one read_rows per block on every rank";
            ASSERT_EQ(memory.blocks.size(), hdf5.blocks.size());
            std::uint64_t rows_read = 0;
            for (std::size_t b = 0; b < memory.blocks.size(); ++b) {
              EXPECT_TRUE(memory.blocks[b] == hdf5.blocks[b]) << "block " << b;
              EXPECT_EQ(memory.blocks[b].error, "") << "block " << b;
              rows_read += memory.blocks[b].rows;
            }
            EXPECT_EQ(rows_read, RowShard::of_rank(selected.size(), comm.rank(), comm.size()).count);
            ASSERT_EQ(memory.gram.size(), hdf5.gram.size());
            EXPECT_EQ(std::memcmp(memory.gram.data(), hdf5.gram.data(), memory.gram.size() * sizeof(double)), 0);
          }
        }
      }
    }
  }
}

// A rank whose block fails before its read (here an injected fault on block 1 of rank 0) still calls
// read_rows, with no runs, so that a collective source is not left waiting; the failure is the block's.
std::uint64_t faulty_block = 1;
void fail_on_block(FaultStage stage, const std::string&, std::uint64_t block) {
  if (stage == FaultStage::read && block == faulty_block) throw std::runtime_error("injected read fault");
}

TEST_F(RowSourceSeam, AFailedPreparationStillCallsTheSource) {
  const Communicator comm = Communicator::world();
  const std::uint64_t rows = 40, cols = 4;
  MemoryRowSource source(float64_le, rows, cols, little_endian_bytes(gaussian(rows, cols, 30), float64_le));
  const SelectedRows selected(RowSelection{}, rows);
  const std::uint64_t block_rows = 3;
  const std::uint64_t blocks = block_count(rows, comm.size(), block_rows);
  RowBlockReader reader(source, RowShard::of_rank(rows, comm.rank(), comm.size()), block_rows, &selected);
  BlockPrefetcher prefetcher(reader, BlockValues::double_values, true);
  if (comm.is_root()) install_fault_hook(fail_on_block);
  for (std::uint64_t index = 0; index < blocks; ++index) {
    prefetcher.start(index);
    const DecodedBlock& block = prefetcher.wait();
    if (comm.is_root() && index == faulty_block) {
      EXPECT_EQ(block.error.value_or(""), "injected read fault");
    } else {
      EXPECT_FALSE(block.error.has_value()) << "block " << index << ": " << block.error.value_or("");
    }
  }
  install_fault_hook(nullptr);
  EXPECT_EQ(source.read_calls(), blocks);
}

// An N-D dataset is read as whole samples (d0 rows of d1*...*dk values, C order), and a range of columns
// (one vector of a sample: --pool first/last) as a hyperslab or, across the last axis, from whole rows:
// the same bytes as memory gives, at every rank, with the runs of a sample.
TEST_F(RowSourceSeam, AnNDimensionalDatasetReadsWholeSamplesAndColumnRanges) {
  const Communicator comm = Communicator::world();
  testing::SharedDirectory directory;
  const std::string file_name = directory.file("tokens.h5");
  const std::vector<std::uint64_t> dims = {9, 2, 3, 4};  // 24 values per sample
  std::vector<double> stored;
  ASSERT_EQ(testing::write_on_root([&] {
              stored = testing::write_array(file_name, "/z", gaussian(9, 24, 5), dims,
                                            FixtureType{FixtureType::Kind::floating, 8, false}, {2, 1, 3, 4});
            }),
            "");
  stored = testing::values_of_rank_zero(stored);
  const Hdf5Handle file = open_file_on_all_ranks(file_name, comm);
  Hdf5Handle dataset = open_dataset(file.get(), "/z");
  const DatasetDescription description = describe_dataset(dataset.get());
  Hdf5RowSource from_file(Hdf5Handle(), std::move(dataset), description, file_name);
  MemoryRowSource in_memory(float64_le, 9, 24, little_endian_bytes(stored, float64_le));
  EXPECT_EQ(from_file.rows(), 9u);
  EXPECT_EQ(from_file.cols(), 24u);
  // Each rank its own runs (the collective reads are matched: every rank calls the same number of times).
  const std::vector<RowRun> runs = comm.rank() % 2 == 0 ? std::vector<RowRun>{{1, 2}, {6, 3}} : std::vector<RowRun>{{4, 1}};
  const auto read_both = [&](std::uint64_t first_col, std::uint64_t count) {
    std::vector<unsigned char> a(6 * count * 8), b(6 * count * 8);
    from_file.read_row_columns(runs, first_col, count, a.data(), a.size());
    in_memory.read_row_columns(runs, first_col, count, b.data(), b.size());
    EXPECT_EQ(a, b) << "columns " << first_col << "+" << count;
  };
  read_both(0, 24);   // whole samples
  read_both(0, 4);    // the first vector (--pool first): one hyperslab
  read_both(20, 4);   // the last vector (--pool last)
  read_both(9, 2);    // inside a vector
  read_both(2, 5);    // across vectors: read from whole rows
  std::vector<unsigned char> whole(6 * 24 * 8), expected(6 * 24 * 8);
  from_file.read_rows(runs, whole.data(), whole.size());
  in_memory.read_rows(runs, expected.data(), expected.size());
  EXPECT_EQ(whole, expected);
  EXPECT_THROW(in_memory.read_row_columns(runs, 22, 4, whole.data(), whole.size()), std::out_of_range);
}

}  // namespace
}  // namespace rankme
