// .npy and .npz listing with the tests' own writers: names ("/", "/<key>", "/a/b"), stored members read in
// place, deflated members listed from their inflated header, members that are not arrays left out, other
// compression methods and unreadable dtypes listed without a type, and headers whose shape does not match
// the bytes refused naming the file and the member.
#include "rankme/formats/npz_file.hpp"

#include <gtest/gtest.h>

#include <cstring>
#include <stdexcept>

#include "rankme/formats/deflated_array_source.hpp"
#include "rankme/formats/file_array_source.hpp"
#include "rankme/formats/npy_file.hpp"
#include "support/temporary_directory.hpp"
#include "zip_writer.hpp"

namespace rankme {
namespace {

using namespace rankme::testing;

// A version-1 .npy of float32 values 0.5, 1.5, ... in C order (or Fortran order: the same logical matrix,
// stored column after column).
std::string npy_bytes(const std::vector<std::uint64_t>& shape, bool fortran, const std::string& descr = "<f4",
                      std::int64_t extra_values = 0) {
  std::string dict = "{'descr': '" + descr + "', 'fortran_order': " + (fortran ? "True" : "False") + ", 'shape': " +
                     shape_text(shape) + ", }";
  while ((10 + dict.size() + 1) % 64 != 0) dict += ' ';
  dict += '\n';
  std::string bytes = "\x93NUMPY\x01";
  bytes += '\0';
  bytes += static_cast<char>(dict.size() & 0xff);
  bytes += static_cast<char>(dict.size() >> 8);
  bytes += dict;
  std::uint64_t count = 1;
  for (std::uint64_t extent : shape) count *= extent;
  count = static_cast<std::uint64_t>(static_cast<std::int64_t>(count) + extra_values);
  const std::uint64_t rows = shape.empty() ? 1 : shape[0];
  const std::uint64_t cols = rows == 0 ? 0 : count / rows;
  for (std::uint64_t k = 0; k < count; ++k) {
    // Element k of storage is logical (i, j) = C: (k / cols, k % cols); Fortran: (k % rows, k / rows).
    const std::uint64_t i = fortran ? k % rows : k / cols;
    const std::uint64_t j = fortran ? k / rows : k % cols;
    const float value = static_cast<float>(i * 100 + j) + 0.5f;
    char raw[4];
    std::memcpy(raw, &value, 4);
    bytes.append(raw, 4);
  }
  return bytes;
}

std::vector<float> read_all(RowSource& source) {
  std::vector<float> values(source.rows() * source.cols());
  source.read_rows({{0, source.rows()}}, reinterpret_cast<unsigned char*>(values.data()), values.size() * 4);
  return values;
}

void expect_matrix(RowSource& source, std::uint64_t rows, std::uint64_t cols) {
  ASSERT_EQ(source.rows(), rows);
  ASSERT_EQ(source.cols(), cols);
  const auto values = read_all(source);
  for (std::uint64_t i = 0; i < rows; ++i) {
    for (std::uint64_t j = 0; j < cols; ++j) ASSERT_EQ(values[i * cols + j], static_cast<float>(i * 100 + j) + 0.5f);
  }
}

TEST(NpyFile, ListsOneArrayNamedSlash) {
  TemporaryDirectory directory;
  for (bool fortran : {false, true}) {
    const std::string path = directory.file(fortran ? "f.npy" : "c.npy");
    write_bytes(path, npy_bytes({6, 4}, fortran));
    const auto entries = list_npy_file(ReadOnlyFile(path));
    ASSERT_EQ(entries.size(), 1u);
    EXPECT_EQ(entries[0].name, "/");
    EXPECT_EQ(entries[0].shape, (std::vector<std::uint64_t>{6, 4}));
    EXPECT_EQ(entries[0].dtype, "float32");
    EXPECT_EQ(entries[0].layout.offset, npy_bytes({6, 4}, fortran).size() - 6 * 4 * 4);  // the header's end
    FileArraySource source(path, entries[0].layout);
    expect_matrix(source, 6, 4);
  }
  // A 0-d array: listed with shape () (discovery refuses it), its layout one element.
  write_bytes(directory.file("scalar.npy"), npy_bytes({}, false));
  const auto scalar = list_npy_file(ReadOnlyFile(directory.file("scalar.npy")));
  EXPECT_TRUE(scalar.at(0).shape.empty());
  EXPECT_TRUE(scalar.at(0).type);
  // Complex values: listed without a type.
  write_bytes(directory.file("complex.npy"), npy_bytes({2, 2}, false, "<c8", 4));
  const auto complex = list_npy_file(ReadOnlyFile(directory.file("complex.npy")));
  EXPECT_FALSE(complex.at(0).type);
  EXPECT_EQ(complex.at(0).dtype, "complex64");
}

TEST(NpyFile, RefusesValuesBeyondTheFileNamingIt) {
  TemporaryDirectory directory;
  const std::string path = directory.file("short.npy");
  write_bytes(path, npy_bytes({6, 4}, false, "<f4", -1));
  try {
    list_npy_file(ReadOnlyFile(path));
    FAIL();
  } catch (const std::runtime_error& error) {
    EXPECT_NE(std::string(error.what()).find(path), std::string::npos) << error.what();
    EXPECT_NE(std::string(error.what()).find("(6, 4)"), std::string::npos) << error.what();
  }
  // A huge declared shape: refused from the header, before anything of its size.
  write_bytes(path + "2", npy_bytes({0, 4}, false).replace(npy_bytes({0, 4}, false).find("(0, 4)"), 6, "(9999999999999, 4)"));
  EXPECT_THROW(list_npy_file(ReadOnlyFile(path + "2")), std::runtime_error);
}

TEST(NpzFile, ListsStoredAndDeflatedMembersAndReadsThem) {
  TemporaryDirectory directory;
  ZipWriterMember other_method("bz.npy", npy_bytes({2, 2}, false));
  other_method.method_override = 12;
  const std::string path = directory.file("arrays.npz");
  write_bytes(path, zip_archive_bytes({{"emb.npy", npy_bytes({5, 3}, false)},
                                       {"run/feats.npy", npy_bytes({7, 2}, true), true},
                                       {"notes.txt", "not an array"},
                                       {"big.npy", npy_bytes({9, 8}, false), true, true},
                                       other_method}));
  const auto entries = list_npz_file(ReadOnlyFile(path));
  ASSERT_EQ(entries.size(), 4u);
  EXPECT_EQ(entries[0].name, "/emb");
  EXPECT_FALSE(entries[0].deflated);
  FileArraySource stored(path, entries[0].layout);
  expect_matrix(stored, 5, 3);
  EXPECT_EQ(entries[1].name, "/run/feats");
  ASSERT_TRUE(entries[1].deflated);
  EXPECT_EQ(entries[1].layout.offset, npy_bytes({7, 2}, true).size() - 7 * 2 * 4);  // in the inflated member
  DeflatedArraySource deflated(path, *entries[1].deflated, entries[1].layout);
  expect_matrix(deflated, 7, 2);
  EXPECT_EQ(entries[2].name, "/big");
  DeflatedArraySource zip64(path, *entries[2].deflated, entries[2].layout);
  expect_matrix(zip64, 9, 8);
  EXPECT_EQ(entries[3].name, "/bz");
  EXPECT_FALSE(entries[3].type);
  EXPECT_NE(entries[3].dtype.find("compression method 12"), std::string::npos);
}

TEST(NpzFile, RefusesHeadersThatDoNotMatchTheMemberNamingIt) {
  TemporaryDirectory directory;
  for (bool deflate : {false, true}) {
    for (std::int64_t extra : {-1, 1}) {
      const std::string path = directory.file("lying" + std::to_string(deflate) + std::to_string(extra + 1) + ".npz");
      write_bytes(path, zip_archive_bytes({{"ok.npy", npy_bytes({2, 2}, false)},
                                           {"liar.npy", npy_bytes({4, 4}, false, "<f4", extra), deflate}}));
      try {
        list_npz_file(ReadOnlyFile(path));
        FAIL() << path;
      } catch (const std::runtime_error& error) {
        EXPECT_NE(std::string(error.what()).find(path), std::string::npos) << error.what();
        EXPECT_NE(std::string(error.what()).find("liar.npy"), std::string::npos) << error.what();
      }
    }
  }
  // A deflated member whose header claims a 1 MiB length: refused without inflating that much.
  const std::string path = directory.file("bad_header.npz");
  std::string header = npy_bytes({2, 2}, false);
  header[6] = 2;
  write_bytes(path, zip_archive_bytes({{"x.npy", header, true}}));
  EXPECT_THROW(list_npz_file(ReadOnlyFile(path)), std::runtime_error);
}

}  // namespace
}  // namespace rankme
