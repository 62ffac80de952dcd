// What a dataset holds and whether rankme can score it, on files written with the fixture library: shapes,
// element types (each numeric type named as numpy does, everything else by its class), layouts, storage
// never or partly written, and the links and groups that are not datasets.
#include "rankme/io/hdf5_dataset.hpp"

#include <gtest/gtest.h>
#include <hdf5.h>

#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "rankme/io/hdf5_error.hpp"
#include "rankme/io/hdf5_file.hpp"
#include "support/hdf5_custom_floats.hpp"
#include "support/hdf5_filtered_datasets.hpp"
#include "support/hdf5_links.hpp"
#include "support/hdf5_matrix_writer.hpp"
#include "support/hdf5_unusual_objects.hpp"
#include "support/hdf5_unwritten_datasets.hpp"
#include "support/temporary_directory.hpp"

namespace rankme {
namespace {

using FixtureType = testing::StoredType;

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

// One file holding one of each, written once for the suite.
class Hdf5Dataset : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    directory_ = new testing::TemporaryDirectory("rankme-hdf5-dataset-");
    const std::string f = file();
    testing::Layout chunked;
    chunked.kind = testing::Layout::Kind::chunked;
    chunked.chunk_rows = 4;
    chunked.chunk_cols = 4;
    testing::write_matrix(f, "/float32", std::vector<double>(40, 1.5), 10, 4, {FixtureType::Kind::floating, 4}, chunked);
    testing::write_matrix(f, "/int16be", std::vector<double>(6, 7), 3, 2, {FixtureType::Kind::signed_int, 2, true});
    testing::write_matrix(f, "/float16", std::vector<double>(6, 0.5), 3, 2, {FixtureType::Kind::floating, 2});
    testing::write_matrix(f, "/grp/uint8", std::vector<double>(6, 200), 2, 3, {FixtureType::Kind::unsigned_int, 1});
    testing::write_string_dataset(f, "/strings");
    testing::write_array_of_rank(f, "/three_d", {2, 3, 4});
    testing::write_array_of_rank(f, "/zero_rows", {0, 4});
    testing::write_scalar_dataset(f, "/scalar");
    testing::write_null_dataspace_dataset(f, "/null");
    testing::write_float_type_dataset(f, "/bfloat16", 15, 7, 8, 0, 7, 2, 127);
    testing::write_float_type_dataset(f, "/float24", 23, 16, 7, 0, 16, 3, 63);
    testing::write_float_type_dataset(f, "/float80", 79, 64, 15, 0, 64, 10, 16383);
    testing::write_custom_float_matrix(f, "/bfloat16be", std::vector<double>(6, 1.5), 3, 2,
                                       {15, 7, 8, 0, 7, 2, 127, true});
    // Double holds its significand but not its range: 11 exponent bits with a bias of 0.
    testing::write_float_type_dataset(f, "/float64_bias0", 63, 52, 11, 0, 52, 8, 0);
    testing::write_filtered_matrix(f, "/lzf", std::vector<double>(40, 2), 10, 4, testing::filter_lzf, {}, 5);
    testing::write_matrix_needing_filter(f, "/needs_zstd", 8, 4, testing::filter_zstd);
    testing::write_matrix_needing_filter(f, "/needs_unknown", 8, 4, 32767);
    testing::write_unallocated_dataset(f, "/unallocated", 20, 4);
    testing::write_partially_written_dataset(f, "/partial", 100, 4, 10, 30, false);
    testing::make_soft_link(f, "/dangling", "/nowhere");
    testing::make_external_link(f, "/external", "other.h5", "/x");
  }
  static void TearDownTestSuite() {
    delete directory_;
    directory_ = nullptr;
  }
  static std::string file() { return directory_->file("datasets.h5"); }

  void SetUp() override { file_ = open_file_alone(file()); }

  DatasetDescription describe(const std::string& path) {
    const Hdf5Handle dataset = open_dataset(file_.get(), path);
    return describe_dataset(dataset.get());
  }
  std::string open_failure(const std::string& path) {
    try {
      open_dataset(file_.get(), path);
    } catch (const std::runtime_error& error) {
      return error.what();
    }
    return "";
  }

  SilenceHdf5Errors silence_;
  Hdf5Handle file_;

 private:
  static testing::TemporaryDirectory* directory_;
};

testing::TemporaryDirectory* Hdf5Dataset::directory_ = nullptr;

