// BlockPrefetcher: reading block i + 1 on a worker thread while block i is consumed gives bit for bit what
// reading each block in the foreground gives, in double and in float32 values, for blocks of one row, of
// a size that divides nothing, and of the default size; and the RankMe of those blocks' Gram matrix is
// the float64 LAPACK SVD's (moved here from the precision-modes test of score_dataset).
#include "rankme/io/block_prefetcher.hpp"

#include <gtest/gtest.h>
#include <mpi.h>

#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <random>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "rankme/io/hdf5_dataset.hpp"
#include "rankme/io/hdf5_file.hpp"
#include "rankme/io/hdf5_row_source.hpp"
#include "rankme/io/row_block_reader.hpp"
#include "rankme/numerics/gram_accumulator.hpp"
#include "rankme/numerics/precision_criterion.hpp"
#include "rankme/numerics/row_shard.hpp"
#include "rankme/numerics/spectrum_metrics.hpp"
#include "rankme/parallel/communicator.hpp"
#include "rankme/parallel/eigensolver.hpp"
#include "rankme/parallel/gram_reduction.hpp"
#include "support/hdf5_matrix_writer.hpp"
#include "support/lapack_reference.hpp"
#include "support/mpi_fixtures.hpp"

namespace rankme {
namespace {

using FixtureType = testing::StoredType;
using testing::relative_difference;
using testing::SharedDirectory;

const FixtureType float32{FixtureType::Kind::floating, 4, false};

// Under a watchdog, so that a hang is a named failure; 60 s because the SVD reference takes seconds when
// 4 ranks share 2 cores with other tests.
class Prefetching : public ::testing::Test {
 private:
  testing::Watchdog watchdog_{"a prefetcher test", std::chrono::seconds(60)};
};

std::vector<double> gaussian(std::uint64_t rows, std::uint64_t cols, std::uint64_t seed) {
  std::mt19937_64 generator(seed);
  std::normal_distribution<double> normal;
  std::vector<double> values(static_cast<std::size_t>(rows * cols));
  for (double& v : values) v = normal(generator);
  return values;
}

std::uint64_t bits_of(double value) {
  std::uint64_t bits = 0;
  std::memcpy(&bits, &value, sizeof bits);
  return bits;
}

// RankMe of every row of `source`, read through the prefetcher (on its worker thread or not) as
// `values`, block_rows per block and rank, Gram matrices summed over the ranks. Collective.
double rankme_through_prefetcher(const Communicator& comm, RowSource& source, BlockValues values, bool background,
                                 std::uint64_t block_rows) {
  const RowShard shard = RowShard::of_rank(source.rows(), comm.rank(), comm.size());
  const std::uint64_t blocks = block_count(source.rows(), comm.size(), block_rows);
  RowBlockReader reader(source, shard, block_rows);
  BlockPrefetcher prefetcher(reader, values, background);
  GramAccumulator gram(source.cols());
  if (blocks > 0) prefetcher.start(0);
  for (std::uint64_t index = 0; index < blocks; ++index) {
    DecodedBlock& block = prefetcher.wait();
    EXPECT_FALSE(block.error.has_value()) << block.error.value_or("");
    // The next block is read while this one is multiplied, as the pipeline does.
    if (index + 1 < blocks) prefetcher.start(index + 1);
    if (block.rows == 0) continue;
    if (values == BlockValues::double_values) {
      gram.add_block(block.wide.data(), block.rows, block.stats);
    } else {
      gram.add_block_single(block.single(), block.rows, block.float_exponent, block.stats.max_abs);
    }
  }
  sum_gram_over_ranks(comm, gram);
  const Eigenvalues eigenvalues = symmetric_eigenvalues(comm, gram.matrix(), source.cols(), SolverChoice::automatic);
  return rankme_from_singular_values(
      singular_values_from_gram_eigenvalues(eigenvalues.values, source.rows(), source.cols()));
}

TEST_F(Prefetching, PrefetchingGivesTheForegroundResultBitForBit) {
  const Communicator comm = Communicator::world();
  const SharedDirectory directory;
  ASSERT_FALSE(directory.path().empty());
  const std::string file_name = directory.file("prefetch.h5");
  const std::uint64_t rows = 999, cols = 40;
  std::vector<double> stored;
  ASSERT_EQ(testing::write_on_root(
                [&] { stored = testing::write_matrix(file_name, "/z", gaussian(rows, cols, 9), rows, cols, float32); }),
            "");
  // The reference on rank 0 only (an SVD per rank would only cost time), then shared.
  std::vector<double> reference(1, 0.0);
  if (testing::is_root()) reference[0] = testing::reference_rankme(testing::reference_singular_values(stored, rows, cols));
  reference = testing::values_of_rank_zero(reference);

  const Hdf5Handle file = open_file_on_all_ranks(file_name, comm);
  Hdf5Handle dataset = open_dataset(file.get(), "/z");
  const DatasetDescription description = describe_dataset(dataset.get());
  Hdf5RowSource source(Hdf5Handle(), std::move(dataset), description, file_name);
  for (const Precision precision : {Precision::double_precision, Precision::mixed}) {
    const bool mixed = precision == Precision::mixed;
    const BlockValues values = mixed ? BlockValues::float_values : BlockValues::double_values;
    for (const std::uint64_t block_rows : {std::uint64_t{1}, std::uint64_t{17}, std::uint64_t{0}}) {
      SCOPED_TRACE(precision_name(precision) + ", block_rows " + std::to_string(block_rows));
      // 0: the default, as score_dataset takes it for an unchunked float32 dataset.
      const std::uint64_t rows_per_block =
          block_rows > 0 ? block_rows : default_block_rows(cols, 0, 4, mixed ? sizeof(float) : sizeof(double));
      const double background = rankme_through_prefetcher(comm, source, values, true, rows_per_block);
      const double foreground = rankme_through_prefetcher(comm, source, values, false, rows_per_block);
      ASSERT_TRUE(std::isfinite(background) && std::isfinite(foreground));
      EXPECT_EQ(bits_of(background), bits_of(foreground));
      EXPECT_LE(relative_difference(background, reference[0]), mixed ? 1e-6 : 1e-12);
    }
  }
}

TEST(DecodeThreads, OneMoreWhenTheProductsWaitedOneFewerWithSlackToSpare) {
  // The products had to wait for the block: decoding is the slower side, another thread pays.
  EXPECT_EQ(next_decode_threads(1, 2, true, 0.0, 0.1), 2);
  EXPECT_EQ(next_decode_threads(2, 2, true, 0.0, 0.1), 2);  // no more than the source has
  // Ready before it was asked for, by more than it took: half the threads would still have been in time.
  EXPECT_EQ(next_decode_threads(3, 4, false, 0.25, 0.1), 2);
  EXPECT_EQ(next_decode_threads(1, 4, false, 5.0, 0.1), 1);  // never fewer than one
  // Ready, but with less slack than that: as it is.
  EXPECT_EQ(next_decode_threads(3, 4, false, 0.05, 0.1), 3);
  EXPECT_EQ(next_decode_threads(5, 4, false, 0.05, 0.1), 4);
}

// A source that decodes on up to 3 threads (it says), takes `delay` per read, and records how many threads
// it was told to use before each read.
class DecodingSource : public RowSource {
 public:
  explicit DecodingSource(std::chrono::milliseconds delay) : delay_(delay) {}
  std::uint64_t rows() const override { return 40; }
  std::uint64_t cols() const override { return 2; }
  StoredType stored_type() const override { return StoredType{StoredType::Kind::floating, 8, false}; }
  void read_rows(const std::vector<RowRun>& runs, unsigned char* out, std::size_t) override {
    told_.push_back(threads_);
    std::this_thread::sleep_for(delay_);
    std::uint64_t rows = 0;
    for (const RowRun& run : runs) rows += run.count;
    std::memset(out, 0, rows * row_bytes());
  }
  FileFingerprint fingerprint() const override { return FileFingerprint{}; }
  int decode_threads() const override { return 3; }
  void use_decode_threads(int threads) override { threads_ = threads; }
  const std::vector<int>& told() const { return told_; }

