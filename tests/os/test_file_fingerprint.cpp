// A file's fingerprint tells every way it can change under a reader: truncated, extended, rewritten in
// place (same size), replaced by rename, removed.
#include <fcntl.h>
#include <sys/stat.h>

#include <gtest/gtest.h>

#include <cerrno>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <stdexcept>

#include "rankme/os/file_fingerprint.hpp"
#include "support/temporary_directory.hpp"

namespace rankme {
namespace {

using testing::TemporaryDirectory;

void write_text(const std::string& path, const std::string& text) { std::ofstream(path, std::ios::binary) << text; }

// Sets the file's modification time (and access time) to `seconds` since the epoch: set by hand, the mtimes
// of a test differ however coarse the file system's timestamps are (some keep whole seconds).
void set_mtime(const std::string& path, std::time_t seconds) {
  const timespec times[2] = {{seconds, 0}, {seconds, 0}};
  ASSERT_EQ(utimensat(AT_FDCWD, path.c_str(), times, 0), 0) << path << ": " << std::strerror(errno);
}

TEST(FileFingerprint, SaysHowAFileChanged) {
  TemporaryDirectory directory("rankme-fingerprint-");
  const std::string path = directory.file("data.h5");
  write_text(path, "0123456789");
  const FileFingerprint opened = FileFingerprint::of(path);
  EXPECT_FALSE(opened.change_to(FileFingerprint::of(path)).has_value());

  std::filesystem::resize_file(path, 4);
  EXPECT_EQ(opened.change_to(FileFingerprint::of(path)).value_or(""), "truncated from 10 to 4 bytes");
  std::filesystem::resize_file(path, 12);
  EXPECT_EQ(opened.change_to(FileFingerprint::of(path)).value_or(""), "extended from 10 to 12 bytes");

  write_text(path, "0123456789");
  set_mtime(path, 1'700'000'000);
  const FileFingerprint rewritten = FileFingerprint::of(path);
  EXPECT_FALSE(rewritten.change_to(FileFingerprint::of(path)).has_value());
  { std::fstream(path, std::ios::in | std::ios::out | std::ios::binary) << "9"; }  // same size, new mtime
  set_mtime(path, 1'700'000'002);
  EXPECT_EQ(rewritten.change_to(FileFingerprint::of(path)).value_or(""), "modified");
  set_mtime(path, 1'700'000'000);  // the same size and mtime again: only the content tells, and nothing can
  EXPECT_FALSE(rewritten.change_to(FileFingerprint::of(path)).has_value());

  const std::string other = directory.file("other.h5");
  write_text(other, "0123456789");
  const FileFingerprint before_rename = FileFingerprint::of(path);
  std::filesystem::rename(other, path);
  EXPECT_EQ(before_rename.change_to(FileFingerprint::of(path)).value_or(""), "replaced by another file");

  std::filesystem::remove(path);
  EXPECT_THROW(FileFingerprint::of(path), std::runtime_error);
}

}  // namespace
}  // namespace rankme
