#include "zip_writer.hpp"

#include <zlib.h>

#include <fstream>
#include <stdexcept>

namespace rankme::testing {

namespace {

void append(std::string& out, std::uint64_t value, int width) {
  for (int i = 0; i < width; ++i) out += static_cast<char>((value >> (8 * i)) & 0xff);
}

}  // namespace

void poke(std::string& bytes, std::uint64_t at, std::uint64_t value, int width) {
  for (int i = 0; i < width; ++i) bytes.at(at + i) = static_cast<char>((value >> (8 * i)) & 0xff);
}

std::string raw_deflate(const std::string& data) {
  z_stream stream{};
  if (deflateInit2(&stream, 6, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY) != Z_OK) throw std::runtime_error("deflateInit2");
  std::string out(deflateBound(&stream, data.size()) + 16, '\0');
  stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  stream.avail_in = static_cast<uInt>(data.size());
  stream.next_out = reinterpret_cast<Bytef*>(out.data());
  stream.avail_out = static_cast<uInt>(out.size());
  const int status = deflate(&stream, Z_FINISH);
  deflateEnd(&stream);
  if (status != Z_STREAM_END) throw std::runtime_error("deflate did not finish");
  out.resize(stream.total_out);
  return out;
}

std::string zip_archive_bytes(const std::vector<ZipWriterMember>& members, ZipLayout* layout, const std::string& comment,
                              bool zip64_end) {
  std::string out;
  std::string directory;
  ZipLayout where;
  for (const ZipWriterMember& member : members) {
    const std::string payload = member.deflate ? raw_deflate(member.data) : member.data;
    const std::uint16_t method = member.method_override != 0xffff ? member.method_override : (member.deflate ? 8 : 0);
    const auto crc = static_cast<std::uint32_t>(crc32(0, reinterpret_cast<const Bytef*>(member.data.data()),
                                                      static_cast<uInt>(member.data.size())));
    const std::uint64_t local_offset = out.size();
    where.local_offsets.push_back(local_offset);
    std::string zip64_local, zip64_central;
    if (member.zip64) {
      append(zip64_local, 0x0001, 2);
      append(zip64_local, 16, 2);
      append(zip64_local, member.data.size(), 8);
      append(zip64_local, payload.size(), 8);
      append(zip64_central, 0x0001, 2);
      append(zip64_central, 24, 2);
      append(zip64_central, member.data.size(), 8);
      append(zip64_central, payload.size(), 8);
      append(zip64_central, local_offset, 8);
    }
    const std::uint64_t saturated = 0xffffffff;
    // Local header.
    append(out, 0x04034b50, 4);
    append(out, member.zip64 ? 45 : 20, 2);
    append(out, 0, 2);  // flags
    append(out, method, 2);
    append(out, 0, 4);  // time, date
    append(out, crc, 4);
    append(out, member.zip64 ? saturated : payload.size(), 4);
    append(out, member.zip64 ? saturated : member.data.size(), 4);
    append(out, member.name.size(), 2);
    append(out, zip64_local.size() + member.local_extra.size(), 2);
    out += member.name + zip64_local + member.local_extra + payload;
    // Central entry (appended to the directory, written after the members).
    where.central_offsets.push_back(directory.size());
    append(directory, 0x02014b50, 4);
    append(directory, member.zip64 ? 45 : 20, 2);
    append(directory, member.zip64 ? 45 : 20, 2);
    append(directory, 0, 2);
    append(directory, method, 2);
    append(directory, 0, 4);
    append(directory, crc, 4);
    append(directory, member.zip64 ? saturated : payload.size(), 4);
    append(directory, member.zip64 ? saturated : member.data.size(), 4);
    append(directory, member.name.size(), 2);
    append(directory, zip64_central.size(), 2);
    append(directory, 0, 2);  // comment
    append(directory, 0, 2);  // disk
    append(directory, 0, 2);  // internal attributes
    append(directory, 0, 4);  // external attributes
    append(directory, member.zip64 ? saturated : local_offset, 4);
    directory += member.name + zip64_central;
  }
  where.directory_offset = out.size();
  for (auto& offset : where.central_offsets) offset += where.directory_offset;
  out += directory;
  if (zip64_end) {
    where.zip64_end_offset = out.size();
    append(out, 0x06064b50, 4);
    append(out, 44, 8);  // the record's size after this field
    append(out, 45, 2);
    append(out, 45, 2);
    append(out, 0, 4);  // disk numbers
    append(out, 0, 4);
    append(out, members.size(), 8);
    append(out, members.size(), 8);
    append(out, directory.size(), 8);
    append(out, where.directory_offset, 8);
    append(out, 0x07064b50, 4);  // the locator
    append(out, 0, 4);
    append(out, where.zip64_end_offset, 8);
    append(out, 1, 4);
  }
  where.end_offset = out.size();
  append(out, 0x06054b50, 4);
  append(out, 0, 4);  // disk numbers
  append(out, zip64_end ? 0xffff : members.size(), 2);
  append(out, zip64_end ? 0xffff : members.size(), 2);
  append(out, zip64_end ? 0xffffffff : directory.size(), 4);
  append(out, zip64_end ? 0xffffffff : where.directory_offset, 4);
  append(out, comment.size(), 2);
  out += comment;
  if (layout != nullptr) *layout = where;
  return out;
}

void write_bytes(const std::string& path, const std::string& bytes) {
  std::ofstream file(path, std::ios::binary);
  file.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  if (!file.flush()) throw std::runtime_error("cannot write " + path);
}

}  // namespace rankme::testing
