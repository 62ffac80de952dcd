// Listing torch.save files written by Debian's torch 1.13 (tests/data/torch/make_torch_fixtures.py): every
// entry's name, dtype and shape, and every value read back through its layout (offset and strides, byte by
// byte from the file, or from the inflated member) against the formula the script wrote them with. Then the
// legacy format and damaged archives, each one clear error.
#include "rankme/formats/torch_file.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <stdexcept>
#include <string>
#include <vector>

#include "rankme/formats/inflating_stream.hpp"
#include "rankme/formats/pickled_tensors.hpp"
#include "rankme/formats/torch_pickle.hpp"
#include "support/float16_encoding.hpp"
#include "support/temporary_directory.hpp"

namespace rankme {
namespace {

using Index = std::vector<std::uint64_t>;
using Formula = std::function<double(const Index&)>;

std::string fixture(const std::string& name) { return std::string(RANKME_TORCH_FIXTURES) + "/" + name; }

// The script's values: ((i * 7 + j * 3) % 11) - 5 in 2-D, ((i * 7 + j * 3 + k * 5) % 11) - 5 in 3-D.
double base_value(std::uint64_t i, std::uint64_t j) { return static_cast<double>((i * 7 + j * 3) % 11) - 5; }
Formula base() {
  return [](const Index& at) { return base_value(at[0], at[1]); };
}

double decode(const StoredType& type, const unsigned char* raw) {
  unsigned char bytes[8];
  for (int i = 0; i < type.bytes; ++i) bytes[i] = raw[type.big_endian ? type.bytes - 1 - i : i];
  std::uint64_t bits = 0;
  for (int i = type.bytes; i-- > 0;) bits = (bits << 8) | bytes[i];
  switch (type.kind) {
    case StoredType::Kind::floating:
      if (type.bytes == 2 && type.brain_float) {
        const auto widened = static_cast<std::uint32_t>(bits << 16);
        float value;
        std::memcpy(&value, &widened, 4);
        return value;
      }
      if (type.bytes == 2) return testing::double_from_float16_bits(static_cast<std::uint16_t>(bits));
      if (type.bytes == 4) {
        const auto narrow = static_cast<std::uint32_t>(bits);
        float value;
        std::memcpy(&value, &narrow, 4);
        return value;
      } else {
        double value;
        std::memcpy(&value, &bits, 8);
        return value;
      }
    case StoredType::Kind::signed_int: {
      const int shift = 64 - 8 * type.bytes;
      return static_cast<double>(static_cast<std::int64_t>(bits << shift) >> shift);
    }
    case StoredType::Kind::unsigned_int: return static_cast<double>(bits);
  }
  return 0;
}

// Reads every element of `entry` through its layout and compares it with `expected` at its index.
void expect_values(const std::string& path, const TensorEntry& entry, const Formula& expected) {
  ASSERT_TRUE(entry.type) << entry.name;
  const ArrayLayout& layout = entry.layout;
  ASSERT_EQ(layout.shape, entry.shape);
  const ReadOnlyFile file(path);
  std::vector<unsigned char> stream;  // the inflated member, when deflated
  if (entry.deflated) {
    stream.resize(entry.deflated->inflated_bytes);
    InflatingStream(file, *entry.deflated, path).read(0, stream.size(), stream.data());
  }
  Index at(layout.shape.size(), 0);
  const std::uint64_t count = layout.element_count();
  for (std::uint64_t n = 0; n < count; ++n) {
    std::uint64_t element = 0;
    for (std::size_t axis = 0; axis < at.size(); ++axis) element += at[axis] * layout.strides[axis];
    const std::uint64_t offset = layout.offset + element * static_cast<std::uint64_t>(layout.type.bytes);
    unsigned char raw[8];
    if (entry.deflated) {
      ASSERT_LE(offset + static_cast<std::uint64_t>(layout.type.bytes), stream.size());
      std::memcpy(raw, stream.data() + offset, static_cast<std::size_t>(layout.type.bytes));
    } else {
      file.read_exactly(offset, raw, static_cast<std::size_t>(layout.type.bytes));
    }
    EXPECT_EQ(decode(layout.type, raw), expected(at)) << path << " " << entry.name << " element " << n;
    for (std::size_t axis = at.size(); axis-- > 0;) {  // the next index in C order
      if (++at[axis] < layout.shape[axis]) break;
      at[axis] = 0;
    }
  }
}

std::vector<TensorEntry> listed(const std::string& name) { return list_torch_file(ReadOnlyFile(fixture(name))); }

TEST(TorchFile, ReadsABareTensorOfEveryReadableDtype) {
  struct Case {
    const char* file;
    const char* dtype;
    Index shape;
    double shift;
  };
  for (const Case& c : {Case{"float32.pt", "float32", {5, 4}, 0}, Case{"float16.pt", "float16", {6, 3}, 0},
                        Case{"bfloat16.pt", "bfloat16", {6, 3}, 0}, Case{"float64.pt", "float64", {3, 5}, 0},
                        Case{"int64.pt", "int64", {4, 4}, 0}, Case{"int8.pt", "int8", {7, 2}, 0},
                        Case{"uint8.pt", "uint8", {3, 3}, 5}}) {
    const std::vector<TensorEntry> entries = listed(c.file);
    ASSERT_EQ(entries.size(), 1u) << c.file;
    EXPECT_EQ(entries[0].name, "/") << c.file;
    EXPECT_EQ(entries[0].dtype, c.dtype) << c.file;
    EXPECT_EQ(entries[0].shape, c.shape) << c.file;
    EXPECT_FALSE(entries[0].deflated) << c.file;
    EXPECT_TRUE(entries[0].layout.c_contiguous()) << c.file;
    const double shift = c.shift;
    expect_values(fixture(c.file), entries[0], [shift](const Index& at) { return base_value(at[0], at[1]) + shift; });
  }
}

TEST(TorchFile, NamesTheTensorsOfDictsListsAndTuples) {
  const std::vector<TensorEntry> dict = listed("dict.pt");
  ASSERT_EQ(dict.size(), 2u);
  EXPECT_EQ(dict[0].name, "/a");
  EXPECT_EQ(dict[1].name, "/b");
  EXPECT_EQ(dict[1].dtype, "float64");
  expect_values(fixture("dict.pt"), dict[0], base());
  expect_values(fixture("dict.pt"), dict[1], base());

  const std::vector<TensorEntry> ordered = listed("ordered_dict.pt");
  ASSERT_EQ(ordered.size(), 2u);
  EXPECT_EQ(ordered[0].name, "/y");  // insertion order, not sorted
  EXPECT_EQ(ordered[1].name, "/x");
  EXPECT_EQ(ordered[1].shape, (Index{4, 2}));
  expect_values(fixture("ordered_dict.pt"), ordered[1], base());

  // {"feats": [t0, t1], 7: (t2,), "epoch": 3, "name": "run", "none": None}: the other values are not tensors.
  const std::vector<TensorEntry> nested = listed("nested.pt");
  ASSERT_EQ(nested.size(), 3u);
  EXPECT_EQ(nested[0].name, "/feats/0");
  EXPECT_EQ(nested[1].name, "/feats/1");
  EXPECT_EQ(nested[2].name, "/7/0");
  EXPECT_EQ(nested[0].shape, (Index{3, 2}));
  EXPECT_EQ(nested[1].shape, (Index{2, 2}));
  EXPECT_EQ(nested[2].shape, (Index{1, 3}));
  for (const TensorEntry& entry : nested) expect_values(fixture("nested.pt"), entry, base());
}

TEST(TorchFile, ReadsViewsThroughTheirOffsetAndStrides) {
  // base(4, 6).t(): shape (6, 4), strides (1, 6).
  const std::vector<TensorEntry> transposed = listed("transposed.pt");
  ASSERT_EQ(transposed.size(), 1u);
  EXPECT_EQ(transposed[0].shape, (Index{6, 4}));
  EXPECT_EQ(transposed[0].layout.strides, (Index{1, 6}));
  EXPECT_FALSE(transposed[0].layout.c_contiguous());
  expect_values(fixture("transposed.pt"), transposed[0], [](const Index& at) { return base_value(at[1], at[0]); });

  // base(8, 4)[3:]: storage offset 12 elements.
  const std::vector<TensorEntry> slice = listed("slice.pt");
  ASSERT_EQ(slice.size(), 1u);
  EXPECT_EQ(slice[0].shape, (Index{5, 4}));
  expect_values(fixture("slice.pt"), slice[0], [](const Index& at) { return base_value(at[0] + 3, at[1]); });

  // {"full": base(6, 5), "tail": full[2:], "column": full[:, 1]}: one storage.
  const std::vector<TensorEntry> shared = listed("shared.pt");
  ASSERT_EQ(shared.size(), 3u);
  EXPECT_EQ(shared[2].name, "/column");
  EXPECT_EQ(shared[2].shape, (Index{6}));
  EXPECT_EQ(shared[2].layout.strides, (Index{5}));
  EXPECT_EQ(shared[1].layout.offset, shared[0].layout.offset + 2 * 5 * 4);
  EXPECT_EQ(shared[2].layout.offset, shared[0].layout.offset + 4);
  expect_values(fixture("shared.pt"), shared[0], base());
  expect_values(fixture("shared.pt"), shared[1], [](const Index& at) { return base_value(at[0] + 2, at[1]); });
  expect_values(fixture("shared.pt"), shared[2], [](const Index& at) { return base_value(at[0], 1); });

  const std::vector<TensorEntry> three_d = listed("three_d.pt");
  ASSERT_EQ(three_d.size(), 1u);
  EXPECT_EQ(three_d[0].shape, (Index{3, 4, 5}));
  expect_values(fixture("three_d.pt"), three_d[0], [](const Index& at) {
    return static_cast<double>((at[0] * 7 + at[1] * 3 + at[2] * 5) % 11) - 5;
  });
}

TEST(TorchFile, ReadsAStateDictAndAParameter) {
  // {"model": Linear(4, 3).state_dict() (an OrderedDict with _metadata), "param": the weight Parameter}.
  const std::vector<TensorEntry> entries = listed("state_dict.pt");
  ASSERT_EQ(entries.size(), 3u);
  EXPECT_EQ(entries[0].name, "/model/weight");
  EXPECT_EQ(entries[1].name, "/model/bias");
  EXPECT_EQ(entries[2].name, "/param");
  EXPECT_EQ(entries[1].shape, (Index{3}));
  expect_values(fixture("state_dict.pt"), entries[0], base());
  expect_values(fixture("state_dict.pt"), entries[1], [](const Index& at) { return base_value(0, at[0]); });
  expect_values(fixture("state_dict.pt"), entries[2], base());
  EXPECT_EQ(entries[2].layout.offset, entries[0].layout.offset);  // the Parameter is the state_dict's weight
}

TEST(TorchFile, ReadsAFileSavedWithPickleProtocolFour) {
  // FRAME, MEMOIZE, SHORT_BINUNICODE and STACK_GLOBAL instead of protocol 2's opcodes.
  const std::vector<TensorEntry> entries = listed("protocol4.pt");
  ASSERT_EQ(entries.size(), 2u);
  EXPECT_EQ(entries[0].name, "/emb");
  EXPECT_EQ(entries[0].shape, (Index{4, 3}));
  EXPECT_EQ(entries[1].name, "/ids/0");
  EXPECT_EQ(entries[1].dtype, "int64");
  for (const TensorEntry& entry : entries) expect_values(fixture("protocol4.pt"), entry, base());
}

TEST(TorchFile, ListsAnUnreadableDtypeWithoutAType) {
  const std::vector<TensorEntry> entries = listed("bool.pt");
  ASSERT_EQ(entries.size(), 1u);
  EXPECT_FALSE(entries[0].type);
  EXPECT_EQ(entries[0].dtype, "bool");
  EXPECT_EQ(entries[0].shape, (Index{3, 4}));
}

TEST(TorchFile, ReadsBigEndianStoragesAndDeflatedMembers) {
  const std::vector<TensorEntry> big = listed("big_endian.pt");
  ASSERT_EQ(big.size(), 1u);
  ASSERT_TRUE(big[0].type);
  EXPECT_TRUE(big[0].type->big_endian);
  EXPECT_EQ(big[0].dtype, "float32");
  expect_values(fixture("big_endian.pt"), big[0], base());

  // dict.pt re-zipped with deflate: the layouts are relative to the inflated storage members.
  const std::vector<TensorEntry> deflated = listed("deflated.pt");
  ASSERT_EQ(deflated.size(), 2u);
  for (const TensorEntry& entry : deflated) {
    ASSERT_TRUE(entry.deflated) << entry.name;
    EXPECT_EQ(entry.layout.offset, 0u);
    expect_values(fixture("deflated.pt"), entry, base());
  }
}

std::string error_listing(const std::string& path) {
  try {
    list_torch_file(ReadOnlyFile(path));
  } catch (const std::runtime_error& error) {
    return error.what();
  }
  ADD_FAILURE() << path << " was listed";
  return "";
}

TEST(TorchFile, RefusesTheLegacyFormatWithWhatToDo) {
  const std::string message = error_listing(fixture("legacy.pt"));
  EXPECT_NE(message.find("legacy torch.save format (before torch 1.6)"), std::string::npos) << message;
  EXPECT_NE(message.find("torch.save(torch.load(f), f)"), std::string::npos) << message;
  EXPECT_NE(message.find("legacy.pt"), std::string::npos) << message;

  std::ifstream legacy(fixture("legacy.pt"), std::ios::binary);
  std::string first(32, '\0');
  legacy.read(first.data(), 32);
  EXPECT_TRUE(looks_like_legacy_torch(first));
  EXPECT_FALSE(looks_like_legacy_torch(first.substr(0, 10)));
  // Protocol 4 with a FRAME before the magic number.
  EXPECT_TRUE(looks_like_legacy_torch(std::string("\x80\x04\x95", 3) + std::string(8, '\0') + first.substr(2)));
  EXPECT_FALSE(looks_like_legacy_torch("PK\x03\x04"));
  EXPECT_FALSE(looks_like_legacy_torch(std::string("\x80\x02\x8a\x0a", 4) + std::string(10, '\0')));
}

std::string file_bytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

void write_bytes(const std::string& path, const std::string& bytes) { std::ofstream(path, std::ios::binary) << bytes; }

// Replaces the first occurrence of `from` in `bytes` with `to` (same length).
std::string patched(std::string bytes, const std::string& from, const std::string& to) {
  const std::size_t at = bytes.find(from);
  EXPECT_NE(at, std::string::npos) << from;
  EXPECT_EQ(from.size(), to.size());
  if (at != std::string::npos) bytes.replace(at, from.size(), to);
  return bytes;
}

TEST(TorchFile, RefusesDamagedArchivesWithOneClearError) {
  testing::TemporaryDirectory directory;
  const std::string original = file_bytes(fixture("float32.pt"));

  // A member renamed away from data.pkl (same length, so the zip stays valid).
  const std::string no_pickle = directory.file("no_pickle.pt");
  write_bytes(no_pickle, patched(patched(original, "float32/data.pkl", "float32/data.pkx"), "float32/data.pkl",
                                 "float32/data.pkx"));
  EXPECT_NE(error_listing(no_pickle).find("without '<folder>/data.pkl'"), std::string::npos)
      << error_listing(no_pickle);

  // The storage member renamed: the tensor's storage is missing.
  const std::string no_storage = directory.file("no_storage.pt");
  write_bytes(no_storage, patched(patched(original, "float32/data/0", "float32/data/9"), "float32/data/0",
                                  "float32/data/9"));
  EXPECT_NE(error_listing(no_storage).find("has no member 'float32/data/0'"), std::string::npos)
      << error_listing(no_storage);

  // The pickle names os.system instead of torch FloatStorage (same length: "torch\nFloatStorage" -> ...).
  const std::string hostile = directory.file("hostile.pt");
  write_bytes(hostile, patched(original, "ctorch\nFloatStorage\n", "cos\nsystem\n" + std::string(9, 'N')));
  const std::string message = error_listing(hostile);
  // The zip's CRC does not cover what rankme checks for stored members, so the pickle itself is what refuses.
  EXPECT_NE(message.find("refuses global 'os.system'"), std::string::npos) << message;
  EXPECT_NE(message.find("float32/data.pkl"), std::string::npos) << message;

  // A storage that declares more elements than its member holds (numel 20 -> 99: K 0x14 -> K 0x63).
  const std::string short_storage = directory.file("short_storage.pt");
  write_bytes(short_storage, patched(original, std::string("cpuq\x04K\x14"), std::string("cpuq\x04K\x63")));
  EXPECT_NE(error_listing(short_storage).find("has only 80 bytes"), std::string::npos) << error_listing(short_storage);

  // Truncated anywhere: an error, never a crash.
  for (std::size_t length = 0; length < original.size(); length += 7) {
    const std::string truncated = directory.file("truncated.pt");
    write_bytes(truncated, original.substr(0, length));
    EXPECT_THROW(list_torch_file(ReadOnlyFile(truncated)), std::runtime_error) << length;
  }
}

// The fuzz target's seeds (tests/fuzz/corpus_torch: valid pickles and files, which must be read) and the
// inputs it found to fail (tests/fuzz/regressions_torch: each must now end in entries or a runtime_error).
std::vector<std::filesystem::path> files_in(const std::filesystem::path& directory) {
  std::vector<std::filesystem::path> files;
  if (!std::filesystem::is_directory(directory)) return files;
  for (const auto& entry : std::filesystem::directory_iterator(directory)) files.push_back(entry.path());
  std::sort(files.begin(), files.end());
  return files;
}

void read_as_the_fuzzer_does(const std::filesystem::path& path) {
  const std::string bytes = file_bytes(path.string());
  if (bytes.size() >= 2 && bytes[0] == 'P' && bytes[1] == 'K') {
    list_torch_file(ReadOnlyFile(path.string()));
  } else {
    pickled_tensors(unpickle_torch_pickle(bytes).root());
  }
}

TEST(TorchFile, ReadsEveryFuzzSeedAndEndsEveryFuzzRegressionInAnError) {
  const std::vector<std::filesystem::path> seeds = files_in(RANKME_TORCH_FUZZ_CORPUS);
  EXPECT_GE(seeds.size(), 20u);
  for (const auto& seed : seeds) EXPECT_NO_THROW(read_as_the_fuzzer_does(seed)) << seed;
  for (const auto& regression : files_in(RANKME_TORCH_FUZZ_REGRESSIONS)) {
    try {
      read_as_the_fuzzer_does(regression);
    } catch (const std::runtime_error&) {
    }
  }
}

}  // namespace
}  // namespace rankme
