// Every spelling of a file becomes one absolute path; a file that cannot be reached has none.
#include "rankme/os/canonical_path.hpp"

#include <unistd.h>

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "support/temporary_directory.hpp"

namespace rankme {
namespace {

namespace fs = std::filesystem;

TEST(CanonicalPath, EverySpellingOfAFileIsOnePath) {
  testing::TemporaryDirectory directory("rankme-canonical-");
  fs::create_directories(directory.path() / "data");
  fs::create_directories(directory.path() / "sub");
  std::ofstream(directory.file("data/x.h5")) << "x";
  fs::create_directory_symlink("data", directory.path() / "linked");
  fs::create_symlink("data/x.h5", directory.path() / "alias.h5");
  const std::string expected = fs::canonical(directory.path()).string() + "/data/x.h5";

  const fs::path previous = fs::current_path();
  fs::current_path(directory.path());
  for (const std::string& spelling : {std::string("data/x.h5"), std::string("./data/x.h5"), std::string("sub/../data/x.h5"),
                                      std::string("linked/x.h5"), std::string("alias.h5"), directory.file("data/x.h5"),
                                      directory.file("linked/./x.h5")}) {
    SCOPED_TRACE(spelling);
    EXPECT_EQ(canonical_path(spelling), expected);
  }
  EXPECT_EQ(canonical_path("data/y.h5"), std::nullopt);
  fs::create_symlink("data/gone.h5", directory.path() / "dangling.h5");
  EXPECT_EQ(canonical_path("dangling.h5"), std::nullopt);
  EXPECT_EQ(canonical_path(""), std::nullopt);
  fs::current_path(previous);
}

}  // namespace
}  // namespace rankme
