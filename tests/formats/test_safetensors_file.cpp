#include "rankme/formats/safetensors_file.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <filesystem>
#include <stdexcept>
#include <string>
#include <vector>

#include "rankme/numerics/stored_type.hpp"
#include "support/float16_encoding.hpp"
#include "support/safetensors_writer.hpp"
#include "support/temporary_directory.hpp"

namespace rankme {
namespace {

using testing::SafetensorsTensor;
using testing::little_endian_bytes;

// The values an entry's layout points at, widened as the pipeline will widen them.
std::vector<double> values_at_layout(const ReadOnlyFile& file, const TensorEntry& entry) {
  const std::uint64_t count = entry.layout.element_count();
  std::string raw(count * static_cast<std::uint64_t>(entry.type->bytes), '\0');
  file.read_exactly(entry.layout.offset, raw.data(), raw.size());
  std::vector<double> values(count);
  widen_to_double(*entry.type, raw.data(), count, values.data());
  return values;
}

TEST(SafetensorsFile, ListsEveryTensorSortedByNameWithItsLayout) {
  testing::TemporaryDirectory directory;
  const std::string path = directory.file("hidden.safetensors");
  const std::vector<SafetensorsTensor> tensors = {
      {"model.layers.1/hidden", "F32", {2, 3}, little_endian_bytes<float>({1, 2, 3, 4, 5, 6}), {}},
      {"a", "F64", {4}, little_endian_bytes<double>({-1, 0.5, 1e300, -0.0}), {}},
      {"tokens", "I64", {2, 2, 2}, little_endian_bytes<std::int64_t>({1, -2, 3, -4, 5, -6, 7, -8}), {}},
      {"mask", "BOOL", {3}, std::string("\1\0\1", 3), {}},
  };
  testing::write_safetensors(path, tensors, {{"format", "pt"}});
  const ReadOnlyFile file(path);
  const std::vector<TensorEntry> entries = list_safetensors_file(file);
  ASSERT_EQ(entries.size(), 4u);  // "__metadata__" is not a tensor
  EXPECT_EQ(entries[0].name, "/a");
  EXPECT_EQ(entries[1].name, "/mask");
  EXPECT_EQ(entries[2].name, "/model.layers.1/hidden");
  EXPECT_EQ(entries[3].name, "/tokens");

  const std::uint64_t data_start = 8 + testing::safetensors_header(tensors, {{"format", "pt"}}).size();
  const TensorEntry& hidden = entries[2];
  ASSERT_TRUE(hidden.type.has_value());
  EXPECT_EQ(hidden.dtype, "float32");
  EXPECT_EQ(hidden.shape, (std::vector<std::uint64_t>{2, 3}));
  EXPECT_EQ(hidden.layout.offset, data_start);  // written first
  EXPECT_TRUE(hidden.layout.c_contiguous());
  EXPECT_EQ(values_at_layout(file, hidden), (std::vector<double>{1, 2, 3, 4, 5, 6}));

  EXPECT_EQ(entries[0].layout.offset, data_start + 24);
  EXPECT_EQ(values_at_layout(file, entries[0]), (std::vector<double>{-1, 0.5, 1e300, -0.0}));
  EXPECT_EQ(entries[3].dtype, "int64");
  EXPECT_EQ(entries[3].layout.strides, (std::vector<std::uint64_t>{4, 2, 1}));
  EXPECT_EQ(values_at_layout(file, entries[3]), (std::vector<double>{1, -2, 3, -4, 5, -6, 7, -8}));

  EXPECT_FALSE(entries[1].type.has_value());
  EXPECT_EQ(entries[1].dtype, "BOOL");
  EXPECT_EQ(entries[1].shape, (std::vector<std::uint64_t>{3}));
}

struct DtypeCase {
  std::string dtype;
  std::string bytes;
  std::vector<double> expected;
  std::string rankme_name;
};

TEST(SafetensorsFile, WidensEveryDtypeExactly) {
  std::string half;
  for (double value : {1.0, -2.5, 65504.0, std::ldexp(1.0, -24), 0.099975586}) {
    half += little_endian_bytes<std::uint16_t>({testing::float16_bits_from_double(value)});
  }
  // bfloat16 bit patterns whose values are known by hand: 1.5, -3.25, 65536, the largest finite
  // ((2 - 2^-7) * 2^127) and the smallest subnormal (2^-133).
  const std::string brain = little_endian_bytes<std::uint16_t>({0x3FC0, 0xC050, 0x4780, 0x7F7F, 0x0001});
  const std::vector<DtypeCase> cases = {
      {"F64", little_endian_bytes<double>({1.0 / 3, -1e-300, 5}), {1.0 / 3, -1e-300, 5}, "float64"},
      {"F32", little_endian_bytes<float>({0.1f, -7.5f, 3e38f}), {double(0.1f), -7.5, double(3e38f)}, "float32"},
      {"F16", half, {1.0, -2.5, 65504.0, std::ldexp(1.0, -24), testing::double_from_float16_bits(testing::float16_bits_from_double(0.099975586))}, "float16"},
      {"BF16", brain, {1.5, -3.25, 65536, (2 - std::ldexp(1.0, -7)) * std::ldexp(1.0, 127), std::ldexp(1.0, -133)}, "bfloat16"},
      {"I8", little_endian_bytes<std::int8_t>({-128, 0, 127}), {-128, 0, 127}, "int8"},
      {"I16", little_endian_bytes<std::int16_t>({-32768, 1, 32767}), {-32768, 1, 32767}, "int16"},
      {"I32", little_endian_bytes<std::int32_t>({-2147483647 - 1, 2, 2147483647}), {-2147483648.0, 2, 2147483647}, "int32"},
      {"I64", little_endian_bytes<std::int64_t>({-(std::int64_t(1) << 53), 3, std::int64_t(1) << 60}), {-std::ldexp(1.0, 53), 3, std::ldexp(1.0, 60)}, "int64"},
      {"U8", little_endian_bytes<std::uint8_t>({0, 1, 255}), {0, 1, 255}, "uint8"},
      {"U16", little_endian_bytes<std::uint16_t>({0, 2, 65535}), {0, 2, 65535}, "uint16"},
      {"U32", little_endian_bytes<std::uint32_t>({0, 3, 4294967295u}), {0, 3, 4294967295.0}, "uint32"},
      {"U64", little_endian_bytes<std::uint64_t>({0, 4, std::uint64_t(1) << 63}), {0, 4, std::ldexp(1.0, 63)}, "uint64"},
  };
  testing::TemporaryDirectory directory;
  for (const DtypeCase& c : cases) {
    SCOPED_TRACE(c.dtype);
    const std::string path = directory.file(c.dtype + ".safetensors");
    // A second tensor in front, so that the offset is not the start of the buffer.
    testing::write_safetensors(path, {{"first", "U8", {3}, "abc", {}}, {"x", c.dtype, {c.expected.size()}, c.bytes, {}}});
    const ReadOnlyFile file(path);
    const std::vector<TensorEntry> entries = list_safetensors_file(file);
    ASSERT_EQ(entries.size(), 2u);
    const TensorEntry& x = entries[1];
    ASSERT_TRUE(x.type.has_value());
    EXPECT_EQ(x.dtype, c.rankme_name);
    EXPECT_FALSE(x.type->big_endian);
    const std::vector<double> values = values_at_layout(file, x);
    ASSERT_EQ(values.size(), c.expected.size());
    for (std::size_t i = 0; i < values.size(); ++i) {
      EXPECT_EQ(values[i], c.expected[i]) << "element " << i;
      EXPECT_EQ(std::signbit(values[i]), std::signbit(c.expected[i])) << "element " << i;
    }
  }
}

TEST(SafetensorsFile, ListsDtypesItDoesNotReadWithTheirOwnNames) {
  testing::TemporaryDirectory directory;
  const std::string path = directory.file("unread.safetensors");
  testing::write_safetensors(path, {{"e4m3", "F8_E4M3", {2}, "ab", {}},
                                    {"e5m2", "F8_E5M2", {2}, "cd", {}},
                                    {"complex", "C64", {1}, std::string(8, '\0'), {}},
                                    {"future", "F4_SOMETHING", {1}, "x", {}}});
  const std::vector<TensorEntry> entries = list_safetensors_file(ReadOnlyFile(path));
  ASSERT_EQ(entries.size(), 4u);
  for (const TensorEntry& entry : entries) EXPECT_FALSE(entry.type.has_value()) << entry.name;
  EXPECT_EQ(entries[0].dtype, "C64");
  EXPECT_EQ(entries[1].dtype, "F8_E4M3");
  EXPECT_EQ(entries[2].dtype, "F8_E5M2");
  EXPECT_EQ(entries[3].dtype, "F4_SOMETHING");
}

TEST(SafetensorsFile, ListsScalarsAndEmptyTensors) {
  testing::TemporaryDirectory directory;
  const std::string path = directory.file("small.safetensors");
  testing::write_safetensors(path, {{"scalar", "F32", {}, little_endian_bytes<float>({2.5f}), {}},
                                    {"empty", "F32", {0, 16}, "", {}},
                                    {"after", "F32", {1}, little_endian_bytes<float>({-1}), {}}});
  const ReadOnlyFile file(path);
  const std::vector<TensorEntry> entries = list_safetensors_file(file);
  ASSERT_EQ(entries.size(), 3u);
  EXPECT_EQ(entries[2].name, "/scalar");
  EXPECT_TRUE(entries[2].shape.empty());
  EXPECT_EQ(values_at_layout(file, entries[2]), (std::vector<double>{2.5}));
  EXPECT_EQ(entries[1].shape, (std::vector<std::uint64_t>{0, 16}));
  EXPECT_EQ(entries[1].layout.element_count(), 0u);
  EXPECT_EQ(values_at_layout(file, entries[0]), (std::vector<double>{-1}));
}

// Hostile headers: each is refused with one message naming the file and what is wrong.
struct HostileCase {
  std::string label;
  std::uint64_t declared_header_bytes;  // 0: the header's real length
  std::string header;
  std::string data;
  std::string expected;                 // a phrase of the message
};

std::string header_of(const std::vector<SafetensorsTensor>& tensors) { return testing::safetensors_header(tensors); }

TEST(SafetensorsFile, RefusesHostileHeadersWithOneClearMessage) {
  const std::string twelve = little_endian_bytes<float>({1, 2, 3});
  const std::string deep = std::string(100000, '[') + std::string(100000, ']');
  const std::vector<HostileCase> cases = {
      {"header longer than the cap", std::uint64_t(1) << 40, "{}", "", "more than the 100000000"},
      {"header length beyond the file", 4096, "{}", "", "only 2 follow it"},
      {"not JSON", 0, "{\"x\": {\"dtype\": \"F32\",", "", "not valid JSON"},
      {"a JSON list", 0, "[1, 2]", "", "a JSON array, not an object"},
      {"deep nesting", 0, "{\"x\": " + deep + "}", "", "deeper than 64"},
      {"a name with a newline and a huge shape value", 0,
       "{\"bad\\nname\": {\"dtype\": \"F32\", \"shape\": [\"" + std::string(5000, '7') + "\"], \"data_offsets\": [0, 12]}}",
       twelve, "tensor \"bad\\nname\": a shape extent is \"7777777"},
      {"a number too long for JSON", 0, "{\"x\": [" + std::string(5000, '7') + "]}", "", "not valid JSON"},
      {"a tensor that is a number", 0, "{\"x\": 5}", "", "tensor \"x\" is a JSON number"},
      {"no data_offsets", 0, "{\"x\": {\"dtype\": \"F32\", \"shape\": [3]}}", twelve, "has no \"data_offsets\""},
      {"negative extent", 0, "{\"x\": {\"dtype\": \"F32\", \"shape\": [-3], \"data_offsets\": [0, 12]}}", twelve,
       "a shape extent is -3"},
      {"fractional offset", 0, "{\"x\": {\"dtype\": \"F32\", \"shape\": [3], \"data_offsets\": [0.5, 12]}}", twelve,
       "begin offset is 0.5"},
      {"offsets past the buffer", 0, header_of({{"x", "F32", {3}, twelve, std::make_pair(0, 1200)}}), twelve,
       "reach past the data buffer of 12 bytes"},
      {"offsets end before they begin", 0, header_of({{"x", "F32", {0}, twelve, std::make_pair(12, 0)}}), twelve,
       "end before they begin"},
      {"shape that does not match the bytes", 0, header_of({{"x", "F32", {4}, twelve, {}}}), twelve,
       "shape (4,) of F32 needs 16 bytes, but its data offsets [0, 12] hold 12"},
      {"huge shape", 0, header_of({{"x", "F32", {std::uint64_t(1) << 40, std::uint64_t(1) << 40}, twelve, {}}}), twelve,
       "overflows 64 bits"},
      {"huge shape of 1-byte elements", 0, header_of({{"x", "U8", {std::uint64_t(1) << 62, 4, 4}, twelve, {}}}), twelve,
       "overflows 64 bits"},
      {"overlapping tensors", 0,
       header_of({{"x", "F32", {2}, std::string(8, '\0'), {}}, {"y", "F32", {2}, std::string(8, '\0'), std::make_pair(4, 12)}}),
       std::string(16, '\0'), "tensors \"x\" [0, 8) and \"y\" [4, 12) overlap"},
  };
  testing::TemporaryDirectory directory;
  int index = 0;
  for (const HostileCase& c : cases) {
    SCOPED_TRACE(c.label);
    const std::string path = directory.file("hostile" + std::to_string(index++) + ".safetensors");
    testing::write_safetensors_parts(path, c.declared_header_bytes == 0 ? c.header.size() : c.declared_header_bytes,
                                     c.header, c.data);
    try {
      list_safetensors_file(ReadOnlyFile(path));
      ADD_FAILURE() << "accepted";
    } catch (const std::runtime_error& error) {
      const std::string message = error.what();
      EXPECT_NE(message.find(path), std::string::npos) << message;
      EXPECT_NE(message.find(c.expected), std::string::npos) << message;
      EXPECT_EQ(message.find('\n'), std::string::npos) << message;
      EXPECT_LT(message.size(), 600u) << message;
    }
  }
}

TEST(SafetensorsFile, RefusesAFileShorterThanTheHeaderLength) {
  testing::TemporaryDirectory directory;
  const std::string path = directory.file("short.safetensors");
  testing::write_safetensors_parts(path, 0, "", "");
  const std::string shorter = directory.file("shorter.safetensors");
  {
    std::FILE* file = std::fopen(shorter.c_str(), "wb");
    std::fwrite("abc", 1, 3, file);
    std::fclose(file);
  }
  EXPECT_THROW(list_safetensors_file(ReadOnlyFile(path)), std::runtime_error);  // "" is not JSON
  try {
    list_safetensors_file(ReadOnlyFile(shorter));
    ADD_FAILURE() << "accepted";
  } catch (const std::runtime_error& error) {
    EXPECT_NE(std::string(error.what()).find("fewer than the 8"), std::string::npos) << error.what();
  }
}

// The fuzz target's seeds (tests/fuzz/corpus_safetensors, written by Python's struct + json, not by the
// test writer) are well-formed: each lists, and every listed value lies inside its file. Inputs the fuzzer
// finds to crash go into the same folder's regressions and are replayed here.
TEST(SafetensorsFile, ListsTheFuzzSeeds) {
  int files = 0;
  for (const auto& seed : std::filesystem::directory_iterator(RANKME_SAFETENSORS_CORPUS)) {
    SCOPED_TRACE(seed.path().string());
    const ReadOnlyFile file(seed.path().string());
    const std::vector<TensorEntry> entries = list_safetensors_file(file);
    EXPECT_FALSE(entries.empty());
    for (const TensorEntry& entry : entries) {
      if (entry.type) {
        EXPECT_LE(entry.layout.end_byte(), file.size()) << entry.name;
      }
    }
    ++files;
  }
  EXPECT_GE(files, 3);
}

}  // namespace
}  // namespace rankme
