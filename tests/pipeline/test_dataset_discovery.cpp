// Discovery in real files: patterns among unusual names, what is skipped with a note and what is an error,
// whole-file scans, the sorted order, hard-linked groups and soft links, directories of files. One process
// (discover_targets runs on one rank; the broadcast is checked in test_discovery_broadcast).
#include "rankme/pipeline/dataset_discovery.hpp"

#include <gtest/gtest.h>
#include <hdf5.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "rankme/io/hdf5_error.hpp"
#include "rankme/pipeline/input_expansion.hpp"
#include "support/hdf5_attributes.hpp"
#include "support/hdf5_links.hpp"
#include "support/hdf5_matrix_writer.hpp"
#include "support/hdf5_unusual_objects.hpp"
#include "support/plain_files.hpp"
#include "support/safetensors_writer.hpp"
#include "support/temporary_directory.hpp"

namespace rankme {
namespace {

const testing::StoredType float32{testing::StoredType::Kind::floating, 4};

void write_small_matrix(const std::string& file, const std::string& path) {
  std::vector<double> values(12 * 3);
  for (std::size_t i = 0; i < values.size(); ++i) values[i] = static_cast<double>(i % 7) - 2.5;
  testing::write_matrix(file, path, values, 12, 3, float32);
}

void make_hard_link(const std::string& file, const std::string& target, const std::string& link) {
  const SilenceHdf5Errors silence;
  const hid_t handle = H5Fopen(file.c_str(), H5F_ACC_RDWR, H5P_DEFAULT);
  if (handle < 0) throw std::runtime_error("H5Fopen " + file);
  const herr_t status = H5Lcreate_hard(handle, target.c_str(), handle, link.c_str(), H5P_DEFAULT, H5P_DEFAULT);
  H5Fclose(handle);
  if (status < 0) throw std::runtime_error("H5Lcreate_hard " + link);
}

std::vector<std::string> scorable_datasets_of(const Discovery& discovery) {
  std::vector<std::string> datasets;
  for (const DatasetTarget& target : discovery.targets) {
    EXPECT_TRUE(target.scorable()) << target.error;
    datasets.push_back(target.dataset);
  }
  return datasets;
}

const std::string lr_run = "/runs/lr=0.1, wd=1e-4";
const std::string small_lr_run = "/runs/lr=0.01, wd=0";
const std::string seed_run = "/runs/[seed 1]";
const std::string accent_run = "/runs/caf\xc3\xa9";

class PatternDiscoveryTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    directory = new testing::TemporaryDirectory("rankme-selection-patterns-");
    file = directory->file("sweep.h5");
    write_small_matrix(file, lr_run + "/epoch 100/embeddings");
    testing::write_array_of_rank(file, lr_run + "/epoch 100/labels", {12});
    write_small_matrix(file, lr_run + "/epoch 50/embeddings");
    write_small_matrix(file, lr_run + "/epoch 100/projector/embeddings");
    write_small_matrix(file, small_lr_run + "/epoch 100/embeddings");
    testing::write_string_dataset(file, small_lr_run + "/epoch 100/names");
    write_small_matrix(file, seed_run + "/epoch 100/embeddings");
    write_small_matrix(file, accent_run + "/epoch 100/embeddings");
    write_small_matrix(file, "/other/embeddings");
  }
  static void TearDownTestSuite() { delete directory; }

  static Discovery discover(const std::string& dataset) {
    return discover_targets(expand_arguments({file + ":" + dataset}));
  }

  static testing::TemporaryDirectory* directory;
  static std::string file;
  const SilenceHdf5Errors silence;  // as in the tool: expected failures print no HDF5 error stacks
};

testing::TemporaryDirectory* PatternDiscoveryTest::directory = nullptr;
std::string PatternDiscoveryTest::file;

