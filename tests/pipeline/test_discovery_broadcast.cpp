// Discovery on one rank, its result on every rank (1 to 4 ranks). discover_arguments_on_root: directories
// are expanded and patterns matched on rank 0 only, and every rank receives the same list (with the new
// kinds of entries: directory errors, pattern errors), so that sorting and --shard agree everywhere.
// discover_on_root: only the root runs the discovery, the result arrives byte for byte, a failure is a
// CollectiveError everywhere.
#include "rankme/pipeline/discovery_broadcast.hpp"

#include <gtest/gtest.h>
#include <mpi.h>

#include <filesystem>
#include <stdexcept>
#include <string>
#include <vector>

#include "rankme/io/hdf5_error.hpp"
#include "rankme/parallel/collective_status.hpp"
#include "rankme/parallel/communicator.hpp"
#include "rankme/pipeline/dataset_discovery.hpp"
#include "rankme/pipeline/target_order.hpp"
#include "support/hdf5_matrix_writer.hpp"
#include "support/hdf5_unusual_objects.hpp"
#include "support/mpi_fixtures.hpp"
#include "support/plain_files.hpp"

namespace rankme {
namespace {

using testing::text_of_rank_zero;

std::string describe(const Discovery& discovery) {
  std::string text;
  for (const DatasetTarget& target : discovery.targets) {
    text += target.file + "|" + target.dataset + "|" + std::to_string(target.rows) + "x" + std::to_string(target.cols) +
            "|" + target.dtype + "|" + target.error + "|" + std::to_string(target.file_size) + "\n";
  }
  for (const std::string& note : discovery.notes) text += "note: " + note + "\n";
  return text;
}

void write_sweep(const std::string& root) {
  const testing::StoredType float32{testing::StoredType::Kind::floating, 4};
  const std::vector<double> values = {1, 2, 3, 4, 5, 7, 6, 8, 9, 0, 1, 1};
  std::filesystem::create_directories(root + "/sweep/lr=0.1, wd=0");
  std::filesystem::create_directories(root + "/empty");
  testing::write_matrix(root + "/sweep/lr=0.1, wd=0/run.h5", "/epoch 100/embeddings", values, 4, 3, float32);
  testing::write_matrix(root + "/sweep/lr=0.1, wd=0/run.h5", "/epoch 50/embeddings", values, 6, 2, float32);
  testing::write_array_of_rank(root + "/sweep/lr=0.1, wd=0/run.h5", "/epoch 100/labels", {4});
  testing::write_matrix(root + "/sweep/other.hdf5", "/emb", values, 3, 4, float32);
  testing::write_not_hdf5(root + "/sweep/broken.h5");
}

class DiscoverArgumentsOnRoot : public testing::WatchedTest {};

TEST_F(DiscoverArgumentsOnRoot, EveryRankReceivesRankZerosExpansion) {
  const SilenceHdf5Errors silence;
  const Communicator comm = Communicator::world();
  const testing::SharedDirectory directory("rankme-selection-mpi-");
  ASSERT_FALSE(directory.path().empty());
  const std::string written = testing::write_on_root([&] { write_sweep(directory.path()); });
  ASSERT_EQ(written, "");

  const std::string run = directory.file("sweep/lr=0.1, wd=0/run.h5");
  const std::vector<std::string> arguments = {directory.file("sweep"), run + ":/epoch */embeddings",
                                              run + ":/epoch 999/*", directory.file("empty")};
  // Only rank 0's arguments matter: the others pass nothing and still receive the full list.
  Discovery discovery = discover_arguments_on_root(comm, comm.is_root() ? arguments : std::vector<std::string>{});
  EXPECT_EQ(describe(discovery), text_of_rank_zero(describe(discovery)));

  ASSERT_EQ(discovery.targets.size(), 8u) << describe(discovery);
  // Argument order: the directory's files (sorted), then the patterns, then the empty directory.
  EXPECT_EQ(discovery.targets[0].file, directory.file("sweep/broken.h5"));
  EXPECT_FALSE(discovery.targets[0].scorable());
  EXPECT_EQ(discovery.targets[1].dataset, "/epoch 100/embeddings");
  EXPECT_EQ(discovery.targets[2].dataset, "/epoch 50/embeddings");
  EXPECT_EQ(discovery.targets[3].file, directory.file("sweep/other.hdf5"));
  EXPECT_EQ(discovery.targets[4].dataset, "/epoch 100/embeddings");
  EXPECT_EQ(discovery.targets[5].dataset, "/epoch 50/embeddings");
  EXPECT_EQ(discovery.targets[6].dataset, "/epoch 999/*");
  EXPECT_NE(discovery.targets[6].error.find("matches no dataset"), std::string::npos) << discovery.targets[6].error;
  EXPECT_EQ(discovery.targets[7].file, directory.file("empty"));
  EXPECT_NE(discovery.targets[7].error.find("holds no file to score"), std::string::npos) << discovery.targets[7].error;
  EXPECT_EQ(discovery.notes.size(), 1u);  // the labels, from the directory scan

  // Sorted and sharded the same way on every rank.
  sort_targets(discovery.targets);
  for (std::uint64_t count = 1; count <= 3; ++count) {
    for (std::uint64_t index = 0; index < count; ++index) {
      Discovery share;
      share.targets = select_shard(discovery.targets, index, count);
      EXPECT_EQ(describe(share), text_of_rank_zero(describe(share)));
    }
  }
}

TEST_F(DiscoverArgumentsOnRoot, NoArgumentsIsAnEmptyListEverywhere) {
  const Communicator comm = Communicator::world();
  const Discovery discovery = discover_arguments_on_root(comm, {});
  EXPECT_TRUE(discovery.targets.empty());
  EXPECT_TRUE(discovery.notes.empty());
}

// The broadcast itself: only the root runs the discovery, and what it found arrives byte for byte, from
// any root.
class DiscoverOnRoot : public testing::WatchedTest {};

TEST_F(DiscoverOnRoot, OnlyTheRootDiscoversAndEveryRankReceivesItByteForByte) {
  const Communicator comm = Communicator::world();
  for (const int root : {0, comm.size() - 1}) {
    int runs = 0;
    const Discovery discovery = discover_on_root(
        comm,
        [&] {
          ++runs;
          Discovery found;
          DatasetTarget target;
          target.file = "run \xff.h5";
          target.dataset = "/caf\xc3\xa9/\x80";
          target.rows = 7;
          target.cols = 3;
          target.dtype = "uint16be";
          target.type = StoredType{StoredType::Kind::unsigned_int, 2, true};
          target.chunk_dims = {4, 3};
          target.file_size = 123;
          target.file_mtime_ns = -5;
          target.object_identity = "1:2:" + std::to_string(comm.rank());  // the root's rank, as it saw it
          target.named_explicitly = true;
          found.targets.push_back(target);
          found.notes.push_back("skipped \xfe");
          return found;
        },
        root);
    EXPECT_EQ(runs, comm.rank() == root ? 1 : 0) << "root " << root;
    ASSERT_EQ(discovery.targets.size(), 1u);
    const DatasetTarget& target = discovery.targets.front();
    EXPECT_EQ(target.file, "run \xff.h5");
    EXPECT_EQ(target.dataset, "/caf\xc3\xa9/\x80");
    EXPECT_EQ(target.rows, 7u);
    EXPECT_EQ(target.cols, 3u);
    EXPECT_EQ(target.dtype, "uint16be");
    ASSERT_TRUE(target.type.has_value());
    EXPECT_TRUE(*target.type == (StoredType{StoredType::Kind::unsigned_int, 2, true}));
    EXPECT_EQ(target.chunk_dims, (std::vector<std::uint64_t>{4, 3}));
    EXPECT_EQ(target.file_size, 123u);
    EXPECT_EQ(target.file_mtime_ns, -5);
    EXPECT_EQ(target.object_identity, "1:2:" + std::to_string(root));
    EXPECT_TRUE(target.named_explicitly);
    EXPECT_FALSE(target.through_external_link);
    EXPECT_EQ(discovery.notes, (std::vector<std::string>{"skipped \xfe"}));
  }
}

TEST_F(DiscoverOnRoot, AFailureOnTheRootIsACollectiveErrorOnEveryRank) {
  const Communicator comm = Communicator::world();
  const int root = comm.size() - 1;
  try {
    discover_on_root(comm, []() -> Discovery { throw std::runtime_error("cannot read the directory"); }, root);
    ADD_FAILURE() << "no exception on rank " << comm.rank();
  } catch (const CollectiveError& error) {
    EXPECT_EQ(std::string(error.what()), "dataset discovery failed: cannot read the directory");
  }
  // And the ranks are still in step: the next collective goes through.
  const Discovery after = discover_on_root(comm, [] { return Discovery{}; }, root);
  EXPECT_TRUE(after.targets.empty());
}

TEST_F(DiscoverOnRoot, DiscoverTargetsOnRootFromAnyRoot) {
  const SilenceHdf5Errors silence;
  const Communicator comm = Communicator::world();
  const testing::SharedDirectory directory("rankme-broadcast-mpi-");
  ASSERT_FALSE(directory.path().empty());
  const std::string file = directory.file("one.h5");
  const std::string written = testing::write_on_root([&] {
    const testing::StoredType float32{testing::StoredType::Kind::floating, 4};
    testing::write_matrix(file, "/emb", {1, 2, 3, 4, 5, 6}, 3, 2, float32);
  });
  ASSERT_EQ(written, "");
  const Discovery discovery = discover_targets_on_root(comm, {InputSpec{file, std::nullopt}}, comm.size() - 1);
  EXPECT_EQ(describe(discovery), text_of_rank_zero(describe(discovery)));
  ASSERT_EQ(discovery.targets.size(), 1u) << describe(discovery);
  EXPECT_EQ(discovery.targets[0].dataset, "/emb");
  EXPECT_EQ(discovery.targets[0].rows, 3u);
  EXPECT_TRUE(discovery.targets[0].scorable()) << discovery.targets[0].error;
}

}  // namespace
}  // namespace rankme
