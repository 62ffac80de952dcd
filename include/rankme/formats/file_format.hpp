#pragma once
// Which kind of file a path holds, told by its first bytes, never by its extension: a VISSL dump renamed
// .h5, or an .npz saved as .pt, is still read as what it is.
#include <string>
#include <string_view>

namespace rankme {

enum class FileFormat {
  hdf5,          // "\x89HDF\r\n\x1a\n" at byte 0, 512, 1024, 2048, ... (after a user block)
  npy,           // "\x93NUMPY"
  npz,           // a zip archive of .npy members
  safetensors,   // a little-endian 64-bit header length (at least 2), then the JSON object's '{'
  torch,         // a zip archive with <prefix>/data.pkl (torch.save since torch 1.6)
  legacy_torch,  // torch.save before 1.6: a pickle of a magic number (refused with advice)
  empty,         // no bytes at all
  unknown,
};

// "hdf5", "npy", "npz", "safetensors", "torch", "legacy torch", "empty", "unknown".
std::string format_name(FileFormat format);

// From the first bytes alone; a zip archive is `npz` here (telling it from a torch file needs its directory:
// detect_file_format does that).
FileFormat format_of_leading_bytes(std::string_view first_bytes);

// Opens `path` and tells its format (reading the zip directory of an archive). Throws std::runtime_error
// when the file cannot be opened or read.
FileFormat detect_file_format(const std::string& path);

// The extensions a directory scan picks up: .h5 .hdf5 .npy .npz .safetensors .pt .pth (the format itself
// still comes from the bytes).
bool has_tensor_file_extension(const std::string& file_name);

}  // namespace rankme