TEST_F(PatternDiscoveryTest, OneWildcardComponentAmongUnusualNames) {
  const Discovery discovery = discover("/runs/*/epoch 100/embeddings");
  // Sorted byte-wise: '[' < 'c' < 'l', and "lr=0.0" < "lr=0.1".
  EXPECT_EQ(scorable_datasets_of(discovery),
            (std::vector<std::string>{seed_run + "/epoch 100/embeddings", accent_run + "/epoch 100/embeddings",
                                      small_lr_run + "/epoch 100/embeddings", lr_run + "/epoch 100/embeddings"}));
  for (const DatasetTarget& target : discovery.targets) {
    EXPECT_EQ(target.file, file);
    EXPECT_EQ(target.rows, 12u);
    EXPECT_EQ(target.cols, 3u);
    EXPECT_EQ(target.dtype, "float32");
    EXPECT_GT(target.file_size, 0u);
    EXPECT_GT(target.file_mtime_ns, 0);
  }
  EXPECT_TRUE(discovery.notes.empty());
}

TEST_F(PatternDiscoveryTest, NonMatricesFoundByAPatternAreSkippedWithANote) {
  const Discovery discovery = discover("/runs/lr=0.*/epoch 100/*");
  EXPECT_EQ(scorable_datasets_of(discovery),
            (std::vector<std::string>{small_lr_run + "/epoch 100/embeddings", lr_run + "/epoch 100/embeddings"}));
  ASSERT_EQ(discovery.notes.size(), 2u);
  EXPECT_NE(discovery.notes[0].find(small_lr_run + "/epoch 100/names"), std::string::npos) << discovery.notes[0];
  EXPECT_NE(discovery.notes[1].find(lr_run + "/epoch 100/labels"), std::string::npos) << discovery.notes[1];
  EXPECT_NE(discovery.notes[1].find("1-D"), std::string::npos) << discovery.notes[1];
}

TEST_F(PatternDiscoveryTest, GlobstarReachesEveryDepth) {
  EXPECT_EQ(scorable_datasets_of(discover("/runs/lr=0.1*/**/embeddings")),
            (std::vector<std::string>{lr_run + "/epoch 100/embeddings", lr_run + "/epoch 100/projector/embeddings",
                                      lr_run + "/epoch 50/embeddings"}));
  EXPECT_EQ(discover("/**/embeddings").targets.size(), 7u);
  EXPECT_EQ(scorable_datasets_of(discover("/runs/[!l]*/*/embeddings")),
            (std::vector<std::string>{seed_run + "/epoch 100/embeddings", accent_run + "/epoch 100/embeddings"}));
  EXPECT_EQ(scorable_datasets_of(discover("/runs/caf?/epoch 1[0-9]0/embeddings")),
            (std::vector<std::string>{accent_run + "/epoch 100/embeddings"}));
}

TEST_F(PatternDiscoveryTest, ANameThatExistsAsWrittenIsThatDatasetEvenWithWildcards) {
  // As a pattern, "[seed 1]" would be one character of "seed 1" and match nothing here.
  const Discovery literal = discover(seed_run + "/epoch 100/embeddings");
  EXPECT_EQ(scorable_datasets_of(literal), (std::vector<std::string>{seed_run + "/epoch 100/embeddings"}));
  const Discovery escaped = discover("/runs/\\[seed 1\\]/epoch 100/embeddings");
  EXPECT_EQ(scorable_datasets_of(escaped), (std::vector<std::string>{seed_run + "/epoch 100/embeddings"}));
  const Discovery escaped_in_pattern = discover("/runs/\\[seed ?\\]/*/embeddings");
  EXPECT_EQ(scorable_datasets_of(escaped_in_pattern), (std::vector<std::string>{seed_run + "/epoch 100/embeddings"}));
}

TEST_F(PatternDiscoveryTest, ANamedNonMatrixIsStillAnErrorNotANote) {
  const Discovery discovery = discover(lr_run + "/epoch 100/labels");
  ASSERT_EQ(discovery.targets.size(), 1u);
  EXPECT_FALSE(discovery.targets[0].scorable());
  EXPECT_NE(discovery.targets[0].error.find("1-D"), std::string::npos) << discovery.targets[0].error;
  EXPECT_TRUE(discovery.notes.empty());
}

