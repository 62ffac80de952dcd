#include "rankme/formats/zip_archive.hpp"

#include <algorithm>
#include <set>
#include <stdexcept>

namespace rankme {

namespace {

constexpr std::uint32_t local_header_signature = 0x04034b50;
constexpr std::uint32_t central_header_signature = 0x02014b50;
constexpr std::uint32_t end_signature = 0x06054b50;
constexpr std::uint32_t zip64_end_signature = 0x06064b50;
constexpr std::uint32_t zip64_locator_signature = 0x07064b50;
constexpr std::size_t end_bytes = 22;
constexpr std::size_t zip64_locator_bytes = 20;
constexpr std::size_t zip64_end_bytes = 56;
constexpr std::size_t central_header_bytes = 46;
constexpr std::size_t local_header_bytes = 30;
constexpr std::size_t max_comment_bytes = 0xffff;

std::uint64_t little(const unsigned char* bytes, std::size_t width) {
  std::uint64_t value = 0;
  for (std::size_t i = width; i-- > 0;) value = value << 8 | bytes[i];
  return value;
}

std::uint16_t u16(const unsigned char* bytes) { return static_cast<std::uint16_t>(little(bytes, 2)); }
std::uint32_t u32(const unsigned char* bytes) { return static_cast<std::uint32_t>(little(bytes, 4)); }
std::uint64_t u64(const unsigned char* bytes) { return little(bytes, 8); }

const unsigned char* bytes_of(const std::string& text, std::size_t at) {
  return reinterpret_cast<const unsigned char*>(text.data()) + at;
}

// Where the central directory is and how many entries it declares.
struct Directory {
  std::uint64_t offset = 0;
  std::uint64_t bytes = 0;
  std::uint64_t entries = 0;
  std::uint64_t end = 0;  // where the records after it start (zip64 end record or end record)
};

class ZipReader {
 public:
  explicit ZipReader(const ReadOnlyFile& file) : file_(file), what_("'" + file.path() + "'") {}

  std::vector<ZipMember> members() {
    const Directory directory = find_directory();
    const std::string table = file_.read_at_most(directory.offset, static_cast<std::size_t>(directory.bytes));
    if (table.size() != directory.bytes) fail("its central directory is truncated");
    std::vector<ZipMember> members;
    std::vector<std::uint64_t> local_offsets;
    std::set<std::string> names;
    std::size_t at = 0;
    for (std::uint64_t index = 0; index < directory.entries; ++index) {
      ZipMember member;
      std::uint64_t local_offset = 0;
      at = read_central_entry(table, at, member, local_offset);
      if (!names.insert(member.name).second) fail("the member '" + member.name + "' appears twice");
      members.push_back(std::move(member));
      local_offsets.push_back(local_offset);
    }
    for (std::size_t i = 0; i < members.size(); ++i) locate_data(members[i], local_offsets[i], directory.offset);
    check_no_overlap(members, local_offsets);
    return members;
  }

 private:
  [[noreturn]] void fail(const std::string& problem) const {
    throw std::runtime_error(what_ + ": not a readable zip archive: " + problem);
  }

  [[noreturn]] void fail_member(const std::string& name, const std::string& problem) const {
    throw std::runtime_error(what_ + ": zip member '" + name + "': " + problem);
  }

