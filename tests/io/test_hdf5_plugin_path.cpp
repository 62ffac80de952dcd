// rankme's own additions to HDF5's plugin search path: Debian's openmpi plugin directory before the serial
// one, after whatever HDF5_PLUGIN_PATH (or HDF5's default) put first, each once; a directory that does not
// exist dropped.
#include "rankme/io/hdf5_plugin_path.hpp"

#include <gtest/gtest.h>
#include <hdf5.h>
#include <sys/stat.h>

#include <algorithm>
#include <string>
#include <vector>

#include "rankme/io/hdf5_filter_catalogue.hpp"

namespace rankme {
namespace {

std::ptrdiff_t position_of(const std::vector<std::string>& paths, const std::string& path) {
  const auto found = std::find(paths.begin(), paths.end(), path);
  return found == paths.end() ? -1 : found - paths.begin();
}

TEST(Hdf5PluginPath, DebiansDirectoriesComeAfterTheUsersOpenmpiFirst) {
  const std::vector<std::string> directories = system_filter_plugin_directories();
  ASSERT_EQ(directories.size(), 2u) << "this build knows its multiarch directory";
  EXPECT_NE(directories[0].find("/hdf5/openmpi/plugins"), std::string::npos) << directories[0];
  EXPECT_NE(directories[1].find("/hdf5/serial/plugins"), std::string::npos) << directories[1];
  // A directory that does not exist, first (as a stale HDF5_PLUGIN_PATH entry, or the default of Debian's
  // MPICH HDF5, .../hdf5/mpich/plugins): HDF5 1.10 would give up its search there.
  const std::string missing = "/nonexistent/rankme-test-plugins";
  ASSERT_GE(H5PLprepend(missing.c_str()), 0);
  std::vector<std::string> before = filter_plugin_search_path();
  ASSERT_GE(before.size(), 2u) << "HDF5 starts with HDF5_PLUGIN_PATH or its default";
  add_system_filter_plugin_directories();
  add_system_filter_plugin_directories();  // once per process
  const std::vector<std::string> after = filter_plugin_search_path();
  EXPECT_EQ(position_of(after, missing), -1) << "a missing directory leaves the path";
  // What was there and exists stays first, in its order.
  before.erase(std::remove_if(before.begin(), before.end(),
                              [](const std::string& path) {
                                struct stat status {};
                                return ::stat(path.c_str(), &status) != 0 || !S_ISDIR(status.st_mode);
                              }),
               before.end());
  ASSERT_GE(after.size(), before.size());
  EXPECT_TRUE(std::equal(before.begin(), before.end(), after.begin()));
  const std::ptrdiff_t openmpi = position_of(after, directories[0]), serial = position_of(after, directories[1]);
  ASSERT_GE(openmpi, 0) << "Debian 12's hdf5-plugin-lzf installs it (scripts/install_dependencies.sh)";
  ASSERT_GE(serial, 0);
  EXPECT_LT(openmpi, serial);
  EXPECT_EQ(std::count(after.begin(), after.end(), directories[0]), 1);
  // And so Debian's filters load without HDF5_PLUGIN_PATH naming them.
  for (const H5Z_filter_t id : {32000, 32001, 32004, 307}) EXPECT_GT(H5Zfilter_avail(id), 0) << "filter " << id;
}

TEST(Hdf5FilterCatalogue, NamesTheSourceOfEachFilter) {
  EXPECT_EQ(known_filter_name(32000), "lzf");
  EXPECT_EQ(known_filter_name(32008), "bitshuffle");
  EXPECT_EQ(known_filter_name(12345), "");
  EXPECT_NE(filter_source(32000).find("hdf5-plugin-lzf"), std::string::npos);
  EXPECT_NE(filter_source(32001).find("hdf5-filter-plugin-blosc-serial"), std::string::npos);
  EXPECT_NE(filter_source(32004).find("hdf5-filter-plugin"), std::string::npos);
  EXPECT_NE(filter_source(307).find("hdf5-filter-plugin"), std::string::npos);
  for (const int without_package : {32008, 32015, 32026}) {
    const std::string source = filter_source(without_package);
    EXPECT_EQ(source.find("Debian package"), std::string::npos) << source;
    EXPECT_NE(source.find("pip install hdf5plugin"), std::string::npos) << source;
    EXPECT_NE(source.find("HDF5_PLUGIN_PATH"), std::string::npos) << source;
  }
}

}  // namespace
}  // namespace rankme
