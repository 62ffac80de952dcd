// Files written by numpy itself (write_numpy_arrays.py, run with the system Python at test time): every
// dtype, byte order, memory order and version, 3-D arrays, .npz stored, compressed and zip64, listed and
// read through the row sources for random run lists, decoded, and compared with the formula numpy wrote.
#include <gtest/gtest.h>

#include <cstdlib>
#include <map>
#include <memory>
#include <random>

#include "rankme/formats/deflated_array_source.hpp"
#include "rankme/formats/file_array_source.hpp"
#include "rankme/formats/npy_file.hpp"
#include "rankme/formats/npz_file.hpp"
#include "support/temporary_directory.hpp"

namespace rankme {
namespace {

struct Expected {
  std::vector<std::uint64_t> shape;
  std::string dtype;
  bool deflated = false;
};

// file + entry name -> what numpy wrote.
const std::map<std::string, Expected> expected_arrays = {
    {"c_float32.npy/", {{50, 7}, "float32"}},
    {"fortran_float64.npy/", {{50, 7}, "float64"}},
    {"big_endian_float32.npy/", {{33, 5}, "float32be"}},
    {"big_endian_float16_fortran.npy/", {{33, 5}, "float16be"}},
    {"float16.npy/", {{20, 9}, "float16"}},
    {"int8.npy/", {{20, 9}, "int8"}},
    {"uint8_fortran.npy/", {{20, 9}, "uint8"}},
    {"int16_big_endian.npy/", {{20, 9}, "int16be"}},
    {"uint32.npy/", {{20, 9}, "uint32"}},
    {"int64.npy/", {{20, 9}, "int64"}},
    {"uint64_big_endian.npy/", {{20, 9}, "uint64be"}},
    {"version2.npy/", {{12, 6}, "float32"}},
    {"version3.npy/", {{12, 6}, "float64"}},
    {"c_3d.npy/", {{10, 3, 4}, "float32"}},
    {"fortran_3d.npy/", {{10, 3, 4}, "float64"}},
    {"one_axis.npy/", {{15}, "float32"}},
    {"stored.npz/a", {{40, 6}, "float32"}},
    {"stored.npz/b", {{8, 3, 5}, "float64"}},
    {"compressed.npz/emb", {{5000, 64}, "float32", true}},
    {"compressed.npz/f", {{300, 17}, "int16be", true}},
    {"compressed.npz/small", {{3, 2}, "uint16", true}},
    {"nested_zip64.npz/run1/emb", {{64, 10}, "float64", true}},
};

double formula(std::uint64_t row, std::uint64_t col, const StoredType& type) {
  const double value = static_cast<double>((row * 37 + col * 11) % 101);
  return type.kind == StoredType::Kind::unsigned_int ? value : value - 50;
}

TEST(NumpyWrittenArrays, ReadAsNumpyWroteThem) {
  testing::TemporaryDirectory directory;
  const std::string command =
      "/usr/bin/python3 " RANKME_WRITE_NUMPY_ARRAYS " '" + directory.path().string() + "'";
  ASSERT_EQ(std::system(command.c_str()), 0) << command;
  std::mt19937 random(3);
  std::size_t checked = 0;
  for (const std::string file : {"c_float32.npy", "fortran_float64.npy", "big_endian_float32.npy",
                                 "big_endian_float16_fortran.npy", "float16.npy", "int8.npy", "uint8_fortran.npy",
                                 "int16_big_endian.npy", "uint32.npy", "int64.npy", "uint64_big_endian.npy",
                                 "version2.npy", "version3.npy", "c_3d.npy", "fortran_3d.npy", "one_axis.npy",
                                 "stored.npz", "compressed.npz", "nested_zip64.npz"}) {
    const std::string path = directory.file(file);
    const ReadOnlyFile opened(path);
    const bool npz = file.size() > 4 && file.compare(file.size() - 4, 4, ".npz") == 0;
    const auto entries = npz ? list_npz_file(opened) : list_npy_file(opened);
    for (const TensorEntry& entry : entries) {
      SCOPED_TRACE(file + " " + entry.name);
      const auto expected = expected_arrays.find(file + entry.name);
      ASSERT_NE(expected, expected_arrays.end());
      EXPECT_EQ(entry.shape, expected->second.shape);
      EXPECT_EQ(entry.dtype, expected->second.dtype);
      ASSERT_TRUE(entry.type);
      EXPECT_EQ(entry.deflated.has_value(), expected->second.deflated);
      std::unique_ptr<RowSource> source;
      if (entry.deflated) {
        source = std::make_unique<DeflatedArraySource>(path, *entry.deflated, entry.layout);
      } else {
        source = std::make_unique<FileArraySource>(path, entry.layout);
      }
      // Every row once, as several ascending blocks of random runs, then one random block again.
      for (int pass = 0; pass < 2; ++pass) {
        std::vector<RowRun> runs;
        std::uniform_int_distribution<std::uint64_t> gap(0, 3), length(1, 40);
        for (std::uint64_t row = pass == 0 ? 0 : gap(random); row < source->rows();) {
          const std::uint64_t count = std::min(length(random), source->rows() - row);
          runs.push_back({row, count});
          row += count + (pass == 0 ? 0 : gap(random));
        }
        std::uint64_t rows = 0;
        for (const RowRun& run : runs) rows += run.count;
        std::vector<unsigned char> raw(rows * source->row_bytes());
        source->read_rows(runs, raw.data(), raw.size());
        std::vector<double> values(rows * source->cols());
        widen_to_double(source->stored_type(), raw.data(), values.size(), values.data());
        std::size_t at = 0;
        for (const RowRun& run : runs) {
          for (std::uint64_t row = run.first; row < run.first + run.count; ++row) {
            for (std::uint64_t col = 0; col < source->cols(); ++col, ++at) {
              ASSERT_EQ(values[at], formula(row, col, *entry.type)) << "row " << row << " column " << col;
            }
          }
        }
      }
      ++checked;
    }
  }
  EXPECT_EQ(checked, expected_arrays.size());
}

}  // namespace
}  // namespace rankme
