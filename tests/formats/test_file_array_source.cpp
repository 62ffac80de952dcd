// FileArraySource and the strided gather under it: every layout of strided_arrays.hpp read for random
// run lists must equal the matrix its definition gives, also with gather limits small enough that slabs
// and spans split everywhere; a truncated file and bad run lists are errors naming the file.
#include "rankme/formats/file_array_source.hpp"

#include <gtest/gtest.h>

#include <random>
#include <stdexcept>

#include "rankme/formats/strided_gather.hpp"
#include "strided_arrays.hpp"
#include "support/row_reads.hpp"
#include "support/temporary_directory.hpp"
#include "zip_writer.hpp"

namespace rankme {
namespace {

using namespace rankme::testing;

constexpr std::uint64_t prefix_bytes = 40;  // the array does not start at the file's first byte

TEST(FileArraySource, ReadsEveryLayoutAsItsCOrderMatrix) {
  TemporaryDirectory directory;
  std::mt19937 random(12);
  for (const StridedCase& c : strided_cases()) {
    const std::string path = directory.file(c.label + ".bin");
    write_bytes(path, std::string(prefix_bytes, 'x') + storage_bytes(storage_elements(c)));
    FileArraySource source(path, layout_of(c, prefix_bytes));
    EXPECT_EQ(source.rows(), c.shape[0]) << c.label;
    EXPECT_EQ(source.cols(), row_elements(c)) << c.label;
    EXPECT_EQ(source.stored_type(), float64_type);
    EXPECT_FALSE(FileFingerprint::of(path).change_to(source.fingerprint()));
    for (int trial = 0; trial < 20; ++trial) {
      const auto runs = random_runs(c.shape[0], random);
      EXPECT_EQ(block_difference(c, runs, read_rows_as<double>(source, runs)), "");
    }
    const std::vector<RowRun> all{{0, c.shape[0]}};
    EXPECT_EQ(block_difference(c, all, read_rows_as<double>(source, all)), "");
    EXPECT_TRUE(read_rows_as<double>(source, {}).empty());
  }
}

// A column range of rows (what --pool first/last asks for) in every layout: C order reads just the range,
// the others whole rows; both must give exactly the definition's values, and a range past the row fails.
TEST(FileArraySource, ReadsAColumnRangeOfRowsInEveryLayout) {
  TemporaryDirectory directory;
  std::mt19937 random(5);
  for (const StridedCase& c : strided_cases()) {
    const std::uint64_t cols = row_elements(c);
    if (c.shape[0] == 0 || cols < 2) continue;
    const std::string path = directory.file(c.label + ".bin");
    write_bytes(path, std::string(prefix_bytes, 'x') + storage_bytes(storage_elements(c)));
    FileArraySource source(path, layout_of(c, prefix_bytes));
    for (int trial = 0; trial < 10; ++trial) {
      const auto runs = random_runs(c.shape[0], random);
      const std::uint64_t first_col = random() % cols;
      const std::uint64_t col_count = 1 + random() % (cols - first_col);
      std::uint64_t rows = 0;
      for (const RowRun& run : runs) rows += run.count;
      std::vector<double> block(rows * col_count);
      source.read_row_columns(runs, first_col, col_count, reinterpret_cast<unsigned char*>(block.data()),
                              block.size() * sizeof(double));
      std::size_t at = 0;
      for (const RowRun& run : runs) {
        for (std::uint64_t row = run.first; row < run.first + run.count; ++row) {
          for (std::uint64_t col = first_col; col < first_col + col_count; ++col, ++at) {
            ASSERT_EQ(block[at], expected_value(c, row, col)) << c.label << " row " << row << " col " << col;
          }
        }
      }
    }
    std::vector<double> one(1);
    EXPECT_THROW(source.read_row_columns({{0, 1}}, cols, 1, reinterpret_cast<unsigned char*>(one.data()), 8),
                 std::out_of_range)
        << c.label;
  }
}

TEST(StridedGather, SplitsSlabsAndSpansAnywhereWithTheSameResult) {
  std::mt19937 random(7);
  for (const StridedCase& c : strided_cases()) {
    const std::string stream = storage_bytes(storage_elements(c));
    std::size_t reads = 0;
    const StreamSpanReader read = [&](std::uint64_t offset, std::size_t bytes, unsigned char* into) {
      ASSERT_LE(offset + bytes, stream.size()) << c.label;
      std::memcpy(into, stream.data() + offset, bytes);
      ++reads;
    };
    for (const GatherLimits limits : {GatherLimits{1, 8, 0}, GatherLimits{5, 24, 0}, GatherLimits{3, 64, 100},
                                      GatherLimits{1000, 1 << 20, 1 << 20}}) {
      for (int trial = 0; trial < 10; ++trial) {
        const auto runs = random_runs(c.shape[0], random);
        std::uint64_t rows = 0;
        for (const RowRun& run : runs) rows += run.count;
        std::vector<double> block(rows * row_elements(c));
        gather_rows(layout_of(c, 0), runs, reinterpret_cast<unsigned char*>(block.data()), read, limits);
        EXPECT_EQ(block_difference(c, runs, block), "") << "slab " << limits.slab_elements << " span " << limits.span_bytes;
      }
    }
  }
  // Fortran 2-D with room for whole columns: one read per column of a block, not one per element.
  const StridedCase fortran{"fortran", {1000, 4}, {1, 1000}, 0};
  const std::string stream = storage_bytes(storage_elements(fortran));
  std::size_t reads = 0;
  std::vector<double> block(100 * 4);
  gather_rows(layout_of(fortran, 0), {{300, 100}}, reinterpret_cast<unsigned char*>(block.data()),
              [&](std::uint64_t offset, std::size_t bytes, unsigned char* into) {
                std::memcpy(into, stream.data() + offset, bytes);
                ++reads;
              },
              GatherLimits{1 << 18, 4 << 20, 0});
  EXPECT_EQ(reads, 4u);
  EXPECT_EQ(block_difference(fortran, {{300, 100}}, block), "");
}

TEST(FileArraySource, RefusesATruncatedFileAndBadRunsNamingTheFile) {
  TemporaryDirectory directory;
  const StridedCase c = strided_cases()[1];
  const std::string path = directory.file("short.bin");
  write_bytes(path, storage_bytes(storage_elements(c) - 4));
  try {
    FileArraySource source(path, layout_of(c, 0));
    FAIL() << "a layout beyond the end of the file was accepted";
  } catch (const std::runtime_error& error) {
    EXPECT_NE(std::string(error.what()).find(path), std::string::npos) << error.what();
  }
  const std::string good = directory.file("good.bin");
  write_bytes(good, storage_bytes(storage_elements(c)));
  FileArraySource source(good, layout_of(c, 0));
  std::vector<double> block(100);
  auto* out = reinterpret_cast<unsigned char*>(block.data());
  EXPECT_THROW(source.read_rows({{6, 2}}, out, 800), std::runtime_error);             // beyond the rows
  EXPECT_THROW(source.read_rows({{3, 1}, {2, 1}}, out, 800), std::runtime_error);     // not ascending
  EXPECT_THROW(source.read_rows({{0, 7}}, out, 7 * 5 * 8 - 1), std::runtime_error);   // buffer too small
}

}  // namespace
}  // namespace rankme
