#pragma once
// A tiny zip writer for the tests of the zip and .npz readers: the archive's bytes, built from members
// stored or deflated (zlib, raw deflate) with optional zip64 extra fields, so that a test can write a valid
// archive and then break exactly one field of it. Independent of the reader: it follows the zip
// specification (APPNOTE.TXT), not rankme's code.
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace rankme::testing {

struct ZipWriterMember {
  ZipWriterMember(std::string name_, std::string data_, bool deflate_ = false, bool zip64_ = false)
      : name(std::move(name_)), data(std::move(data_)), deflate(deflate_), zip64(zip64_) {}
  std::string name;
  std::string data;
  bool deflate = false;
  bool zip64 = false;  // sizes and offset as 0xffffffff in both headers, the values in a zip64 extra field
  std::uint16_t method_override = 0xffff;  // write this method number instead (e.g. 12, bzip2), data as given
  std::string local_extra;                 // extra bytes in the local header only (as torch pads its members)
};

struct ZipLayout {
  std::vector<std::uint64_t> local_offsets;   // where each member's local header starts
  std::vector<std::uint64_t> central_offsets; // where each member's central directory entry starts
  std::uint64_t directory_offset = 0;
  std::uint64_t end_offset = 0;               // the end-of-central-directory record
  std::uint64_t zip64_end_offset = 0;         // the zip64 end record, when written
};

// The archive; `layout`, when given, says where its parts are. `zip64_end`: a zip64 end record and locator
// hold the directory's count, size and offset, and the classic end record has them saturated.
std::string zip_archive_bytes(const std::vector<ZipWriterMember>& members, ZipLayout* layout = nullptr,
                              const std::string& comment = "", bool zip64_end = false);
// Raw deflate (no zlib header) of `data`, as zip members hold it.
std::string raw_deflate(const std::string& data);
// Writes `bytes` to `path`.
void write_bytes(const std::string& path, const std::string& bytes);
// Overwrites the little-endian field of `width` bytes at `at`.
void poke(std::string& bytes, std::uint64_t at, std::uint64_t value, int width);

}  // namespace rankme::testing
