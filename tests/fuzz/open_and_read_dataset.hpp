#pragma once
// The path a hostile or damaged HDF5 file takes through rankme, as one call: open the file and list its
// datasets as a whole-file scan does (dataset_discovery.hpp), then score every scorable one as the tool
// does (dataset_score.hpp: open on all ranks, validate again, read every row in blocks through the
// reader and prefetcher, accumulate the Gram, eigensolve). Shared by the libFuzzer target and by
// tests/test_fuzz_regressions.cpp, which runs it over the seed corpus and every input the fuzzer found.
#include <cstddef>
#include <cstdint>
#include <string>

#include "rankme/parallel/communicator.hpp"

namespace rankme::fuzz {

// Bounds on the work one input may cause, so that a mutated header declaring 2^40 rows cannot make the
// fuzzer time out or run out of memory for a reason that is not a bug. Rows beyond the limit are cut by
// rankme's own --rows selection (the tool reads no more); a dataset wider than the limit is skipped
// before scoring (its K x K Gram is the one allocation that grows without bound).
constexpr std::uint64_t max_rows_read = 2048;
constexpr std::uint64_t max_cols_scored = 256;
constexpr std::uint64_t rows_per_block = 32;  // several blocks per dataset: the prefetcher's hand-over runs

struct FileReadOutcome {
  std::size_t targets = 0;        // what discovery listed (error targets included)
  std::size_t listing_errors = 0; // targets discovery already rejected (unopenable, incomplete, ...)
  std::size_t too_wide = 0;       // scorable but skipped for max_cols_scored
  std::size_t scored = 0;         // score_dataset returned ok or nonfinite
  std::size_t scoring_errors = 0; // score_dataset returned error
  // HDF5 files, groups, datasets, datatypes and attributes still open afterwards: every handle rankme
  // opens is an Hdf5Handle, so anything left is a handle that escaped (or a close HDF5 refused).
  std::size_t hdf5_objects_left_open = 0;
};

// Collective over `comm` (the fuzzer and the tests pass a one-rank communicator). Never throws for a
// problem with the file: rankme must turn every such problem into an error result.
FileReadOutcome open_and_read_every_dataset(const Communicator& comm, const std::string& path);

}  // namespace rankme::fuzz
