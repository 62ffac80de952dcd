// The fuzz target's path (tests/fuzz/open_and_read_dataset.hpp: discovery, validation, block reads,
// decoding, the Gram) in the normal suite, with the ordinary compiler and no sanitizer: over the seed
// corpus, where each file must list and score exactly what it was written to hold, and over every input
// the fuzzer found to crash, hang or leak (tests/fuzz/regressions/), each of which must now end in error
// results or scores, on every rank alike. At 1 and 2 ranks: the second rank takes part in every
// collective with a shard of its own, the case where a bad file could leave one rank waiting.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "fuzz/open_and_read_dataset.hpp"
#include "rankme/io/hdf5_error.hpp"
#include "rankme/parallel/communicator.hpp"

namespace rankme::fuzz {
namespace {

std::vector<std::filesystem::path> files_in(const std::filesystem::path& directory) {
  std::vector<std::filesystem::path> files;
  for (const auto& entry : std::filesystem::directory_iterator(directory)) {
    if (entry.is_regular_file() && entry.path().extension() == ".h5") files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());  // the same order on every rank: the calls are collective
  return files;
}

// Discovery runs in a child process by default (crash_isolation.hpp), where a crash inside HDF5 becomes an
// error target whatever rankme's own checks do. The seeds and the regressions are run in this process, as
// the fuzzer ran them, so that each regression really exercises the check that fixed it.
class DiscoveryInThisProcess {
 public:
  DiscoveryInThisProcess() { setenv("RANKME_ISOLATE_DISCOVERY", "0", 1); }
  ~DiscoveryInThisProcess() { unsetenv("RANKME_ISOLATE_DISCOVERY"); }
  DiscoveryInThisProcess(const DiscoveryInThisProcess&) = delete;
  DiscoveryInThisProcess& operator=(const DiscoveryInThisProcess&) = delete;
};

// Every target discovery listed is accounted for exactly once, and no HDF5 handle outlived the call.
void expect_accounted_for(const FileReadOutcome& outcome, const std::string& file) {
  EXPECT_GE(outcome.targets, 1u) << file << ": discovery always reports something, if only an error";
  EXPECT_EQ(outcome.targets, outcome.listing_errors + outcome.too_wide + outcome.scored + outcome.scoring_errors) << file;
  EXPECT_EQ(outcome.hdf5_objects_left_open, 0u) << file;
}

struct SeedExpectation {
  std::size_t scored;          // ok or nonfinite
  std::size_t listing_errors;  // rejected by discovery (incomplete)
};

// What scripts/make_fuzz_corpus.py wrote into each seed.
const std::map<std::string, SeedExpectation> seed_expectations = {
    {"big_endian_column_chunks_fletcher32.h5", {2, 0}},
    {"float16_compact.h5", {1, 0}},
    {"float32_contiguous.h5", {1, 0}},
    {"float64_chunked_gzip_shuffle.h5", {1, 0}},
    {"group_tree_links.h5", {2, 0}},  // /final is /runs/lr=0.1 (hard link): one of its datasets, listed once
    {"incomplete_chunks.h5", {0, 2}},
    {"integers.h5", {4, 0}},
    {"latest_format_dense_group.h5", {10, 0}},
    {"nonfinite_and_zero.h5", {2, 0}},  // the NaN run is `nonfinite`, the zeros score 0
    {"skipped_kinds.h5", {1, 0}},       // only /embeddings: the others are skipped with notes, not listed
};

TEST(FuzzSeedCorpus, EverySeedListsAndScoresWhatItHolds) {
  const SilenceHdf5Errors silence;
  const DiscoveryInThisProcess in_process;
  const Communicator world = Communicator::world();
  const auto seeds = files_in(RANKME_FUZZ_CORPUS);
  ASSERT_EQ(seeds.size(), seed_expectations.size()) << "scripts/make_fuzz_corpus.py and this table disagree";
  for (const auto& seed : seeds) {
    const std::string name = seed.filename().string();
    const FileReadOutcome outcome = open_and_read_every_dataset(world, seed.string());
    expect_accounted_for(outcome, name);
    const auto expected = seed_expectations.find(name);
    ASSERT_NE(expected, seed_expectations.end()) << name << " is not in the table";
    EXPECT_EQ(outcome.scored, expected->second.scored) << name;
    EXPECT_EQ(outcome.listing_errors, expected->second.listing_errors) << name;
    EXPECT_EQ(outcome.scoring_errors, 0u) << name;
    EXPECT_EQ(outcome.too_wide, 0u) << name;
  }
}

// Regressions where HDF5 1.10.8 itself reads past a buffer while opening the dataset: a release build
// survives them with an error, AddressSanitizer (the asan preset) stops at the over-read inside HDF5. They
// run with discovery in its child process, as the tool runs them, where that stop costs the input only.
const std::set<std::string> hdf5_over_reads = {"dataset_header_message_over_read_a.h5",
                                               "dataset_header_message_over_read_b.h5"};

TEST(FuzzRegressions, EveryInputTheFuzzerFoundEndsInResults) {
  const SilenceHdf5Errors silence;
  const Communicator world = Communicator::world();
  const auto inputs = files_in(RANKME_FUZZ_REGRESSIONS);
  ASSERT_FALSE(inputs.empty()) << "no .h5 file in " << RANKME_FUZZ_REGRESSIONS;
  for (const auto& input : inputs) {
    const std::string name = input.filename().string();
    SCOPED_TRACE(name);
    std::optional<DiscoveryInThisProcess> in_process;
    if (!hdf5_over_reads.count(name)) in_process.emplace();
    expect_accounted_for(open_and_read_every_dataset(world, input.string()), name);
  }
}

// Inputs that crash HDF5 1.10.8 itself in calls rankme cannot avoid (tests/fuzz/hdf5_crashes/README.md):
// with discovery in its child process, as the tool runs it, they end in error targets all the same.
TEST(FuzzHdf5Crashes, IsolatedDiscoveryTurnsEachIntoResults) {
  const SilenceHdf5Errors silence;
  const Communicator world = Communicator::world();
  for (const auto& input : files_in(RANKME_FUZZ_HDF5_CRASHES)) {
    SCOPED_TRACE(input.filename().string());
    expect_accounted_for(open_and_read_every_dataset(world, input.string()), input.filename().string());
  }
}

}  // namespace
}  // namespace rankme::fuzz
