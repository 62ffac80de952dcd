// A file's fingerprint tells every way it can change under a reader: truncated, extended, rewritten in
// place (same size), replaced by rename, removed.
#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <thread>

#include "rankme/os/file_fingerprint.hpp"
#include "support/hdf5_fixtures.hpp"

namespace rankme {
namespace {

using testing::TemporaryDirectory;

void write_text(const std::string& path, const std::string& text) { std::ofstream(path, std::ios::binary) << text; }

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
  const FileFingerprint rewritten = FileFingerprint::of(path);
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  { std::fstream(path, std::ios::in | std::ios::out | std::ios::binary) << "9"; }  // same size, new mtime
  EXPECT_EQ(rewritten.change_to(FileFingerprint::of(path)).value_or(""), "modified");

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
