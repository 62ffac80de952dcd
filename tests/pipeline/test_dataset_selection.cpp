// Selecting the datasets of a sweep: glob matching of HDF5 paths, directory expansion, pattern discovery
// in real files, the sorted order and --shard. One process (discover_targets runs
// on one rank; the broadcast is checked in test_dataset_selection_mpi).
#include "rankme/pipeline/dataset_selection.hpp"

#include <gtest/gtest.h>
#include <hdf5.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <stdexcept>

#include "rankme/io/hdf5_error.hpp"
#include "support/hdf5_links.hpp"
#include "support/hdf5_matrix_writer.hpp"
#include "support/hdf5_unusual_objects.hpp"
#include "support/plain_files.hpp"
#include "support/temporary_directory.hpp"

namespace rankme {
namespace {

using nlohmann::json;

// ------------------------------------------------------------------------------------------------
// Glob matching

struct GlobCase {
  std::string pattern, path;
  bool matches;
};

TEST(Hdf5PathMatches, Table) {
  const std::vector<GlobCase> cases = {
      // '*' within one component, never across '/'
      {"/runs/*/embeddings", "/runs/lr=0.1, wd=1e-4/embeddings", true},
      {"/runs/*/embeddings", "/runs/a/b/embeddings", false},
      {"/runs/*", "/runs/a/b", false},
      {"/runs/*", "/runs", false},
      {"/*/*", "/a", false},
      {"/run*", "/run", true},
      {"/run*", "/runs=3", true},
      {"/*x*y*", "/axbxcy", true},
      {"/*x*y", "/axbxcyz", false},
      {"/*.h5", "/a.h5", true},
      {"/x**y", "/xaay", true},  // "**" inside a component is a '*'
      {"/x**y", "/xa/ay", false},
      // names as users write them: spaces, '=', ',', '+', '%', '#'
      {"/runs/*/epoch 100/embeddings", "/runs/lr=0.1, wd=1e-4/epoch 100/embeddings", true},
      {"/runs/*/epoch 100/embeddings", "/runs/lr=0.1/epoch 1000/embeddings", false},
      {"/runs/lr=*, wd=1e-4/emb", "/runs/lr=0.3, wd=1e-4/emb", true},
      {"/runs/lr=*, wd=1e-4/emb", "/runs/lr=0.3, wd=1e-5/emb", false},
      {"/a,b/c+d/e%f#g", "/a,b/c+d/e%f#g", true},
      {"/runs/*/epoch 1?0/embeddings", "/runs/x/epoch 100/embeddings", true},
      {"/runs/*/epoch 1?0/embeddings", "/runs/x/epoch 10/embeddings", false},
      // "**": zero or more whole components
      {"/runs/**", "/runs/a/b", true},
      {"/runs/**/embeddings", "/runs/embeddings", true},
      {"/runs/**/embeddings", "/runs/a/b/c/embeddings", true},
      {"/runs/**/embeddings", "/runs/a/b/c/labels", false},
      {"/**/embeddings", "/embeddings", true},
      {"/**", "/x", true},
      {"/**/**/e", "/e", true},
      {"/**/epoch */embeddings", "/a/b/epoch 3/embeddings", true},
      {"/**/epoch */embeddings", "/a/b/epoch 3/x/embeddings", false},
      {"**/emb", "/a/emb", true},  // a pattern without its leading '/'
      {"//runs//*/", "/runs/x", true},  // repeated and trailing separators
      // sets
      {"/lr=0.[0-9]*", "/lr=0.01", true},
      {"/lr=0.[!0]*", "/lr=0.01", false},
      {"/lr=0.[!0]*", "/lr=0.3", true},
      {"/lr=0.[^0]*", "/lr=0.3", true},
      {"/seed [12]", "/seed 1", true},
      {"/seed [12]", "/seed 3", false},
      {"/seed [a-cx]", "/seed x", true},
      {"/seed [a-cx]", "/seed d", false},
      {"/[]]x", "/]x", true},  // ']' first is a member
      {"/[!]]x", "/ax", true},
      {"/[!]]x", "/]x", false},
      {"/[a-]", "/-", true},  // '-' last is a member
      {"/a[", "/a[", true},   // an unterminated '[' is itself
      {"/a[b", "/a[b", true},
      {"/a[b", "/ab", false},
      {"/[seed 1]", "/[seed 1]", false},  // a set: one character of "seed 1"
      {"/[seed 1]", "/e", true},
      // escapes
      {"/\\*", "/*", true},
      {"/\\*", "/x", false},
      {"/a\\?b", "/a?b", true},
      {"/a\\?b", "/axb", false},
      {"/\\[seed 1\\]", "/[seed 1]", true},
      {"/\\[seed 1\\]", "/s", false},
      {"/a\\\\b", "/a\\b", true},
      {"/[\\]]", "/]", true},
      {"/\\*\\*/x", "/**/x", true},  // an escaped "**" is two stars, not a globstar
      {"/\\*\\*/x", "/a/b/x", false},
      // characters, not bytes
      {"/?", "/\xc3\xa9", true},
      {"/??", "/\xc3\xa9", false},
      {"/[\xc3\xa0-\xc3\xbc]", "/\xc3\xa9", true},
      {"/*\xc3\xa9", "/caf\xc3\xa9", true},
      {"/?", "/\xff", true},  // invalid UTF-8: one byte is one character
  };
  for (const GlobCase& c : cases) {
    EXPECT_EQ(hdf5_path_matches(c.pattern, c.path), c.matches) << "pattern '" << c.pattern << "', path '" << c.path << "'";
  }
}

TEST(Hdf5PathMatches, WildcardDetectionAndUnescaping) {
  EXPECT_FALSE(has_unescaped_wildcards("/runs/lr=0.1, wd=1e-4/epoch 100/embeddings"));
  EXPECT_TRUE(has_unescaped_wildcards("/runs/*/embeddings"));
  EXPECT_TRUE(has_unescaped_wildcards("/runs/epoch 1?0"));
  EXPECT_TRUE(has_unescaped_wildcards("/seed [12]"));
  EXPECT_FALSE(has_unescaped_wildcards("/runs/\\*/embeddings"));
  EXPECT_FALSE(has_unescaped_wildcards("/a\\?\\[b]"));
  EXPECT_TRUE(has_unescaped_wildcards("/a\\\\*"));  // an escaped backslash, then a star
  EXPECT_FALSE(has_unescaped_wildcards("/lr[0.1"));   // no ']'
  EXPECT_FALSE(has_unescaped_wildcards("/a[b/c]"));   // '[' and ']' in different components

  EXPECT_EQ(unescape_hdf5_path("/a\\*b\\[c\\]"), "/a*b[c]");
  EXPECT_EQ(unescape_hdf5_path("/a\\\\b"), "/a\\b");
  EXPECT_EQ(unescape_hdf5_path("/a\\"), "/a\\");
  EXPECT_EQ(unescape_hdf5_path("/plain name=1, x"), "/plain name=1, x");
}

// ------------------------------------------------------------------------------------------------
// Arguments and directories

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
  EXPECT_NE(inputs[0].error.find("no HDF5 file"), std::string::npos) << inputs[0].error;
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

// ------------------------------------------------------------------------------------------------
// Patterns in real files

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

// ------------------------------------------------------------------------------------------------
// Order and shards

DatasetTarget target_of(const std::string& file, const std::string& dataset, const std::string& error = "") {
  DatasetTarget target;
  target.file = file;
  target.dataset = dataset;
  target.error = error;
  if (error.empty()) target.rows = 10, target.cols = 4, target.dtype = "float32";
  return target;
}

std::string key_of(const DatasetTarget& target) { return target.file + "\n" + target.dataset; }

TEST(SortTargets, ByFileThenDatasetBytewiseErrorsIncluded) {
  std::vector<DatasetTarget> targets = {
      target_of("sweep/b.h5", "/z"),       target_of("sweep/a.h5", "/runs/x/emb"),
      target_of("sweep/broken.h5", "", "cannot open"),
      target_of("sweep/a.h5", "/runs/x emb"), target_of("sweep/a.h5", "/a"),
      target_of("sweep/a b.h5", "/emb"),
  };
  sort_targets(targets);
  std::vector<std::string> keys;
  for (const DatasetTarget& target : targets) keys.push_back(key_of(target));
  EXPECT_EQ(keys, (std::vector<std::string>{"sweep/a b.h5\n/emb", "sweep/a.h5\n/a", "sweep/a.h5\n/runs/x emb",
                                            "sweep/a.h5\n/runs/x/emb", "sweep/b.h5\n/z", "sweep/broken.h5\n"}));
}

TEST(SelectShard, EveryEntryInExactlyOneShardInOrder) {
  std::vector<DatasetTarget> targets;
  for (int file = 0; file < 4; ++file) {
    for (int dataset = 0; dataset < 3; ++dataset) {
      targets.push_back(target_of("f" + std::to_string(file) + ".h5", "/d" + std::to_string(dataset)));
    }
  }
  targets.push_back(target_of("broken.h5", "", "not an HDF5 file"));
  targets.push_back(target_of("empty_dir", "", "holds no HDF5 file"));
  sort_targets(targets);
  for (std::uint64_t count = 1; count <= 5; ++count) {
    SCOPED_TRACE("count = " + std::to_string(count));
    std::multiset<std::string> seen;
    for (std::uint64_t index = 0; index < count; ++index) {
      const std::vector<DatasetTarget> share = select_shard(targets, index, count);
      // Shares differ by at most one entry, and each is the sorted list's i, i + n, i + 2n, ...
      EXPECT_LE(share.size(), (targets.size() + count - 1) / count);
      EXPECT_GE(share.size(), targets.size() / count);
      for (std::size_t k = 0; k < share.size(); ++k) {
        EXPECT_EQ(key_of(share[k]), key_of(targets[static_cast<std::size_t>(index + k * count)]));
        seen.insert(key_of(share[k]));
      }
    }
    EXPECT_EQ(seen.size(), targets.size());
    for (const DatasetTarget& target : targets) EXPECT_EQ(seen.count(key_of(target)), 1u) << key_of(target);
  }
  EXPECT_EQ(select_shard(targets, 0, 1).size(), targets.size());
  EXPECT_TRUE(select_shard({}, 2, 3).empty());
  EXPECT_EQ(select_shard(targets, 13, 20).size(), 1u);
  EXPECT_TRUE(select_shard(targets, 19, 20).empty());
  EXPECT_THROW(select_shard(targets, 3, 3), std::invalid_argument);
  EXPECT_THROW(select_shard(targets, 0, 0), std::invalid_argument);
}

}  // namespace
}  // namespace rankme

namespace rankme {
namespace {

TEST(RemoveRepeatedTargets, KeepsOneOfEachFileAndDatasetAfterSorting) {
  auto target = [](const std::string& file, const std::string& dataset, const std::string& error = "") {
    DatasetTarget made;
    made.file = file;
    made.dataset = dataset;
    made.error = error;
    return made;
  };
  // "/emb" named explicitly and reached again by a whole-file scan of a.h5; b.h5's "/emb" is another one.
  std::vector<DatasetTarget> targets = {target("a.h5", "/emb"), target("b.h5", "/emb"), target("a.h5", "/x"),
                                        target("a.h5", "/emb"), target("a.h5", "/x", "broken")};
  sort_targets(targets);
  remove_repeated_targets(targets);
  ASSERT_EQ(targets.size(), 4u);
  EXPECT_EQ(targets[0].file + targets[0].dataset, "a.h5/emb");
  EXPECT_EQ(targets[1].file + targets[1].dataset, "a.h5/x");
  EXPECT_EQ(targets[2].file + targets[2].dataset, "a.h5/x");  // a different outcome for it: both kept
  EXPECT_EQ(targets[3].file + targets[3].dataset, "b.h5/emb");
}

}  // namespace
}  // namespace rankme
