// Zip listing: stored, deflated and zip64 members, data offsets past local extra fields that differ from
// the directory's, and hostile archives (.. names, absolute names, encryption, overlaps, truncation, a
// missing end record, counts that lie), each refused with a message naming the file and what is wrong.
#include "rankme/formats/zip_archive.hpp"

#include <gtest/gtest.h>

#include <stdexcept>

#include "support/temporary_directory.hpp"
#include "zip_writer.hpp"

namespace rankme {
namespace {

using testing::ZipLayout;
using testing::ZipWriterMember;

class ZipArchive : public ::testing::Test {
 protected:
  std::vector<ZipMember> list(const std::string& bytes) {
    const std::string path = directory_.file("archive" + std::to_string(files_++) + ".zip");
    testing::write_bytes(path, bytes);
    return list_zip_members(ReadOnlyFile(path));
  }
  // The message of the error listing `bytes` raises (empty: none).
  std::string error_of(const std::string& bytes) {
    try {
      list(bytes);
    } catch (const std::runtime_error& error) {
      const std::string message = error.what();
      EXPECT_NE(message.find("archive"), std::string::npos) << "the message names the file: " << message;
      return message;
    }
    return "";
  }

  testing::TemporaryDirectory directory_;
  int files_ = 0;
};

const std::string payload = "0123456789abcdefghij0123456789abcdefghij0123456789abcdefghij";

TEST_F(ZipArchive, ListsStoredDeflatedAndZip64MembersWithTheirDataOffsets) {
  ZipWriterMember padded{"padded.npy", payload};
  padded.local_extra = std::string("\x34\x12\x06\x00", 4) + "FBFBFB";  // only in the local header
  ZipWriterMember big{"dir/zip64.npy", payload, true, true};
  ZipLayout layout;
  const std::string bytes = testing::zip_archive_bytes(
      {{"a.npy", payload}, {"b.npy", payload, true}, padded, big}, &layout, "a comment");
  const auto members = list(bytes);
  ASSERT_EQ(members.size(), 4u);
  EXPECT_EQ(members[0].name, "a.npy");
  EXPECT_EQ(members[0].method, zip_stored);
  EXPECT_EQ(bytes.substr(members[0].data_offset, members[0].compressed_bytes), payload);
  EXPECT_EQ(members[1].method, zip_deflated);
  EXPECT_EQ(members[1].inflated_bytes, payload.size());
  EXPECT_EQ(bytes.substr(members[1].data_offset, members[1].compressed_bytes), testing::raw_deflate(payload));
  EXPECT_EQ(bytes.substr(members[2].data_offset, payload.size()), payload);
  EXPECT_EQ(members[2].data_offset, layout.local_offsets[2] + 30 + 10 + 10);
  EXPECT_EQ(members[3].name, "dir/zip64.npy");
  EXPECT_EQ(members[3].inflated_bytes, payload.size());
  EXPECT_EQ(bytes.substr(members[3].data_offset, members[3].compressed_bytes), testing::raw_deflate(payload));
  EXPECT_NE(members[3].crc32, 0u);
  EXPECT_TRUE(list(testing::zip_archive_bytes({})).empty());
}

TEST_F(ZipArchive, RefusesNamesThatEscapeTheArchive) {
  for (const char* name : {"../evil.npy", "a/../../evil.npy", "a/..", "/etc/passwd", "..\\evil.npy"}) {
    const std::string message = error_of(testing::zip_archive_bytes({{name, payload}}));
    EXPECT_NE(message.find(name), std::string::npos) << message;
  }
  EXPECT_EQ(error_of(testing::zip_archive_bytes({{"a..b/..c.npy", payload}})), "");  // only whole components
}

TEST_F(ZipArchive, RefusesEncryptionOverlapsAndDuplicates) {
  ZipLayout layout;
  std::string encrypted = testing::zip_archive_bytes({{"a.npy", payload}}, &layout);
  testing::poke(encrypted, layout.central_offsets[0] + 8, 1, 2);
  EXPECT_NE(error_of(encrypted).find("encrypted"), std::string::npos);

  // Two directory entries pointing at the same local header: the second member's bytes are the first's.
  std::string overlapping = testing::zip_archive_bytes({{"a.npy", payload}, {"b.npy", payload}}, &layout);
  testing::poke(overlapping, layout.central_offsets[1] + 42, layout.local_offsets[0], 4);
  EXPECT_NE(error_of(overlapping).find("overlap"), std::string::npos);
  // A member whose declared size runs into the next one.
  std::string long_member = testing::zip_archive_bytes({{"a.npy", payload}, {"b.npy", payload}}, &layout);
  testing::poke(long_member, layout.central_offsets[0] + 20, payload.size() + 10, 4);
  testing::poke(long_member, layout.central_offsets[0] + 24, payload.size() + 10, 4);
  EXPECT_NE(error_of(long_member).find("overlap"), std::string::npos);

  EXPECT_NE(error_of(testing::zip_archive_bytes({{"a.npy", payload}, {"a.npy", payload}})).find("twice"),
            std::string::npos);
}

TEST_F(ZipArchive, RefusesTruncationAndDirectoriesThatLie) {
  ZipLayout layout;
  const std::string good = testing::zip_archive_bytes({{"a.npy", payload}, {"b.npy", payload, true}}, &layout);
  EXPECT_NE(error_of(good.substr(0, good.size() - 1)).find("end-of-central-directory"), std::string::npos);
  EXPECT_NE(error_of(good.substr(0, layout.directory_offset)).find("end-of-central-directory"), std::string::npos);
  EXPECT_NE(error_of("PK").find("shorter"), std::string::npos);
  std::string bad_end = good;
  testing::poke(bad_end, layout.end_offset, 0x06054b51, 4);
  EXPECT_NE(error_of(bad_end).find("end-of-central-directory"), std::string::npos);

  // A count of 65,534 members in a directory of two entries: refused before anything is allocated for it.
  std::string lying_count = good;
  testing::poke(lying_count, layout.end_offset + 8, 65534, 2);
  testing::poke(lying_count, layout.end_offset + 10, 65534, 2);
  EXPECT_NE(error_of(lying_count).find("declares 65534 members"), std::string::npos);
  // A directory beyond the end record, or larger than the file.
  std::string far_directory = good;
  testing::poke(far_directory, layout.end_offset + 16, 0x7fffffff, 4);
  EXPECT_NE(error_of(far_directory).find("central directory"), std::string::npos);
  std::string huge_directory = good;
  testing::poke(huge_directory, layout.end_offset + 12, 0xfffffff0, 4);
  EXPECT_NE(error_of(huge_directory).find("central directory"), std::string::npos);
  // A member whose data would run past the directory (the file's end), and a local header far away.
  std::string long_data = good;
  testing::poke(long_data, layout.central_offsets[1] + 20, 0x7ffffff0, 4);
  EXPECT_NE(error_of(long_data).find("b.npy"), std::string::npos);
  std::string far_local = good;
  testing::poke(far_local, layout.central_offsets[0] + 42, 0x7ffffff0, 4);
  EXPECT_NE(error_of(far_local).find("a.npy"), std::string::npos);
  std::string bad_local = good;
  testing::poke(bad_local, layout.local_offsets[1], 0x12345678, 4);
  EXPECT_NE(error_of(bad_local).find("local header"), std::string::npos);
  std::string bad_entry = good;
  testing::poke(bad_entry, layout.central_offsets[1], 0x12345678, 4);
  EXPECT_NE(error_of(bad_entry).find("signature"), std::string::npos);
  // Sizes that ask for zip64 values without the extra field.
  std::string no_zip64 = good;
  testing::poke(no_zip64, layout.central_offsets[0] + 24, 0xffffffff, 4);
  EXPECT_NE(error_of(no_zip64).find("zip64"), std::string::npos);
  // A stored member whose two sizes differ.
  std::string stored_sizes = good;
  testing::poke(stored_sizes, layout.central_offsets[0] + 24, payload.size() - 1, 4);
  EXPECT_NE(error_of(stored_sizes).find("sizes differ"), std::string::npos);
}

TEST_F(ZipArchive, ReadsTheDirectoryFromAZip64EndRecord) {
  ZipLayout layout;
  const std::string good =
      testing::zip_archive_bytes({{"a.npy", payload}, {"b.npy", payload, true, true}}, &layout, "", true);
  const auto members = list(good);
  ASSERT_EQ(members.size(), 2u);
  EXPECT_EQ(good.substr(members[0].data_offset, payload.size()), payload);
  EXPECT_EQ(members[1].name, "b.npy");
  // Its count lies (2^40 members in a directory of two entries), its directory lies beyond it, its
  // locator points nowhere, or it is missing where the end record asks for it.
  std::string count = good;
  testing::poke(count, layout.zip64_end_offset + 32, std::uint64_t{1} << 40, 8);
  EXPECT_NE(error_of(count).find("members"), std::string::npos);
  std::string beyond = good;
  testing::poke(beyond, layout.zip64_end_offset + 48, layout.zip64_end_offset + 1, 8);
  EXPECT_NE(error_of(beyond).find("central directory"), std::string::npos);
  std::string locator = good;
  testing::poke(locator, layout.end_offset - 20 + 8, std::uint64_t{1} << 50, 8);
  EXPECT_NE(error_of(locator).find("zip64 locator"), std::string::npos);
  std::string no_locator = good;
  testing::poke(no_locator, layout.end_offset - 20, 0, 4);
  EXPECT_NE(error_of(no_locator).find("no zip64 locator"), std::string::npos);
}

TEST_F(ZipArchive, ListsMembersOfOtherMethodsForTheReaderToRefuse) {
  ZipWriterMember bzip2{"a.npy", payload};
  bzip2.method_override = 12;
  const auto members = list(testing::zip_archive_bytes({bzip2}));
  ASSERT_EQ(members.size(), 1u);
  EXPECT_EQ(members[0].method, 12);
}

}  // namespace
}  // namespace rankme