 private:
  std::chrono::milliseconds delay_;
  int threads_ = 3;
  std::vector<int> told_;
};

// One rank's blocks of 4 rows through the prefetcher, the consumer spending `work` on each.
std::vector<int> threads_told(DecodingSource& source, std::chrono::milliseconds work) {
  RowBlockReader reader(source, RowShard{0, source.rows()}, 4);
  BlockPrefetcher prefetcher(reader, BlockValues::double_values, true);
  prefetcher.start(0);
  for (std::uint64_t index = 0; index < 10; ++index) {
    prefetcher.wait();
    if (index + 1 < 10) prefetcher.start(index + 1);
    std::this_thread::sleep_for(work);
  }
  return source.told();
}

TEST(DecodeThreads, ThePrefetcherGivesTheSourceAsManyAsKeepThemBusy) {
  // The first block is read alone: every thread. The products then wait for each slow block: up to 3.
  DecodingSource slow(std::chrono::milliseconds(40));
  const std::vector<int> eager = threads_told(slow, std::chrono::milliseconds(0));
  ASSERT_EQ(eager.size(), 10u);
  EXPECT_EQ(eager[0], 3);
  EXPECT_EQ(eager[1], 1);  // beside the products: one, until they are seen waiting
  EXPECT_EQ(eager.back(), 3);
  // Products far slower than reading: one thread is enough all along.
  DecodingSource fast(std::chrono::milliseconds(5));
  const std::vector<int> busy = threads_told(fast, std::chrono::milliseconds(150));
  ASSERT_EQ(busy.size(), 10u);
  EXPECT_EQ(busy[0], 3);
  for (std::size_t block = 1; block < busy.size(); ++block) EXPECT_EQ(busy[block], 1) << "block " << block;
}

}  // namespace
}  // namespace rankme
