// Discovery in the tensor formats other than HDF5: the same rules as HDF5 over the arrays' names (scans
// list matrices and note the rest, FILE:PATTERN globs, FILE:DATASET names one), whatever the extension.
#include "rankme/pipeline/tensor_file_discovery.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>

#include "rankme/pipeline/dataset_discovery.hpp"
#include "rankme/pipeline/input_expansion.hpp"
#include "rankme/pipeline/target_pooling.hpp"
#include "support/safetensors_writer.hpp"
#include "support/temporary_directory.hpp"

namespace rankme {
namespace {

using testing::little_endian_bytes;
using testing::SafetensorsTensor;

SafetensorsTensor float32_tensor(const std::string& name, std::uint64_t rows, std::uint64_t cols) {
  return {name, "F32", {rows, cols}, little_endian_bytes(std::vector<float>(rows * cols, 1.5f)), std::nullopt};
}

// A checkpoint-like file: two embedding matrices, a 1-D label vector, a bool mask and a 3-D token array.
std::string write_dump(const testing::TemporaryDirectory& directory, const std::string& name) {
  const std::string path = directory.file(name);
  testing::write_safetensors(path, {float32_tensor("train/emb", 6, 4), float32_tensor("valid/emb", 5, 4),
                                    {"train/labels", "I64", {6}, little_endian_bytes(std::vector<std::int64_t>(6, 1)), std::nullopt},
                                    {"mask", "BOOL", {2, 2}, std::string(4, '\1'), std::nullopt},
                                    {"tokens", "BF16", {2, 3, 4}, std::string(48, '\0'), std::nullopt}});
  return path;
}

std::vector<std::string> datasets_of(const Discovery& discovery) {
  std::vector<std::string> names;
  for (const DatasetTarget& target : discovery.targets) names.push_back(target.dataset + (target.scorable() ? "" : " (error)"));
  return names;
}

bool any_note_contains(const Discovery& discovery, const std::string& text) {
  return std::any_of(discovery.notes.begin(), discovery.notes.end(),
                     [&](const std::string& note) { return note.find(text) != std::string::npos; });
}

TEST(TensorFileDiscovery, AScanListsTheMatricesAndNotesTheRest) {
  testing::TemporaryDirectory directory;
  const std::string path = write_dump(directory, "dump.safetensors");
  Discovery discovery = discover_targets(expand_arguments({path}));
  // The 3-D array is listed with its shape, for --pool to decide; without it, it is skipped with a note.
  const auto tokens = std::find_if(discovery.targets.begin(), discovery.targets.end(),
                                   [](const DatasetTarget& target) { return target.dataset == "/tokens"; });
  ASSERT_NE(tokens, discovery.targets.end());
  EXPECT_EQ(tokens->shape, (std::vector<std::uint64_t>{2, 3, 4}));
  EXPECT_TRUE(tokens->error.empty()) << tokens->error;
  EXPECT_TRUE(tokens->awaits_pooling());
  pool_targets(discovery, PoolMode::none);
  EXPECT_EQ(datasets_of(discovery), (std::vector<std::string>{"/train/emb", "/valid/emb"}));
  const DatasetTarget& train = discovery.targets[0];
  EXPECT_EQ(train.format, "safetensors");
  EXPECT_EQ(train.rows, 6u);
  EXPECT_EQ(train.cols, 4u);
  EXPECT_EQ(train.dtype, "float32");
  EXPECT_GT(train.file_size, 0u);
  EXPECT_FALSE(train.canonical_file.empty());
  EXPECT_TRUE(any_note_contains(discovery, "'/train/labels'"));
  EXPECT_TRUE(any_note_contains(discovery, "1-D"));
  EXPECT_TRUE(any_note_contains(discovery, "'/mask'"));
  EXPECT_TRUE(any_note_contains(discovery, "'/tokens'"));
  EXPECT_TRUE(any_note_contains(discovery, "--pool"));
}

TEST(TensorFileDiscovery, PatternsGlobOverTheArrayNames) {
  testing::TemporaryDirectory directory;
  const std::string path = write_dump(directory, "dump.safetensors");
  EXPECT_EQ(datasets_of(discover_targets(expand_arguments({path + ":/*/emb"}))),
            (std::vector<std::string>{"/train/emb", "/valid/emb"}));
  EXPECT_EQ(datasets_of(discover_targets(expand_arguments({path + ":/train/*"}))), (std::vector<std::string>{"/train/emb"}));
  const Discovery none = discover_targets(expand_arguments({path + ":/test/*"}));
  ASSERT_EQ(none.targets.size(), 1u);
  EXPECT_NE(none.targets[0].error.find("matches no array"), std::string::npos) << none.targets[0].error;
  const Discovery labels_only = discover_targets(expand_arguments({path + ":/*/labels"}));
  ASSERT_EQ(labels_only.targets.size(), 1u);
  EXPECT_NE(labels_only.targets[0].error.find("no 2-D numeric array"), std::string::npos) << labels_only.targets[0].error;
}

TEST(TensorFileDiscovery, ANamedArrayIsScoredOrIsAnErrorSayingWhy) {
  testing::TemporaryDirectory directory;
  const std::string path = write_dump(directory, "dump.safetensors");
  const Discovery named = discover_targets(expand_arguments({path + ":/valid/emb"}));
  ASSERT_EQ(named.targets.size(), 1u);
  EXPECT_TRUE(named.targets[0].scorable()) << named.targets[0].error;
  EXPECT_TRUE(named.targets[0].named_explicitly);
  // Without the leading '/', as for HDF5.
  EXPECT_EQ(datasets_of(discover_targets(expand_arguments({path + ":valid/emb"}))), (std::vector<std::string>{"/valid/emb"}));
  const Discovery mask = discover_targets(expand_arguments({path + ":/mask"}));
  ASSERT_EQ(mask.targets.size(), 1u);
  EXPECT_NE(mask.targets[0].error.find("not numeric"), std::string::npos) << mask.targets[0].error;
  const Discovery missing = discover_targets(expand_arguments({path + ":/test/emb"}));
  ASSERT_EQ(missing.targets.size(), 1u);
  const std::string& error = missing.targets[0].error;
  EXPECT_NE(error.find("no such safetensors array"), std::string::npos) << error;
  EXPECT_NE(error.find("/train/emb"), std::string::npos) << error;  // says what the file holds
}

TEST(TensorFileDiscovery, TheFormatComesFromTheBytesAndTheSameArrayIsListedOnce) {
  testing::TemporaryDirectory directory;
  const std::string path = write_dump(directory, "looks_like.h5");
  std::filesystem::create_hard_link(path, directory.file("again.safetensors"));
  Discovery discovery = discover_targets(expand_arguments({directory.path().string()}));
  pool_targets(discovery, PoolMode::none);
  // Both names reach the same bytes: each array once, under the first name by path.
  EXPECT_EQ(datasets_of(discovery), (std::vector<std::string>{"/train/emb", "/valid/emb"}));
  for (const DatasetTarget& target : discovery.targets) EXPECT_EQ(target.file, directory.file("again.safetensors"));
  EXPECT_TRUE(any_note_contains(discovery, "the same dataset"));
}

TEST(TensorFileDiscovery, AMalformedFileIsOneErrorNamingIt) {
  testing::TemporaryDirectory directory;
  const std::string path = directory.file("broken.safetensors");
  testing::write_safetensors_parts(path, 40, "{\"x\": {\"dtype\": \"F32\", \"shape\": [2, 2], \"data_offsets\": [0, 99]}}", std::string(16, '\0'));
  const Discovery discovery = discover_targets(expand_arguments({path}));
  ASSERT_EQ(discovery.targets.size(), 1u);
  EXPECT_FALSE(discovery.targets[0].scorable());
  EXPECT_NE(discovery.targets[0].error.find(path), std::string::npos) << discovery.targets[0].error;
  const std::string legacy = directory.file("legacy.pt");
  std::ofstream(legacy, std::ios::binary) << std::string("\x80\x02\x8a\x0a\x6c\xfc\x9c\x46\xf9\x20\x6a\xa8\x50\x19\x2e", 15);
  const Discovery old = discover_targets(expand_arguments({legacy}));
  ASSERT_EQ(old.targets.size(), 1u);
  EXPECT_NE(old.targets[0].error.find("legacy"), std::string::npos) << old.targets[0].error;
  EXPECT_NE(old.targets[0].error.find("re-save"), std::string::npos) << old.targets[0].error;
  const std::string text = directory.file("notes.npy");
  std::ofstream(text) << "not an array";
  const Discovery unknown = discover_targets(expand_arguments({text}));
  ASSERT_EQ(unknown.targets.size(), 1u);
  EXPECT_NE(unknown.targets[0].error.find("nor is it .npy"), std::string::npos) << unknown.targets[0].error;
}

}  // namespace
}  // namespace rankme
