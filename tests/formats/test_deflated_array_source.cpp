// DeflatedArraySource: every layout of strided_arrays.hpp, deflated into a zip-like byte range of a file,
// read for random run lists equals its definition; C order reads a whole shard in one pass over the
// stream; a row behind the stream restarts it; corrupt data, a wrong CRC-32 and sizes that lie (a zip
// bomb declaring less than it inflates to) are errors naming the file.
#include "rankme/formats/deflated_array_source.hpp"

#include <gtest/gtest.h>
#include <zlib.h>

#include <random>
#include <stdexcept>

#include "strided_arrays.hpp"
#include "support/row_reads.hpp"
#include "support/temporary_directory.hpp"
#include "zip_writer.hpp"

namespace rankme {
namespace {

using namespace rankme::testing;

constexpr std::uint64_t prefix_bytes = 77;

struct DeflatedFile {
  std::string path;
  DeflatedStream stream;
  std::string compressed;
};

DeflatedFile write_deflated(const TemporaryDirectory& directory, const std::string& name, const std::string& inflated) {
  DeflatedFile file{directory.file(name), {}, raw_deflate(inflated)};
  file.stream.data_offset = prefix_bytes;
  file.stream.compressed_bytes = file.compressed.size();
  file.stream.inflated_bytes = inflated.size();
  file.stream.crc32 = static_cast<std::uint32_t>(
      crc32(0, reinterpret_cast<const Bytef*>(inflated.data()), static_cast<uInt>(inflated.size())));
  write_bytes(file.path, std::string(prefix_bytes, 'z') + file.compressed + "trailing bytes of the next member");
  return file;
}

std::string error_reading_all(const DeflatedFile& file, const ArrayLayout& layout) {
  try {
    DeflatedArraySource source(file.path, file.stream, layout);
    read_rows_as<double>(source, {{0, source.rows()}});
  } catch (const std::runtime_error& error) {
    EXPECT_NE(std::string(error.what()).find(file.path), std::string::npos) << error.what();
    return error.what();
  }
  return "";
}

TEST(DeflatedArraySource, ReadsEveryLayoutAsItsCOrderMatrix) {
  TemporaryDirectory directory;
  std::mt19937 random(5);
  for (const StridedCase& c : strided_cases()) {
    const DeflatedFile file = write_deflated(directory, c.label + ".z", storage_bytes(storage_elements(c)));
    DeflatedArraySource source(file.path, file.stream, layout_of(c, 0));
    EXPECT_EQ(source.rows(), c.shape[0]);
    EXPECT_EQ(source.cols(), row_elements(c));
    for (int trial = 0; trial < 10; ++trial) {
      const auto runs = random_runs(c.shape[0], random);
      EXPECT_EQ(block_difference(c, runs, read_rows_as<double>(source, runs)), "");
    }
    const std::vector<RowRun> all{{0, c.shape[0]}};
    EXPECT_EQ(block_difference(c, all, read_rows_as<double>(source, all)), "");
  }
}

TEST(DeflatedArraySource, ReadsAnAscendingShardInOnePassAndRestartsOnlyForRowsBehind) {
  TemporaryDirectory directory;
  // 3,000 x 40 float64 (960 KB inflated): several input and discard buffers long.
  const StridedCase c{"c_large", {3000, 40}, {40, 1}, 2};
  const DeflatedFile file = write_deflated(directory, "large.z", storage_bytes(storage_elements(c)));
  DeflatedArraySource source(file.path, file.stream, layout_of(c, 0));
  for (std::uint64_t first = 1000; first < 2000; first += 250) {  // one rank's shard, block by block
    const std::vector<RowRun> runs{{first, 100}, {first + 150, 100}};
    EXPECT_EQ(block_difference(c, runs, read_rows_as<double>(source, runs)), "");
  }
  EXPECT_EQ(source.passes(), 1u);
  EXPECT_EQ(block_difference(c, {{10, 5}}, read_rows_as<double>(source, {{10, 5}})), "");
  EXPECT_EQ(source.passes(), 2u);
  // To the end: the stream's length and CRC-32 are checked there.
  EXPECT_EQ(block_difference(c, {{2990, 10}}, read_rows_as<double>(source, {{2990, 10}})), "");
  EXPECT_EQ(source.passes(), 2u);
}

TEST(DeflatedArraySource, ReadsAFortranOrderBlockInOnePassOverTheStream) {
  TemporaryDirectory directory;
  const StridedCase c{"fortran_large", {3000, 40}, {1, 3000}, 0};
  const DeflatedFile file = write_deflated(directory, "fortran.z", storage_bytes(storage_elements(c)));
  DeflatedArraySource source(file.path, file.stream, layout_of(c, 0));
  for (std::uint64_t first = 0; first < 3000; first += 500) {
    const std::vector<RowRun> runs{{first, 200}, {first + 300, 200}};
    EXPECT_EQ(block_difference(c, runs, read_rows_as<double>(source, runs)), "");
  }
  EXPECT_EQ(source.passes(), 6u);  // one per block, whatever its runs: the cost the header documents
}

TEST(DeflatedArraySource, RefusesCorruptDataWrongChecksumsAndSizesThatLie) {
  TemporaryDirectory directory;
  const StridedCase c{"c", {200, 10}, {10, 1}, 0};
  const std::string inflated = storage_bytes(200 * 10);
  const ArrayLayout layout = layout_of(c, 0);

  DeflatedFile crc = write_deflated(directory, "crc.z", inflated);
  crc.stream.crc32 ^= 1;
  EXPECT_NE(error_reading_all(crc, layout).find("CRC-32"), std::string::npos);

  // A bomb: it inflates to more than it declares (the layout fits the declared size).
  DeflatedFile bomb = write_deflated(directory, "bomb.z", inflated + std::string(1 << 20, '\0'));
  bomb.stream.inflated_bytes = inflated.size();
  EXPECT_NE(error_reading_all(bomb, layout).find("more than"), std::string::npos);

  // It declares more than it inflates to.
  DeflatedFile longer = write_deflated(directory, "longer.z", inflated.substr(0, inflated.size() - 80));
  longer.stream.inflated_bytes = inflated.size();
  EXPECT_NE(error_reading_all(longer, layout).find("ends after"), std::string::npos);

  // Compressed bytes cut short, and compressed bytes flipped.
  DeflatedFile cut = write_deflated(directory, "cut.z", inflated);
  cut.stream.compressed_bytes /= 2;
  EXPECT_NE(error_reading_all(cut, layout), "");
  DeflatedFile flipped = write_deflated(directory, "flipped.z", inflated);
  std::string bytes = std::string(prefix_bytes, 'z') + flipped.compressed;
  for (std::size_t at = prefix_bytes + 10; at < bytes.size(); at += 7) bytes[at] = static_cast<char>(bytes[at] ^ 0x5a);
  write_bytes(flipped.path, bytes);
  EXPECT_NE(error_reading_all(flipped, layout), "");

  // A member beyond the end of the file, and a layout beyond the declared inflated size.
  DeflatedFile beyond = write_deflated(directory, "beyond.z", inflated);
  beyond.stream.compressed_bytes = 1u << 30;
  EXPECT_NE(error_reading_all(beyond, layout).find("beyond the end of the file"), std::string::npos);
  DeflatedFile small = write_deflated(directory, "small.z", inflated);
  small.stream.inflated_bytes = inflated.size() - 8;
  EXPECT_NE(error_reading_all(small, layout).find("needs"), std::string::npos);
}

}  // namespace
}  // namespace rankme
