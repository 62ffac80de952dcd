#include "rankme/formats/read_only_file.hpp"

#include <gtest/gtest.h>

#include <stdexcept>

#include <fstream>

#include "support/temporary_directory.hpp"

namespace rankme {
namespace {

TEST(ReadOnlyFile, ReadsByPositionAndNamesTheFileWhenItIsShort) {
  testing::TemporaryDirectory directory;
  const std::string path = directory.file("bytes.bin");
  std::ofstream(path) << "0123456789";
  const ReadOnlyFile file(path);
  EXPECT_EQ(file.size(), 10u);
  char middle[4];
  file.read_exactly(3, middle, 4);
  EXPECT_EQ(std::string(middle, 4), "3456");
  EXPECT_EQ(file.read_at_most(8, 100), "89");
  EXPECT_EQ(file.read_at_most(10, 100), "");
  try {
    char past[4];
    file.read_exactly(8, past, 4);
    FAIL() << "read past the end";
  } catch (const std::runtime_error& error) {
    EXPECT_NE(std::string(error.what()).find(path), std::string::npos) << error.what();
    EXPECT_NE(std::string(error.what()).find("truncated"), std::string::npos) << error.what();
  }
}

TEST(ReadOnlyFile, RefusesWhatIsNotARegularFile) {
  testing::TemporaryDirectory directory;
  EXPECT_THROW(ReadOnlyFile(directory.path().string()), std::runtime_error);
  EXPECT_THROW(ReadOnlyFile(directory.file("missing")), std::runtime_error);
}

}  // namespace
}  // namespace rankme
