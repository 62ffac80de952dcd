// The link walk on its own: hard-linked groups found once and by their other names, soft links listed only
// when no hard link reached their dataset, dangling soft links, soft-link cycles and external links noted,
// groups told apart from datasets.
#include "rankme/pipeline/hdf5_link_walk.hpp"

#include <gtest/gtest.h>
#include <hdf5.h>

#include <stdexcept>
#include <string>
#include <vector>

#include "rankme/io/hdf5_error.hpp"
#include "rankme/io/hdf5_file.hpp"
#include "support/hdf5_links.hpp"
#include "support/hdf5_matrix_writer.hpp"
#include "support/temporary_directory.hpp"

namespace rankme {
namespace {

void write_small_matrix(const std::string& file, const std::string& path) {
  const std::vector<double> values = {1, 2, 3, 4, 5, 6};
  testing::write_matrix(file, path, values, 3, 2, testing::StoredType{testing::StoredType::Kind::floating, 8});
}

void make_hard_link(const std::string& file, const std::string& target, const std::string& link) {
  const SilenceHdf5Errors silence;
  const hid_t handle = H5Fopen(file.c_str(), H5F_ACC_RDWR, H5P_DEFAULT);
  if (handle < 0) throw std::runtime_error("H5Fopen " + file);
  const herr_t status = H5Lcreate_hard(handle, target.c_str(), handle, link.c_str(), H5P_DEFAULT, H5P_DEFAULT);
  H5Fclose(handle);
  if (status < 0) throw std::runtime_error("H5Lcreate_hard " + link);
}

bool any_note_holds(const LinkWalk& walk, const std::string& first, const std::string& second) {
  for (const std::string& note : walk.notes) {
    if (note.find(first) != std::string::npos && note.find(second) != std::string::npos) return true;
  }
  return false;
}

class LinkWalkTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    directory = new testing::TemporaryDirectory("rankme-link-walk-");
    file = directory->file("links.h5");
    write_small_matrix(file, "/a/emb");
    write_small_matrix(file, "/a/b/emb");
    write_small_matrix(file, "/a b");  // sorts before "/a/..." byte-wise, walked after
    make_hard_link(file, "/a", "/c");        // a second name for the group
    make_hard_link(file, "/", "/a/b/root");  // a cycle
    testing::make_soft_link(file, "/soft", "/a/emb");
    testing::make_soft_link(file, "/dangling", "/nowhere");
    testing::make_soft_link(file, "/loop 1", "/loop 2");
    testing::make_soft_link(file, "/loop 2", "/loop 1");
    testing::make_external_link(file, "/outside", directory->file("other.h5"), "/emb");
  }
  static void TearDownTestSuite() { delete directory; }

  static LinkWalk walk(const std::string& pattern) {
    const Hdf5Handle handle = open_file_alone(file);
    return walk_links(handle.get(), "as given.h5", Hdf5PathPattern(pattern));
  }

  static testing::TemporaryDirectory* directory;
  static std::string file;
  const SilenceHdf5Errors silence;
};

testing::TemporaryDirectory* LinkWalkTest::directory = nullptr;
std::string LinkWalkTest::file;

TEST_F(LinkWalkTest, AWholeFileScanListsEachStoredDatasetOnceInByteOrder) {
  const LinkWalk scan = walk("/**");
  EXPECT_EQ(scan.dataset_paths, (std::vector<std::string>{"/a b", "/a/b/emb", "/a/emb"}));
  EXPECT_TRUE(scan.matched_a_group);
  EXPECT_TRUE(any_note_holds(scan, "'/dangling' in 'as given.h5'", "leads nowhere"))
      << ::testing::PrintToString(scan.notes);
  EXPECT_TRUE(any_note_holds(scan, "'/loop 1'", "a cycle of soft links")) << ::testing::PrintToString(scan.notes);
  EXPECT_TRUE(any_note_holds(scan, "'/outside' in 'as given.h5'", "stay inside their file"))
      << ::testing::PrintToString(scan.notes);
  EXPECT_EQ(scan.notes.size(), 4u) << ::testing::PrintToString(scan.notes);  // the soft link "/soft" is no note
}

TEST_F(LinkWalkTest, AHardLinkedGroupIsFoundByItsOtherNameAndACycleEnds) {
  EXPECT_EQ(walk("/c/emb").dataset_paths, (std::vector<std::string>{"/c/emb"}));
  EXPECT_EQ(walk("/c/b/root/a b").dataset_paths, (std::vector<std::string>{"/c/b/root/a b"}));
  EXPECT_EQ(walk("/**/emb").dataset_paths, (std::vector<std::string>{"/a/b/emb", "/a/emb"}));
}

TEST_F(LinkWalkTest, ASoftLinkIsListedUnderItsNameOnlyWhenNoHardLinkMatched) {
  EXPECT_EQ(walk("/soft").dataset_paths, (std::vector<std::string>{"/soft"}));
  // "/soft" leads to "/a/emb", which no hard link of this pattern matched.
  EXPECT_EQ(walk("/[as]*").dataset_paths, (std::vector<std::string>{"/a b", "/soft"}));
  // Here "/a/emb" is matched under its own name first.
  EXPECT_EQ(walk("/**/[es]*").dataset_paths, (std::vector<std::string>{"/a/b/emb", "/a/emb"}));
}

TEST_F(LinkWalkTest, GroupsAreToldApartFromDatasetsAndNothingMatchedIsEmpty) {
  const LinkWalk groups = walk("/a");
  EXPECT_TRUE(groups.dataset_paths.empty());
  EXPECT_TRUE(groups.matched_a_group);
  const LinkWalk nothing = walk("/zzz/*");
  EXPECT_TRUE(nothing.dataset_paths.empty());
  EXPECT_FALSE(nothing.matched_a_group);
  EXPECT_TRUE(nothing.notes.empty());
}

}  // namespace
}  // namespace rankme
