#include "rankme/formats/npz_file.hpp"

#include <stdexcept>

#include "rankme/formats/inflating_stream.hpp"
#include "rankme/formats/npy_file.hpp"
#include "rankme/formats/npy_header.hpp"
#include "rankme/formats/zip_archive.hpp"

namespace rankme {

namespace {

constexpr char npy_suffix[] = ".npy";

bool ends_with_npy(const std::string& name) {
  return name.size() > 4 && name.compare(name.size() - 4, 4, npy_suffix) == 0;
}

// The member's .npy header bytes, read from the file (stored) or inflated (deflated), never more than the
// header cap.
template <typename ReadPrefix>
NpyHeader read_member_header(std::uint64_t member_bytes, const std::string& what, ReadPrefix read_prefix) {
  const std::size_t preamble = static_cast<std::size_t>(std::min<std::uint64_t>(member_bytes, npy_preamble_bytes));
  const std::uint64_t header_size = npy_header_size(read_prefix(preamble), what);
  if (header_size > member_bytes) {
    throw std::runtime_error(what + ": the .npy header declares " + std::to_string(header_size) +
                             " bytes, but the member has " + std::to_string(member_bytes));
  }
  return parse_npy_header(read_prefix(static_cast<std::size_t>(header_size)), what);
}

// numpy writes a member as its header and then exactly its values: anything else is a header that lies.
void check_member_size(const TensorEntry& entry, const NpyHeader& header, std::uint64_t member_bytes,
                       const std::string& what) {
  if (!entry.type) return;  // object arrays are pickles of any length
  const std::uint64_t values = entry.layout.element_count() * static_cast<std::uint64_t>(entry.type->bytes);
  if (header.data_offset + values != member_bytes) {
    throw std::runtime_error(what + ": shape " + shape_text(header.shape) + " of " + entry.dtype + " needs " +
                             std::to_string(header.data_offset + values) + " bytes with its header, but the member has " +
                             std::to_string(member_bytes) + " (a header that does not match the data)");
  }
}

}  // namespace

std::vector<TensorEntry> list_npz_file(const ReadOnlyFile& file) {
  std::vector<TensorEntry> entries;
  for (const ZipMember& member : list_zip_members(file)) {
    if (!ends_with_npy(member.name)) continue;
    const std::string name = "/" + member.name.substr(0, member.name.size() - 4);
    const std::string what = "'" + file.path() + "': member '" + member.name + "'";
    if (member.method == zip_stored) {
      const NpyHeader header = read_member_header(member.inflated_bytes, what, [&](std::size_t bytes) {
        return file.read_at_most(member.data_offset, bytes);
      });
      TensorEntry entry = npy_tensor_entry(header, name, member.data_offset, member.inflated_bytes, what);
      check_member_size(entry, header, member.inflated_bytes, what);
      entries.push_back(std::move(entry));
    } else if (member.method == zip_deflated) {
      const DeflatedStream stream{member.data_offset, member.compressed_bytes, member.inflated_bytes, member.crc32, member.name};
      InflatingStream inflating(file, stream, what);
      const NpyHeader header = read_member_header(member.inflated_bytes, what, [&](std::size_t bytes) {
        std::string prefix(bytes, '\0');
        inflating.read(0, bytes, reinterpret_cast<unsigned char*>(prefix.data()));
        return prefix;
      });
      TensorEntry entry = npy_tensor_entry(header, name, 0, member.inflated_bytes, what);
      check_member_size(entry, header, member.inflated_bytes, what);
      entry.deflated = stream;
      entries.push_back(std::move(entry));
    } else {
      TensorEntry entry;
      entry.name = name;
      entry.dtype = "zip compression method " + std::to_string(member.method) +
                    " (not supported: rankme reads members stored or compressed with deflate, as numpy writes them)";
      entries.push_back(std::move(entry));
    }
  }
  return entries;
}

}  // namespace rankme
