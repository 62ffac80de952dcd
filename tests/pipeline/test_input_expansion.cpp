// Command-line arguments to inputs: directories become their HDF5 files, files and patterns pass through,
// bad directories become error inputs (and discovery reports them without opening anything).
#include "rankme/pipeline/input_expansion.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "rankme/pipeline/dataset_discovery.hpp"
#include "support/temporary_directory.hpp"

namespace rankme {
namespace {

class ExpandArgumentsTest : public ::testing::Test {
 protected:
  std::string touch(const std::string& relative) {
    const std::filesystem::path path = directory.path() / relative;
    std::filesystem::create_directories(path.parent_path());
    std::ofstream(path) << "x";
    return path.string();
  }
  static std::vector<std::string> files_of(const std::vector<InputSpec>& inputs) {
    std::vector<std::string> files;
    for (const InputSpec& input : inputs) files.push_back(input.file);
    return files;
  }
  testing::TemporaryDirectory directory{"rankme-selection-args-"};
};

TEST_F(ExpandArgumentsTest, DirectoriesBecomeTheirHdf5FilesRecursivelySorted) {
  const std::string root = directory.file("sweep");
  touch("sweep/b.h5");
  touch("sweep/a.hdf5");
  touch("sweep/sub/z.h5");
  touch("sweep/sub/deeper/y.h5");
  touch("sweep/sub dir/c.h5");
  touch("sweep/notes.txt");
  touch("sweep/data.h5.bak");
  touch("sweep/h5");
  touch("sweep/sub/README");
  std::filesystem::create_directories(directory.path() / "sweep/empty/also empty");
  const std::vector<InputSpec> inputs = expand_arguments({root});
  // Byte order of the whole path: "sub dir/" (space) before "sub/".
  const std::vector<std::string> expected = {root + "/a.hdf5", root + "/b.h5", root + "/sub dir/c.h5",
                                             root + "/sub/deeper/y.h5", root + "/sub/z.h5"};
  EXPECT_EQ(files_of(inputs), expected);
  for (const InputSpec& input : inputs) {
    EXPECT_FALSE(input.dataset.has_value());
    EXPECT_TRUE(input.error.empty()) << input.error;
  }
  // A trailing '/' is kept as written: the files are that path plus their names.
  const std::vector<InputSpec> slashed = expand_arguments({root + "/sub/"});
  EXPECT_EQ(files_of(slashed), (std::vector<std::string>{root + "/sub/deeper/y.h5", root + "/sub/z.h5"}));
}

// Every format rankme reads is picked up by its usual extension; the format itself comes from the bytes.
TEST_F(ExpandArgumentsTest, DirectoriesBecomeEveryTensorFileBelowThem) {
  const std::string root = directory.file("dumps");
  for (const char* name : {"trainfeat.pth", "valid.pt", "features.npy", "arrays.npz", "model.safetensors",
                           "emb.h5", "notes.md", "weights.bin", "features.npy.tmp"}) {
    touch(std::string("dumps/") + name);
  }
  const std::vector<std::string> expected = {root + "/arrays.npz", root + "/emb.h5", root + "/features.npy",
                                             root + "/model.safetensors", root + "/trainfeat.pth", root + "/valid.pt"};
  EXPECT_EQ(files_of(expand_arguments({root})), expected);
}

TEST_F(ExpandArgumentsTest, ArgumentOrderIsKeptAndFilesAndPatternsPassThrough) {
  const std::string file = touch("z.h5");
  touch("dir/b.h5");
  touch("dir/a.h5");
  const std::vector<InputSpec> inputs =
      expand_arguments({file, directory.file("dir"), file + ":/runs/*/emb", file + ":/runs/\\*", file + ":emb"});
  ASSERT_EQ(inputs.size(), 6u);
  EXPECT_EQ(files_of(inputs), (std::vector<std::string>{file, directory.file("dir/a.h5"), directory.file("dir/b.h5"),
                                                        file, file, file}));
  EXPECT_FALSE(inputs[0].dataset.has_value());
  EXPECT_EQ(inputs[3].dataset, "/runs/*/emb");
  EXPECT_TRUE(inputs[3].pattern);
  EXPECT_EQ(inputs[4].dataset, "/runs/\\*");  // kept as written: discovery resolves the escape
  EXPECT_FALSE(inputs[4].pattern);
  EXPECT_EQ(inputs[5].dataset, "/emb");
  EXPECT_FALSE(inputs[5].pattern);
}

TEST_F(ExpandArgumentsTest, SymbolicLinksToFilesAreListedToDirectoriesNotFollowed) {
  const std::string real = touch("elsewhere/real.h5");
  touch("sweep/own.h5");
  std::filesystem::create_symlink(real, directory.path() / "sweep/linked.h5");
  std::filesystem::create_directory_symlink(directory.path() / "sweep", directory.path() / "sweep/loop");
  std::filesystem::create_directory_symlink(directory.path() / "elsewhere", directory.path() / "sweep/other");
  const std::vector<InputSpec> inputs = expand_arguments({directory.file("sweep")});
  EXPECT_EQ(files_of(inputs), (std::vector<std::string>{directory.file("sweep/linked.h5"), directory.file("sweep/own.h5")}));
}

TEST_F(ExpandArgumentsTest, DirectoriesWithoutHdf5FilesAndMissingDirectoriesAreErrorsNamingThem) {
  std::filesystem::create_directories(directory.path() / "empty/nested");
  touch("text only/notes.txt");
  const std::string missing = directory.file("gone") + "/";
  touch("dir/a.h5");
  const std::vector<InputSpec> inputs =
      expand_arguments({directory.file("empty"), directory.file("text only"), missing, directory.file("dir") + ":/x"});
  ASSERT_EQ(inputs.size(), 4u);
  EXPECT_EQ(inputs[0].file, directory.file("empty"));
  EXPECT_NE(inputs[0].error.find("'" + directory.file("empty") + "'"), std::string::npos) << inputs[0].error;
  EXPECT_NE(inputs[0].error.find("holds no file to score"), std::string::npos) << inputs[0].error;
  EXPECT_NE(inputs[1].error.find("'" + directory.file("text only") + "'"), std::string::npos) << inputs[1].error;
  EXPECT_EQ(inputs[2].file, missing);
  EXPECT_NE(inputs[2].error.find("no such directory"), std::string::npos) << inputs[2].error;
  EXPECT_NE(inputs[3].error.find("is a directory"), std::string::npos) << inputs[3].error;

  // Discovery turns each into one error target without opening anything.
  const Discovery discovery = discover_targets(inputs);
  ASSERT_EQ(discovery.targets.size(), 4u);
  for (std::size_t i = 0; i < inputs.size(); ++i) {
    EXPECT_EQ(discovery.targets[i].file, inputs[i].file);
    EXPECT_EQ(discovery.targets[i].dataset, "");
    EXPECT_EQ(discovery.targets[i].error, inputs[i].error);
  }
}

}  // namespace
}  // namespace rankme