TEST_F(Hdf5Dataset, AChunkedFloat32MatrixIsScorableAndComplete) {
  const DatasetDescription d = describe("/float32");
  EXPECT_EQ(d.dims, (std::vector<std::uint64_t>{10, 4}));
  ASSERT_TRUE(d.type.has_value());
  EXPECT_EQ(*d.type, (StoredType{StoredType::Kind::floating, 4, false}));
  EXPECT_EQ(d.type_description, "float32");
  EXPECT_EQ(d.shape(), "10x4");
  EXPECT_EQ(d.chunk_dims, (std::vector<std::uint64_t>{4, 4}));
  EXPECT_EQ(d.allocated_chunks, d.expected_chunks);
  EXPECT_EQ(d.expected_chunks, 3u);
  EXPECT_FALSE(d.unsupported_reason().has_value());
  EXPECT_FALSE(d.incompleteness().has_value());
}

TEST_F(Hdf5Dataset, NumericTypesAreNamedAsNumpyDoes) {
  const DatasetDescription big = describe("/int16be");
  ASSERT_TRUE(big.type.has_value());
  EXPECT_EQ(*big.type, (StoredType{StoredType::Kind::signed_int, 2, true}));
  EXPECT_EQ(big.type_description, "int16be");
  EXPECT_TRUE(big.chunk_dims.empty()) << "contiguous";
  EXPECT_EQ(big.storage_bytes, big.needed_bytes);
  EXPECT_EQ(big.needed_bytes, 3u * 2u * 2u);
  const DatasetDescription half = describe("/float16");
  ASSERT_TRUE(half.type.has_value());
  EXPECT_EQ(half.type_description, "float16");
  const DatasetDescription byte = describe("grp/uint8");  // relative to the root
  ASSERT_TRUE(byte.type.has_value());
  EXPECT_EQ(byte.type_description, "uint8");
  EXPECT_FALSE(byte.unsupported_reason().has_value());
}

TEST_F(Hdf5Dataset, UnsupportedDatasetsSayTheirTypeShapeAndWhy) {
  const auto reason = [&](const std::string& path) { return describe(path).unsupported_reason().value_or(""); };
  const std::string strings = reason("/strings");
  EXPECT_TRUE(contains(strings, "string 3x2") && contains(strings, "not numeric")) << strings;
  const std::string three_d = reason("/three_d");
  EXPECT_TRUE(contains(three_d, "float32 2x3x4") && contains(three_d, "3-D")) << three_d;
  EXPECT_TRUE(contains(reason("/zero_rows"), "no rows")) << reason("/zero_rows");
  const DatasetDescription scalar = describe("/scalar");
  EXPECT_EQ(scalar.shape(), "scalar");
  EXPECT_TRUE(contains(scalar.unsupported_reason().value_or(""), "0-D")) << scalar.unsupported_reason().value_or("");
  const DatasetDescription null = describe("/null");
  EXPECT_TRUE(null.null_dataspace);
  EXPECT_EQ(null.shape(), "null");
  EXPECT_TRUE(null.unsupported_reason().has_value());
  // An 80-bit float with x87's fields (written with an implied leading bit): 65 significant bits.
  const DatasetDescription float80 = describe("/float80");
  EXPECT_FALSE(float80.type.has_value());
  const std::string float80_reason = float80.unsupported_reason().value_or("");
  EXPECT_TRUE(contains(float80_reason, "float80") && contains(float80_reason, "65-bit significand is wider than double's 53") &&
              contains(float80_reason, "cannot convert exactly"))
      << float80_reason;
  const DatasetDescription bias0 = describe("/float64_bias0");
  EXPECT_FALSE(bias0.type.has_value());
  EXPECT_TRUE(contains(bias0.type_description, "beyond double's range")) << bias0.type_description;
}

// bfloat16 (as h5py writes torch's) is StoredType::bfloat16 in either byte order; other float layouts a
// double holds exactly get a field-by-field description.
TEST_F(Hdf5Dataset, FloatLayoutsBeyondIeeeAreReadWhenADoubleHoldsThem) {
  const DatasetDescription bfloat16 = describe("/bfloat16");
  ASSERT_TRUE(bfloat16.type.has_value()) << bfloat16.type_description;
  EXPECT_EQ(*bfloat16.type, StoredType::bfloat16(false));
  EXPECT_EQ(bfloat16.type_description, "bfloat16");
  EXPECT_FALSE(bfloat16.unsupported_reason().has_value());
  const DatasetDescription big = describe("/bfloat16be");
  ASSERT_TRUE(big.type.has_value()) << big.type_description;
  EXPECT_EQ(*big.type, StoredType::bfloat16(true));
  const DatasetDescription float24 = describe("/float24");
  ASSERT_TRUE(float24.type.has_value()) << float24.type_description;
  EXPECT_EQ(float24.type_description, "float24_e7m16");
  EXPECT_EQ(*float24.type, StoredType::custom_float(3, false, FloatFields{23, 16, 7, 0, 16, 63, true}));
  EXPECT_FALSE(float24.unsupported_reason().has_value());
}