  Directory find_directory() {
    const std::uint64_t size = file_.size();
    if (size < end_bytes) fail("it is shorter than a zip end record (" + std::to_string(size) + " bytes)");
    // The end record is the last 22 bytes plus a comment of up to 64 KiB: search backwards for its signature
    // at a place where the declared comment ends exactly at the end of the file.
    const std::uint64_t tail_bytes = std::min<std::uint64_t>(size, end_bytes + max_comment_bytes);
    const std::uint64_t tail_start = size - tail_bytes;
    const std::string tail = file_.read_at_most(tail_start, static_cast<std::size_t>(tail_bytes));
    std::size_t found = std::string::npos;
    for (std::size_t at = tail.size() - end_bytes + 1; at-- > 0;) {
      const unsigned char* record = bytes_of(tail, at);
      if (u32(record) == end_signature && at + end_bytes + u16(record + 20) == tail.size()) {
        found = at;
        break;
      }
    }
    if (found == std::string::npos) fail("no end-of-central-directory record (truncated, or not a zip file)");
    const unsigned char* record = bytes_of(tail, found);
    const std::uint64_t end_offset = tail_start + found;
    Directory directory;
    directory.entries = u16(record + 10);
    directory.bytes = u32(record + 12);
    directory.offset = u32(record + 16);
    directory.end = end_offset;
    if (u16(record + 4) != 0 && u16(record + 4) != 0xffff) fail("it spans several disks");
    const bool zip64 = directory.entries == 0xffff || directory.bytes == 0xffffffff || directory.offset == 0xffffffff;
    if (end_offset >= zip64_locator_bytes) {
      unsigned char locator[zip64_locator_bytes];
      file_.read_exactly(end_offset - zip64_locator_bytes, locator, sizeof locator);
      if (u32(locator) == zip64_locator_signature) {
        read_zip64_end(u64(locator + 8), end_offset - zip64_locator_bytes, directory);
      } else if (zip64) {
        fail("its end record asks for zip64 values, but there is no zip64 locator");
      }
    } else if (zip64) {
      fail("its end record asks for zip64 values, but there is no zip64 locator");
    }
    if (directory.offset > directory.end || directory.bytes > directory.end - directory.offset) {
      fail("its central directory (" + std::to_string(directory.bytes) + " bytes at byte " +
           std::to_string(directory.offset) + ") does not lie before its end record");
    }
    // A declared count cannot exceed what the directory's bytes can hold: never trust it further.
    if (directory.entries > directory.bytes / central_header_bytes) {
      fail("its end record declares " + std::to_string(directory.entries) + " members, but the central directory's " +
           std::to_string(directory.bytes) + " bytes hold at most " +
           std::to_string(directory.bytes / central_header_bytes));
    }
    return directory;
  }

  void read_zip64_end(std::uint64_t record_offset, std::uint64_t locator_offset, Directory& directory) {
    if (record_offset > locator_offset || locator_offset - record_offset < zip64_end_bytes) {
      fail("its zip64 locator points to byte " + std::to_string(record_offset) + ", outside the archive");
    }
    unsigned char record[zip64_end_bytes];
    file_.read_exactly(record_offset, record, sizeof record);
    if (u32(record) != zip64_end_signature) fail("its zip64 locator does not point to a zip64 end record");
    if (u32(record + 16) != 0 || u32(record + 20) != 0) fail("it spans several disks");
    directory.entries = u64(record + 32);
    directory.bytes = u64(record + 40);
    directory.offset = u64(record + 48);
    directory.end = record_offset;
  }

  // Parses the central entry at `at`, returns where the next one starts.
  std::size_t read_central_entry(const std::string& table, std::size_t at, ZipMember& member, std::uint64_t& local_offset) {
    if (table.size() - at < central_header_bytes) fail("its central directory ends inside an entry");
    const unsigned char* entry = bytes_of(table, at);
    if (u32(entry) != central_header_signature) fail("a central directory entry has a bad signature (corrupt directory)");
    const std::uint16_t flags = u16(entry + 8);
    member.method = u16(entry + 10);
    member.crc32 = u32(entry + 16);
    member.compressed_bytes = u32(entry + 20);
    member.inflated_bytes = u32(entry + 24);
    const std::size_t name_bytes = u16(entry + 28);
    const std::size_t extra_bytes = u16(entry + 30);
    const std::size_t comment_bytes = u16(entry + 32);
    std::uint16_t disk = u16(entry + 34);
    local_offset = u32(entry + 42);
    const std::size_t next = at + central_header_bytes + name_bytes + extra_bytes + comment_bytes;
    if (next > table.size()) fail("its central directory ends inside an entry");
    member.name = table.substr(at + central_header_bytes, name_bytes);
    check_name(member.name);
    if (flags & 0x1) fail_member(member.name, "it is encrypted; rankme reads only unencrypted archives");
    // zip64: the fields saturated in the fixed part follow in the extra field 0x0001, in this order.
    const bool need_inflated = member.inflated_bytes == 0xffffffff;
    const bool need_compressed = member.compressed_bytes == 0xffffffff;
    const bool need_offset = local_offset == 0xffffffff;
    const bool need_disk = disk == 0xffff;
    if (need_inflated || need_compressed || need_offset || need_disk) {
      const std::string extra = table.substr(at + central_header_bytes + name_bytes, extra_bytes);
      bool found = false;
      for (std::size_t field = 0; field + 4 <= extra.size();) {
        const std::uint16_t id = u16(bytes_of(extra, field));
        const std::size_t length = u16(bytes_of(extra, field + 2));
        if (field + 4 + length > extra.size()) break;
        if (id == 0x0001) {
          std::size_t value = field + 4;
          const std::size_t end = value + length;
          auto next_u64 = [&](std::uint64_t& target) {
            if (value + 8 > end) fail_member(member.name, "its zip64 extra field is too short");
            target = u64(bytes_of(extra, value));
            value += 8;
          };
          if (need_inflated) next_u64(member.inflated_bytes);
          if (need_compressed) next_u64(member.compressed_bytes);
          if (need_offset) next_u64(local_offset);
          if (need_disk && value + 4 > end) fail_member(member.name, "its zip64 extra field is too short");
          if (need_disk) disk = static_cast<std::uint16_t>(u32(bytes_of(extra, value)) != 0 ? 1 : 0);
          found = true;
          break;
        }
        field += 4 + length;
      }
      if (!found) fail_member(member.name, "its sizes need a zip64 extra field, which is missing");
    }
    if (disk != 0) fail_member(member.name, "it is on another disk of a multi-disk archive");
    if (member.method == zip_stored && member.compressed_bytes != member.inflated_bytes) {
      fail_member(member.name, "stored without compression, but its sizes differ (" + std::to_string(member.compressed_bytes) +
                                   " and " + std::to_string(member.inflated_bytes) + " bytes)");
    }
    return next;
  }

