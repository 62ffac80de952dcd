// discover_arguments_on_root: directories are expanded and patterns matched on rank 0 only, and every
// rank receives the same list (with the new kinds of entries: directory errors, pattern errors), so
// that sorting and --shard agree everywhere. At 1 to 4 ranks.
#include "rankme/pipeline/dataset_selection.hpp"

#include <gtest/gtest.h>
#include <mpi.h>

#include <filesystem>
#include <string>
#include <vector>

#include "rankme/io/hdf5_error.hpp"
#include "rankme/parallel/communicator.hpp"
#include "support/hdf5_matrix_writer.hpp"
#include "support/hdf5_unusual_objects.hpp"
#include "support/plain_files.hpp"
#include "support/mpi_fixtures.hpp"

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
  EXPECT_NE(discovery.targets[7].error.find("no HDF5 file"), std::string::npos) << discovery.targets[7].error;
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

}  // namespace
}  // namespace rankme
