// The format comes from the first bytes, not the extension.
#include "rankme/formats/file_format.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <string>

#include "support/temporary_directory.hpp"

namespace rankme {
namespace {

std::string bytes(const char* text, std::size_t size) { return std::string(text, size); }

// A safetensors prefix: the header length (little-endian 64 bits), then the JSON object.
std::string safetensors_prefix(std::uint64_t header_bytes) {
  std::string prefix(8, '\0');
  for (int i = 0; i < 8; ++i) prefix[i] = static_cast<char>((header_bytes >> (8 * i)) & 0xff);
  return prefix + "{\"x\":";
}

TEST(FormatOfLeadingBytes, EachMagicIsRecognised) {
  EXPECT_EQ(format_of_leading_bytes(bytes("\x89HDF\r\n\x1a\n\0\0", 10)), FileFormat::hdf5);
  EXPECT_EQ(format_of_leading_bytes(bytes("\x93NUMPY\x01\x00", 8)), FileFormat::npy);
  EXPECT_EQ(format_of_leading_bytes(bytes("PK\x03\x04\x14\x00", 6)), FileFormat::npz);
  EXPECT_EQ(format_of_leading_bytes(bytes("PK\x05\x06\0\0", 6)), FileFormat::npz);
  EXPECT_EQ(format_of_leading_bytes(bytes("\x80\x02\x8a\x0a\x6c\xfc\x9c\x46\xf9\x20\x6a\xa8\x50\x19", 14)),
            FileFormat::legacy_torch);
  EXPECT_EQ(format_of_leading_bytes(safetensors_prefix(100)), FileFormat::safetensors);
}

TEST(FormatOfLeadingBytes, LookalikesAreNotTakenForAFormat) {
  // A safetensors header length too short for "{}" is no safetensors file; one longer than the file still
  // is (its reader says it is truncated or lies).
  EXPECT_EQ(format_of_leading_bytes(safetensors_prefix(1)), FileFormat::unknown);
  EXPECT_EQ(format_of_leading_bytes(safetensors_prefix(1u << 30)), FileFormat::safetensors);
  EXPECT_EQ(format_of_leading_bytes("not a tensor file at all"), FileFormat::unknown);
  EXPECT_EQ(format_of_leading_bytes(""), FileFormat::unknown);
  EXPECT_EQ(format_of_leading_bytes(bytes("\x93NUMP", 5)), FileFormat::unknown);
  EXPECT_EQ(format_of_leading_bytes(bytes("\x80\x02\x8a\x0a", 4)), FileFormat::unknown);  // a pickle, not torch's magic
}

TEST(DetectFileFormat, FindsAnHdf5SuperblockAfterAUserBlockWhateverTheExtension) {
  testing::TemporaryDirectory directory;
  const std::string path = directory.file("renamed.npy");
  {
    std::ofstream out(path, std::ios::binary);
    out << std::string(1024, 'u') << bytes("\x89HDF\r\n\x1a\n", 8) << std::string(100, '\0');
  }
  EXPECT_EQ(detect_file_format(path), FileFormat::hdf5);
  const std::string text = directory.file("notes.h5");
  std::ofstream(text) << "just some text, no magic";
  EXPECT_EQ(detect_file_format(text), FileFormat::unknown);
  EXPECT_THROW(detect_file_format(directory.file("missing.pt")), std::runtime_error);
  const std::string empty = directory.file("empty.npy");
  std::ofstream{empty};
  EXPECT_EQ(detect_file_format(empty), FileFormat::empty);
  // A zip whose directory is broken is still a zip: the .npz reader says what is wrong with it.
  const std::string broken_zip = directory.file("broken.pt");
  std::ofstream(broken_zip, std::ios::binary) << bytes("PK\x03\x04\x14\x00", 6) << std::string(40, 'z');
  EXPECT_EQ(detect_file_format(broken_zip), FileFormat::npz);
}

TEST(TensorFileExtensions, ADirectoryScanPicksUpEveryFormat) {
  for (const char* name : {"a.h5", "a.hdf5", "emb_rank0.npy", "x.npz", "model.safetensors", "trainfeat.pth", "b.pt"}) {
    EXPECT_TRUE(has_tensor_file_extension(name)) << name;
  }
  for (const char* name : {"a.txt", "npy", "a.npy.bak", "a.pt~", "weights.bin"}) EXPECT_FALSE(has_tensor_file_extension(name)) << name;
}

TEST(FormatName, NamesEveryFormat) {
  EXPECT_EQ(format_name(FileFormat::safetensors), "safetensors");
  EXPECT_EQ(format_name(FileFormat::legacy_torch), "legacy torch");
  EXPECT_EQ(format_name(FileFormat::npz), "npz");
}

}  // namespace
}  // namespace rankme
