// The .npy and .npz fuzz targets' path (read_tensor_file.hpp) in the normal suite: each seed must list and
// read exactly what scripts/make_tensor_fuzz_corpus.py wrote into it, and every input the fuzzer found to
// crash or allocate without bound (tests/fuzz/regressions/*.npy, *.npz) must now end in an error or in
// values read, in one process and without a sanitizer report.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "fuzz/read_tensor_file.hpp"

namespace rankme::fuzz {
namespace {

std::vector<std::filesystem::path> files_with(const std::filesystem::path& directory, const std::string& extension) {
  std::vector<std::filesystem::path> files;
  for (const auto& entry : std::filesystem::directory_iterator(directory)) {
    if (entry.is_regular_file() && entry.path().extension() == extension) files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());
  return files;
}

TensorFileOutcome read_every_array(const std::filesystem::path& file) {
  return file.extension() == ".npy" ? read_every_npy_array(file.string()) : read_every_npz_array(file.string());
}

struct SeedExpectation {
  std::size_t entries;
  std::size_t read;
};

const std::map<std::string, SeedExpectation> seed_expectations = {
    {"complex.npy", {1, 0}},             // listed without a type
    {"float16_big_endian.npy", {1, 1}},  {"float32_3d_fortran.npy", {1, 1}}, {"float32_c.npy", {1, 1}},
    {"float64_fortran.npy", {1, 1}},     {"int8_version2.npy", {1, 1}},
    {"structured.npy", {1, 0}},          // listed without a type
    {"uint64_version3.npy", {1, 1}},
    {"zero_d.npy", {1, 0}},              // shape (): not a matrix
    {"deflated.npz", {2, 2}},            {"stored.npz", {2, 2}},
    {"zip64.npz", {1, 1}},               // notes.txt is not an array
};

TEST(TensorFuzzSeeds, EverySeedListsAndReadsWhatItHolds) {
  std::size_t seeds = 0;
  for (const auto& [directory, extension] : {std::pair<std::string, std::string>{RANKME_FUZZ_CORPUS_NPY, ".npy"},
                                             std::pair<std::string, std::string>{RANKME_FUZZ_CORPUS_NPZ, ".npz"}}) {
    for (const auto& seed : files_with(directory, extension)) {
      const std::string name = seed.filename().string();
      const auto expected = seed_expectations.find(name);
      ASSERT_NE(expected, seed_expectations.end()) << name << " is not in the table";
      const TensorFileOutcome outcome = read_every_array(seed);
      EXPECT_FALSE(outcome.listing_failed) << name;
      EXPECT_EQ(outcome.entries, expected->second.entries) << name;
      EXPECT_EQ(outcome.read, expected->second.read) << name;
      EXPECT_EQ(outcome.reading_errors, 0u) << name;
      ++seeds;
    }
  }
  EXPECT_EQ(seeds, seed_expectations.size()) << "scripts/make_tensor_fuzz_corpus.py and this table disagree";
}

TEST(TensorFuzzRegressions, EveryInputTheFuzzerFoundEndsInAnErrorOrValues) {
  std::size_t inputs = 0;
  for (const std::string extension : {".npy", ".npz"}) {
    for (const auto& input : files_with(RANKME_FUZZ_REGRESSIONS, extension)) {
      SCOPED_TRACE(input.filename().string());
      const TensorFileOutcome outcome = read_every_array(input);
      EXPECT_TRUE(outcome.listing_failed || outcome.read + outcome.reading_errors <= outcome.entries);
      ++inputs;
    }
  }
  EXPECT_GE(inputs, 1u);
}

}  // namespace
}  // namespace rankme::fuzz
