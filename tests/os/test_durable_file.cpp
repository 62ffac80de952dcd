// Durable file I/O: whole writes, fsync, reading back, and replacing a file at once; every failure names
// the file by its role and path.
#include "rankme/os/durable_file.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "rankme/os/file_descriptor.hpp"
#include "support/temporary_directory.hpp"

namespace rankme {
namespace {

using testing::TemporaryDirectory;

std::string text_of(const std::string& path) {
  std::ifstream stream(path, std::ios::binary);
  std::ostringstream text;
  text << stream.rdbuf();
  return text.str();
}

std::size_t entries_in(const std::filesystem::path& directory) {
  std::size_t entries = 0;
  for ([[maybe_unused]] const auto& entry : std::filesystem::directory_iterator(directory)) ++entries;
  return entries;
}

TEST(DurableFile, WritesWholeFlushesAndReadsBack) {
  TemporaryDirectory directory("rankme-durable-");
  const FileLabel file{"test file", directory.file("a.txt")};
  const FileDescriptor descriptor(::open(file.path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644));
  ASSERT_TRUE(descriptor);
  const std::string bytes(300000, 'x');  // more than one write may take
  std::size_t written = 0;
  write_fully(descriptor.get(), bytes, file, written);
  EXPECT_EQ(written, bytes.size());
  flush_to_disk(descriptor.get(), file, true);
  flush_directory_of(file);
  EXPECT_EQ(read_whole_file(file), bytes);
  EXPECT_EQ(read_at(descriptor.get(), 4, 10, file), "xxxx");
  EXPECT_EQ(read_at(descriptor.get(), 10, static_cast<off_t>(bytes.size()) - 3, file), "xxx");  // short at the end
}

TEST(DurableFile, AMissingFileReadsAsNothingAndADirectoryIsAnError) {
  TemporaryDirectory directory("rankme-durable-");
  EXPECT_EQ(read_whole_file({"test file", directory.file("none")}), std::nullopt);
  try {
    read_whole_file({"test file", directory.path().string()});
    ADD_FAILURE() << "read a directory";
  } catch (const std::runtime_error& error) {
    EXPECT_NE(std::string(error.what()).find("cannot read test file '" + directory.path().string() + "'"), std::string::npos)
        << error.what();
  }
}

TEST(DurableFile, AFullDiskIsAnErrorNamingTheFileAndTheReason) {
  if (::access("/dev/full", W_OK) != 0) GTEST_SKIP() << "no /dev/full";
  const FileDescriptor descriptor(::open("/dev/full", O_WRONLY | O_CLOEXEC));
  ASSERT_TRUE(descriptor);
  std::size_t written = 1;
  try {
    write_fully(descriptor.get(), "line\n", {"results file", "/dev/full"}, written);
    ADD_FAILURE() << "wrote to /dev/full";
  } catch (const std::runtime_error& error) {
    EXPECT_EQ(std::string(error.what()), "cannot write to results file '/dev/full': No space left on device");
  }
  EXPECT_EQ(written, 0u);
  flush_to_disk(descriptor.get(), {"results file", "/dev/full"}, false);  // a device: nothing to flush, no error
}

TEST(DurableFile, ReplaceFileSwapsTheWholeFileAndLeavesNoPartialFile) {
  TemporaryDirectory directory("rankme-durable-");
  const FileLabel file{"test file", directory.file("merged.txt")};
  std::ofstream(file.path) << "old contents\n";
  replace_file(file, "new\ncontents\n");
  EXPECT_EQ(text_of(file.path), "new\ncontents\n");
  EXPECT_EQ(entries_in(directory.path()), 1u);
  replace_file({"test file", directory.file("fresh.txt")}, "");  // a new file, empty
  EXPECT_TRUE(std::filesystem::exists(directory.file("fresh.txt")));
  EXPECT_EQ(entries_in(directory.path()), 2u);
}

TEST(DurableFile, AFailedReplaceLeavesTheOldFileAndNoPartialFile) {
  TemporaryDirectory directory("rankme-durable-");
  // The target is a non-empty directory: the rename fails after the temporary file was written.
  std::filesystem::create_directories(directory.path() / "taken" / "inside");
  try {
    replace_file({"test file", directory.file("taken")}, "bytes\n");
    ADD_FAILURE() << "renamed over a directory";
  } catch (const std::runtime_error& error) {
    EXPECT_NE(std::string(error.what()).find("cannot rename"), std::string::npos) << error.what();
    EXPECT_NE(std::string(error.what()).find(directory.file("taken")), std::string::npos) << error.what();
  }
  EXPECT_TRUE(std::filesystem::is_directory(directory.file("taken/inside")));
  EXPECT_EQ(entries_in(directory.path()), 1u);
  EXPECT_THROW(replace_file({"test file", directory.file("no/such/dir/x.txt")}, "x"), std::runtime_error);
}

}  // namespace
}  // namespace rankme
