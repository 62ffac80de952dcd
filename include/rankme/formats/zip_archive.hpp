#pragma once
// The members of a zip archive (.npz, and the torch.save format), as listed by its central directory, with
// zip64 sizes and offsets, and where each member's data starts (after its local header, whose extra field
// may differ from the directory's). Only listing: reading a member is a FileArraySource (stored) or a
// DeflatedArraySource (deflate) over its byte range.
//
// The archive is treated as hostile: every size, count and offset is checked against the file before it is
// used or allocated for; names with ".." components or a leading "/", encrypted members, members outside
// the file and members whose data overlap are errors naming the member.
#include <cstdint>
#include <string>
#include <vector>

#include "rankme/formats/read_only_file.hpp"

namespace rankme {

struct ZipMember {
  std::string name;
  std::uint16_t method = 0;  // 0 stored, 8 deflate; others are listed and refused by whoever reads them
  std::uint64_t compressed_bytes = 0;
  std::uint64_t inflated_bytes = 0;
  std::uint64_t data_offset = 0;  // first byte of its (compressed) data in the file
  std::uint32_t crc32 = 0;
};

inline constexpr std::uint16_t zip_stored = 0;
inline constexpr std::uint16_t zip_deflated = 8;

// Whether `bytes` start like a zip archive (a local file header, "PK\3\4", or an empty archive's "PK\5\6").
bool has_zip_magic(const std::string& bytes);

// The members in central-directory order. Throws std::runtime_error naming the file (and the member) for
// anything malformed.
std::vector<ZipMember> list_zip_members(const ReadOnlyFile& file);

}  // namespace rankme