  void check_name(const std::string& name) const {
    if (name.empty()) fail("a member has an empty name");
    if (name.front() == '/' || name.front() == '\\') {
      fail_member(name, "an absolute path; a member name must be relative");
    }
    if (name.find('\0') != std::string::npos) fail_member(name, "its name contains a NUL byte");
    std::size_t start = 0;
    while (start <= name.size()) {
      std::size_t stop = name.find_first_of("/\\", start);
      if (stop == std::string::npos) stop = name.size();
      if (name.compare(start, stop - start, "..") == 0 && stop - start == 2) {
        fail_member(name, "its name has a '..' component (a path that escapes the archive)");
      }
      start = stop + 1;
    }
  }

  // Reads the member's local header: its data starts after the local name and extra field.
  void locate_data(ZipMember& member, std::uint64_t local_offset, std::uint64_t directory_offset) {
    if (local_offset > directory_offset || directory_offset - local_offset < local_header_bytes) {
      fail_member(member.name, "its local header at byte " + std::to_string(local_offset) +
                                   " does not lie before the central directory");
    }
    unsigned char header[local_header_bytes];
    file_.read_exactly(local_offset, header, sizeof header);
    if (u32(header) != local_header_signature) fail_member(member.name, "its local header has a bad signature");
    if (u16(header + 6) & 0x1) fail_member(member.name, "it is encrypted; rankme reads only unencrypted archives");
    const std::uint64_t data_offset = local_offset + local_header_bytes + u16(header + 26) + u16(header + 28);
    if (data_offset > directory_offset || member.compressed_bytes > directory_offset - data_offset) {
      fail_member(member.name, "its " + std::to_string(member.compressed_bytes) + " bytes of data at byte " +
                                   std::to_string(data_offset) + " do not lie before the central directory (at byte " +
                                   std::to_string(directory_offset) + ")");
    }
    member.data_offset = data_offset;
  }

  void check_no_overlap(const std::vector<ZipMember>& members, const std::vector<std::uint64_t>& local_offsets) const {
    std::vector<std::size_t> order(members.size());
    for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
    std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return local_offsets[a] < local_offsets[b]; });
    for (std::size_t i = 1; i < order.size(); ++i) {
      const ZipMember& before = members[order[i - 1]];
      const ZipMember& after = members[order[i]];
      if (before.data_offset + before.compressed_bytes > local_offsets[order[i]]) {
        fail_member(after.name, "its bytes overlap those of '" + before.name + "' (a crafted archive?)");
      }
    }
  }

  const ReadOnlyFile& file_;
  std::string what_;
};

}  // namespace

bool has_zip_magic(const std::string& bytes) {
  return bytes.size() >= 4 && bytes[0] == 'P' && bytes[1] == 'K' &&
         ((bytes[2] == 3 && bytes[3] == 4) || (bytes[2] == 5 && bytes[3] == 6));
}

std::vector<ZipMember> list_zip_members(const ReadOnlyFile& file) { return ZipReader(file).members(); }

}  // namespace rankme