TEST_F(PatternDiscoveryTest, APatternThatMatchesNothingIsAnErrorNamingFileAndPattern) {
  const std::string pattern = "/runs/*/epoch 999/embeddings";
  const Discovery discovery = discover(pattern);
  ASSERT_EQ(discovery.targets.size(), 1u);
  const DatasetTarget& target = discovery.targets[0];
  EXPECT_FALSE(target.scorable());
  EXPECT_EQ(target.file, file);
  EXPECT_EQ(target.dataset, pattern);
  EXPECT_NE(target.error.find("'" + pattern + "'"), std::string::npos) << target.error;
  EXPECT_NE(target.error.find("'" + file + "'"), std::string::npos) << target.error;
  EXPECT_NE(target.error.find("matches no dataset"), std::string::npos) << target.error;
  EXPECT_TRUE(discovery.notes.empty());
}

TEST_F(PatternDiscoveryTest, APatternThatMatchesOnlyGroupsOrOnlyNonMatricesIsAnError) {
  const Discovery groups = discover("/runs/*");
  ASSERT_EQ(groups.targets.size(), 1u);
  EXPECT_NE(groups.targets[0].error.find("only groups"), std::string::npos) << groups.targets[0].error;

  const Discovery labels = discover("/runs/*/*/labels");
  ASSERT_EQ(labels.targets.size(), 1u);
  EXPECT_FALSE(labels.targets[0].scorable());
  EXPECT_NE(labels.targets[0].error.find("no 2-D numeric dataset"), std::string::npos) << labels.targets[0].error;
  EXPECT_NE(labels.targets[0].error.find("'" + file + "'"), std::string::npos) << labels.targets[0].error;
  EXPECT_EQ(labels.notes.size(), 1u);
}

TEST_F(PatternDiscoveryTest, AMissingFileWithAPatternIsOneErrorTarget) {
  const std::string missing = directory->file("missing.h5");
  const Discovery discovery = discover_targets(expand_arguments({missing + ":/runs/*/embeddings"}));
  ASSERT_EQ(discovery.targets.size(), 1u);
  EXPECT_EQ(discovery.targets[0].file, missing);
  EXPECT_EQ(discovery.targets[0].dataset, "/runs/*/embeddings");
  EXPECT_NE(discovery.targets[0].error.find("no such file"), std::string::npos) << discovery.targets[0].error;
}

TEST_F(PatternDiscoveryTest, AWholeFileScanIsSortedByPathWithNotes) {
  const Discovery discovery = discover_targets(expand_arguments({file}));
  const std::vector<std::string> datasets = scorable_datasets_of(discovery);
  EXPECT_EQ(datasets.size(), 7u);
  EXPECT_TRUE(std::is_sorted(datasets.begin(), datasets.end()));
  EXPECT_EQ(discovery.notes.size(), 2u);
}

TEST(PatternDiscovery, DatasetsAreSortedByTheWholePathNotInWalkOrder) {
  testing::TemporaryDirectory directory("rankme-selection-order-");
  const std::string file = directory.file("order.h5");
  write_small_matrix(file, "/a/b");   // the walk reaches it first: group "a" comes before "a b"
  write_small_matrix(file, "/a b");   // but "/a b" < "/a/b" byte-wise (' ' < '/')
  write_small_matrix(file, "/a/a b");
  const std::vector<std::string> expected = {"/a b", "/a/a b", "/a/b"};
  EXPECT_EQ(scorable_datasets_of(discover_targets(expand_arguments({file}))), expected);
  EXPECT_EQ(scorable_datasets_of(discover_targets(expand_arguments({file + ":/**"}))), expected);
}

