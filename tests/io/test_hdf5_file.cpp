// Opening HDF5 files read-only, alone and on every rank through MPI-IO: a good file opens; a missing file,
// a directory and a file that is not HDF5 each fail with a message naming the file and what is wrong, and
// on all ranks at once (CollectiveError) when they open together.
#include "rankme/io/hdf5_file.hpp"

#include <gtest/gtest.h>
#include <hdf5.h>
#include <mpi.h>

#include <filesystem>
#include <stdexcept>
#include <string>
#include <vector>

#include "rankme/io/hdf5_error.hpp"
#include "rankme/parallel/collective_status.hpp"
#include "rankme/parallel/communicator.hpp"
#include "support/hdf5_matrix_writer.hpp"
#include "support/mpi_fixtures.hpp"
#include "support/plain_files.hpp"

namespace rankme {
namespace {

using Hdf5File = testing::WatchedTest;

// good.h5 (one float64 dataset /x), notes.h5 (text), folder.h5 (a directory); missing.h5 does not exist.
struct Inputs {
  testing::SharedDirectory directory{"rankme-hdf5-file-"};
  std::string good = directory.file("good.h5"), not_hdf5 = directory.file("notes.h5");
  std::string folder = directory.file("folder.h5"), missing = directory.file("missing.h5");
  std::string error = testing::write_on_root([&] {
    testing::write_matrix(good, "/x", {1, 2, 3, 4, 5, 6}, 3, 2, {testing::StoredType::Kind::floating, 8});
    testing::write_not_hdf5(not_hdf5);
    std::filesystem::create_directory(folder);
  });
};

// The message of what `open` throws, "" when it throws nothing.
template <typename Open>
std::string failure_of(Open open) {
  try {
    open();
  } catch (const std::exception& error) {
    return error.what();
  }
  return "";
}

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

TEST_F(Hdf5File, AloneAGoodFileOpensReadOnly) {
  const Inputs inputs;
  ASSERT_EQ(inputs.error, "");
  const SilenceHdf5Errors silence;
  const Hdf5Handle file = open_file_alone(inputs.good);
  ASSERT_TRUE(file.valid());
  unsigned intent = 0;
  ASSERT_GE(H5Fget_intent(file.get(), &intent), 0);
  EXPECT_EQ(intent, static_cast<unsigned>(H5F_ACC_RDONLY));
  EXPECT_GT(H5Lexists(file.get(), "/x", H5P_DEFAULT), 0);
}

TEST_F(Hdf5File, AloneEachFailureNamesTheFileAndWhatIsWrong) {
  const Inputs inputs;
  ASSERT_EQ(inputs.error, "");
  const SilenceHdf5Errors silence;
  const std::string missing = failure_of([&] { open_file_alone(inputs.missing); });
  EXPECT_TRUE(contains(missing, "no such file") && contains(missing, inputs.missing)) << missing;
  const std::string folder = failure_of([&] { open_file_alone(inputs.folder); });
  EXPECT_TRUE(contains(folder, "is a directory") && contains(folder, inputs.folder)) << folder;
  const std::string text = failure_of([&] { open_file_alone(inputs.not_hdf5); });
  EXPECT_TRUE(contains(text, "not an HDF5 file") && contains(text, inputs.not_hdf5)) << text;
}

TEST_F(Hdf5File, OnAllRanksAGoodFileOpensEverywhere) {
  const Inputs inputs;
  ASSERT_EQ(inputs.error, "");
  const SilenceHdf5Errors silence;
  const Communicator world = Communicator::world();
  const Hdf5Handle file = open_file_on_all_ranks(inputs.good, world);
  EXPECT_TRUE(file.valid());
  EXPECT_GT(H5Lexists(file.get(), "/x", H5P_DEFAULT), 0);
}

TEST_F(Hdf5File, OnAllRanksAFailureIsACollectiveErrorOnEveryRank) {
  const Inputs inputs;
  ASSERT_EQ(inputs.error, "");
  const SilenceHdf5Errors silence;
  const Communicator world = Communicator::world();
  for (const std::string& path : {inputs.missing, inputs.folder, inputs.not_hdf5}) {
    SCOPED_TRACE(path);
    std::string message;
    bool collective = false;
    try {
      open_file_on_all_ranks(path, world);
    } catch (const CollectiveError& error) {
      collective = true;
      message = error.what();
    } catch (const std::exception& error) {
      message = error.what();
    }
    EXPECT_TRUE(collective) << message;
    EXPECT_TRUE(contains(message, path)) << message;
    // The same message on every rank.
    EXPECT_EQ(testing::text_of_rank_zero(message), message);
  }
}

}  // namespace
}  // namespace rankme
