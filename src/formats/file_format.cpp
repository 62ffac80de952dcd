#include "rankme/formats/file_format.hpp"

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstring>
#include <stdexcept>

#include "rankme/formats/read_only_file.hpp"
#include "rankme/formats/torch_file.hpp"
#include "rankme/formats/zip_archive.hpp"

namespace rankme {

namespace {

constexpr std::string_view hdf5_signature("\x89HDF\r\n\x1a\n", 8);
constexpr std::string_view npy_magic("\x93NUMPY", 6);
constexpr std::string_view zip_local_header("PK\x03\x04", 4);
constexpr std::string_view zip_empty_archive("PK\x05\x06", 4);

bool starts_with(std::string_view text, std::string_view prefix) {
  return text.size() >= prefix.size() && text.substr(0, prefix.size()) == prefix;
}

// The HDF5 superblock may follow a user block of 512, 1024, 2048, ... bytes.
bool has_hdf5_signature_at_some_block(const ReadOnlyFile& file) {
  for (std::uint64_t offset = 512; offset + hdf5_signature.size() <= file.size(); offset *= 2) {
    if (file.read_at_most(offset, hdf5_signature.size()) == hdf5_signature) return true;
  }
  return false;
}

bool ends_with(const std::string& text, std::string_view suffix) {
  return text.size() >= suffix.size() && text.compare(text.size() - suffix.size(), suffix.size(), suffix) == 0;
}

// torch.save writes <prefix>/data.pkl; an .npz holds only .npy members. A zip whose directory cannot be
// read is called an .npz here: its reader then says what is wrong with the archive.
bool holds_torch_pickle(const ReadOnlyFile& file) {
  std::vector<ZipMember> members;
  try {
    members = list_zip_members(file);
  } catch (const std::runtime_error&) {
    return false;
  }
  return std::any_of(members.begin(), members.end(), [](const ZipMember& member) {
    const std::size_t slash = member.name.find('/');
    return slash != std::string::npos && member.name.substr(slash + 1) == "data.pkl";
  });
}

}  // namespace

std::string format_name(FileFormat format) {
  switch (format) {
    case FileFormat::hdf5: return "hdf5";
    case FileFormat::npy: return "npy";
    case FileFormat::npz: return "npz";
    case FileFormat::safetensors: return "safetensors";
    case FileFormat::torch: return "torch";
    case FileFormat::legacy_torch: return "legacy torch";
    case FileFormat::empty: return "empty";
    case FileFormat::unknown: break;
  }
  return "unknown";
}

FileFormat format_of_leading_bytes(std::string_view first_bytes) {
  if (starts_with(first_bytes, hdf5_signature)) return FileFormat::hdf5;
  if (starts_with(first_bytes, npy_magic)) return FileFormat::npy;
  if (starts_with(first_bytes, zip_local_header) || starts_with(first_bytes, zip_empty_archive)) return FileFormat::npz;
  if (looks_like_legacy_torch(first_bytes.substr(0, 32))) return FileFormat::legacy_torch;
  // A header length that runs past the file is still safetensors (truncated, or lying): its reader says so.
  if (first_bytes.size() >= 9 && first_bytes[8] == '{') {
    std::uint64_t header_bytes = 0;
    for (int i = 7; i >= 0; --i) header_bytes = (header_bytes << 8) | static_cast<unsigned char>(first_bytes[i]);
    if (header_bytes >= 2) return FileFormat::safetensors;
  }
  return FileFormat::unknown;
}

FileFormat detect_file_format(const std::string& path) {
  const ReadOnlyFile file(path);
  const std::string first_bytes = file.read_at_most(0, 32);
  if (file.size() == 0) return FileFormat::empty;
  FileFormat format = format_of_leading_bytes(first_bytes);
  if (format == FileFormat::unknown && has_hdf5_signature_at_some_block(file)) return FileFormat::hdf5;
  if (format == FileFormat::npz && holds_torch_pickle(file)) format = FileFormat::torch;
  return format;
}

bool has_tensor_file_extension(const std::string& file_name) {
  static constexpr std::array<std::string_view, 7> extensions = {".h5", ".hdf5", ".npy", ".npz",
                                                                 ".safetensors", ".pt", ".pth"};
  return std::any_of(extensions.begin(), extensions.end(),
                     [&](std::string_view extension) { return ends_with(file_name, extension); });
}

}  // namespace rankme