TEST(PatternDiscovery, HardLinkedGroupsAreMatchedByEveryNameAndListedOnce) {
  const SilenceHdf5Errors silence;
  testing::TemporaryDirectory directory("rankme-selection-links-");
  const std::string file = directory.file("links.h5");
  write_small_matrix(file, "/run/epoch 100/embeddings");
  write_small_matrix(file, "/run/epoch 100/b");
  make_hard_link(file, "/run/epoch 100", "/run/final");  // h5py's f["run/final"] = f["run/epoch 100"]
  make_hard_link(file, "/", "/run/epoch 100/root again");  // a cycle
  const auto discover = [&](const std::string& pattern) { return discover_targets(expand_arguments({file + ":" + pattern})); };

  // Through its second name only.
  EXPECT_EQ(scorable_datasets_of(discover("/run/final/embeddings")), (std::vector<std::string>{"/run/final/embeddings"}));
  EXPECT_EQ(scorable_datasets_of(discover("/run/fin*/embeddings")), (std::vector<std::string>{"/run/final/embeddings"}));
  // Once, however many names match (under its first name in walk order), and the cycle ends.
  EXPECT_EQ(scorable_datasets_of(discover("/**/embeddings")), (std::vector<std::string>{"/run/epoch 100/embeddings"}));
  EXPECT_EQ(scorable_datasets_of(discover_targets(expand_arguments({file}))),
            (std::vector<std::string>{"/run/epoch 100/b", "/run/epoch 100/embeddings"}));
  EXPECT_EQ(scorable_datasets_of(discover("/run/*/root again/run/final/b")),
            (std::vector<std::string>{"/run/epoch 100/root again/run/final/b"}));
}

TEST(PatternDiscovery, SoftLinksAreNotFollowed) {
  const SilenceHdf5Errors silence;
  testing::TemporaryDirectory directory("rankme-selection-soft-");
  const std::string file = directory.file("soft.h5");
  write_small_matrix(file, "/real/embeddings");
  testing::make_soft_link(file, "/alias", "/real");
  const Discovery discovery = discover_targets(expand_arguments({file + ":/alias/*"}));
  ASSERT_EQ(discovery.targets.size(), 1u);
  EXPECT_FALSE(discovery.targets[0].scorable());
  // Named explicitly, the soft link resolves as before.
  EXPECT_EQ(scorable_datasets_of(discover_targets(expand_arguments({file + ":/alias/embeddings"}))),
            (std::vector<std::string>{"/alias/embeddings"}));
}

TEST(PatternDiscovery, ADirectoryOfFilesIsScannedFileByFile) {
  const SilenceHdf5Errors silence;
  testing::TemporaryDirectory directory("rankme-selection-dir-");
  std::filesystem::create_directory(directory.path() / "a");
  write_small_matrix(directory.file("b.h5"), "/emb");
  write_small_matrix(directory.file("a/x.hdf5"), "/emb");
  testing::write_array_of_rank(directory.file("a/x.hdf5"), "/labels", {12});
  testing::write_not_hdf5(directory.file("a/broken.h5"));
  std::ofstream(directory.file("a/ignored.txt")) << "not listed";
  const Discovery discovery = discover_targets(expand_arguments({directory.path().string()}));
  ASSERT_EQ(discovery.targets.size(), 3u);
  EXPECT_EQ(discovery.targets[0].file, directory.file("a/broken.h5"));
  EXPECT_FALSE(discovery.targets[0].scorable());
  EXPECT_EQ(discovery.targets[1].file, directory.file("a/x.hdf5"));
  EXPECT_EQ(discovery.targets[1].dataset, "/emb");
  EXPECT_EQ(discovery.targets[2].file, directory.file("b.h5"));
  EXPECT_EQ(discovery.notes.size(), 1u);
}

double param_number(const DatasetTarget& target, const std::string& key) {
  const auto found = target.params.find(key);
  if (found == target.params.end() || !std::holds_alternative<double>(found->second)) {
    ADD_FAILURE() << target.file << ":" << target.dataset << " has no number " << key;
    return -1;
  }
  return std::get<double>(found->second);
}