// A filter this HDF5 can load (lzf from Debian's plugin directory) is nothing to report; one it cannot is
// named with its id, its name and where to get it, before anything is read.
TEST_F(Hdf5Dataset, AFilterWithoutAPluginIsNamedWithWhereToGetIt) {
  const DatasetDescription lzf = describe("/lzf");
  EXPECT_TRUE(lzf.unavailable_filters.empty());
  EXPECT_FALSE(lzf.missing_filter().has_value()) << lzf.missing_filter().value_or("");
  const DatasetDescription zstd = describe("/needs_zstd");
  ASSERT_EQ(zstd.unavailable_filters.size(), 1u);
  EXPECT_EQ(zstd.unavailable_filters[0].id, 32015);
  EXPECT_EQ(zstd.unavailable_filters[0].name, "zstd");
  const std::string zstd_message = zstd.missing_filter().value_or("");
  EXPECT_TRUE(contains(zstd_message, "filter 32015 (zstd)") && contains(zstd_message, "pip install hdf5plugin") &&
              contains(zstd_message, "HDF5_PLUGIN_PATH"))
      << zstd_message;
  EXPECT_FALSE(zstd.unsupported_reason().has_value()) << "its shape and type are fine";
  // An id rankme does not know: the name the file gives it, and where the registry of filters is.
  const DatasetDescription unknown = describe("/needs_unknown");
  const std::string unknown_message = unknown.missing_filter().value_or("");
  EXPECT_TRUE(contains(unknown_message, "filter 32767 (rankme test stand-in)") &&
              contains(unknown_message, "RegisteredFilterPlugins"))
      << unknown_message;
}

TEST_F(Hdf5Dataset, StorageNeverOrPartlyWrittenIsIncomplete) {
  const DatasetDescription never = describe("/unallocated");
  EXPECT_FALSE(never.storage_allocated);
  EXPECT_TRUE(contains(never.incompleteness().value_or(""), "no data was ever written")) << never.incompleteness().value_or("");
  const DatasetDescription partial = describe("/partial");
  EXPECT_EQ(partial.allocated_chunks, 3u);
  EXPECT_EQ(partial.expected_chunks, 10u);
  EXPECT_TRUE(contains(partial.incompleteness().value_or(""), "only 3 of its 10 chunks")) << partial.incompleteness().value_or("");
  EXPECT_FALSE(partial.unsupported_reason().has_value()) << "its shape and type are fine";
}

TEST_F(Hdf5Dataset, WhatIsNotADatasetFailsToOpenWithTheBareReason) {
  EXPECT_EQ(open_failure("/missing"), "no such dataset");
  EXPECT_EQ(open_failure("/grp"), "a group, not a dataset");
  const std::string dangling = open_failure("/dangling");
  EXPECT_TRUE(contains(dangling, "dangling soft link to '/nowhere'")) << dangling;
  const std::string external = open_failure("/external");
  EXPECT_TRUE(contains(external, "external link to 'other.h5:/x'")) << external;
}

TEST_F(Hdf5Dataset, LinkDestinationsAreQuotedForMessages) {
  EXPECT_EQ(link_destination(file_.get(), "/dangling"), "'/nowhere'");
  EXPECT_EQ(link_destination(file_.get(), "/external"), "'other.h5:/x'");
  EXPECT_EQ(link_destination(file_.get(), "/float32"), "") << "a hard link is neither";
  EXPECT_EQ(link_destination(file_.get(), "/missing"), "");
}

TEST_F(Hdf5Dataset, ClassifyTypeTakesIeeeFloatsAndWholeByteIntegersInEitherOrder) {
  std::string description;
  const auto f64be = classify_type(H5T_IEEE_F64BE, description);
  ASSERT_TRUE(f64be.has_value());
  EXPECT_EQ(*f64be, (StoredType{StoredType::Kind::floating, 8, true}));
  EXPECT_EQ(description, "float64be");
  const auto u64 = classify_type(H5T_STD_U64LE, description);
  ASSERT_TRUE(u64.has_value());
  EXPECT_EQ(*u64, (StoredType{StoredType::Kind::unsigned_int, 8, false}));
  EXPECT_EQ(description, "uint64");
  // A 12-bit integer in two bytes is not whole bytes.
  const Hdf5Handle narrow(H5Tcopy(H5T_STD_I16LE), H5Tclose);
  ASSERT_GE(H5Tset_precision(narrow.get(), 12), 0);
  EXPECT_FALSE(classify_type(narrow.get(), description).has_value());
  EXPECT_TRUE(contains(description, "12-bit precision")) << description;
  EXPECT_FALSE(classify_type(H5T_C_S1, description).has_value());
  EXPECT_EQ(description, "string");
}

}  // namespace
}  // namespace rankme