TEST(DiscoveredParams, PathAsGivenThenGroupsThenAttributesWin) {
  const SilenceHdf5Errors silence;
  testing::TemporaryDirectory directory("rankme-params-");
  std::filesystem::create_directories(directory.path() / "sweep" / "lr=0.1_bs=64");
  const std::string file = directory.file("sweep/lr=0.1_bs=64/epoch_3.h5");
  write_small_matrix(file, "/wd=0.05/z");
  write_small_matrix(file, "/wd=0.05/y");
  testing::write_number_attribute(file, "/", "seed", 7);
  testing::write_number_attribute(file, "/", "bs", 128);                       // the attribute wins over the path
  testing::write_text_attribute(file, "/wd=0.05", "opt", "adamw");
  testing::write_number_attribute(file, "/wd=0.05/y", "wd", 0.01);             // nearer than the group's name
  // Given relative to the temporary directory, as a user names a sweep from its parent.
  const std::filesystem::path before = std::filesystem::current_path();
  std::filesystem::current_path(directory.path());
  const Discovery discovery = discover_targets(expand_arguments({"sweep"}));
  std::filesystem::current_path(before);
  ASSERT_EQ(discovery.targets.size(), 2u);
  const DatasetTarget& y = discovery.targets[0];
  const DatasetTarget& z = discovery.targets[1];
  ASSERT_EQ(z.dataset, "/wd=0.05/z");
  EXPECT_EQ(z.params, (Params{{"bs", 128.0}, {"epoch", 3.0}, {"lr", 0.1}, {"opt", std::string("adamw")},
                              {"seed", 7.0}, {"wd", 0.05}}));
  EXPECT_DOUBLE_EQ(param_number(y, "wd"), 0.01);
  EXPECT_DOUBLE_EQ(param_number(y, "epoch"), 3);
}

TEST(DiscoveredParams, OnlyTheDirectoriesAsGivenCount) {
  const SilenceHdf5Errors silence;
  testing::TemporaryDirectory directory("rankme-params-ep=1-");  // would read as a param if taken whole
  const std::string file = directory.file("run.h5");
  write_small_matrix(file, "/z");
  const std::filesystem::path before = std::filesystem::current_path();
  std::filesystem::current_path(directory.path());
  const Discovery relative = discover_targets(expand_arguments({"run.h5"}));
  std::filesystem::current_path(before);
  ASSERT_EQ(relative.targets.size(), 1u);
  EXPECT_TRUE(relative.targets[0].params.empty()) << "not the canonical path's directories";
  const Discovery absolute = discover_targets(expand_arguments({file}));
  ASSERT_EQ(absolute.targets.size(), 1u);
  EXPECT_EQ(absolute.targets[0].params.count("rankme-params-ep"), 1u) << "spelled with its directories, they count";
}

TEST(DiscoveredParams, OtherFormatsAndFailedInputsTakeTheirPath) {
  const SilenceHdf5Errors silence;
  testing::TemporaryDirectory directory("rankme-params-");
  std::filesystem::create_directories(directory.path() / "opt=adamw_bs=256");
  std::string values(4 * 2 * 4, '\0');
  testing::write_safetensors(directory.file("opt=adamw_bs=256/checkpoint-5000.safetensors"),
                             {{"emb", "F32", {4, 2}, values, std::nullopt}});
  testing::write_not_hdf5(directory.file("opt=adamw_bs=256/step=6000.h5"));
  const Discovery discovery = discover_targets(expand_arguments({directory.file("opt=adamw_bs=256")}));
  ASSERT_EQ(discovery.targets.size(), 2u);
  const DatasetTarget& tensors = discovery.targets[0];
  EXPECT_EQ(tensors.format, "safetensors");
  EXPECT_EQ(tensors.params, (Params{{"bs", 256.0}, {"opt", std::string("adamw")}, {"step", 5000.0}}));
  const DatasetTarget& broken = discovery.targets[1];
  EXPECT_FALSE(broken.scorable());
  EXPECT_DOUBLE_EQ(param_number(broken, "step"), 6000) << "a run whose file fails still shows its params";
}

}  // namespace
}  // namespace rankme
