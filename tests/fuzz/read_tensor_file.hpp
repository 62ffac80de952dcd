#pragma once
// What the .npy and .npz fuzz targets do with one input file, shared with the regression test that
// replays their findings (test_tensor_fuzz_regressions.cpp): list it, then read every row of every
// readable entry through its row source, block by block, and decode the values. A malformed file may end
// in std::runtime_error anywhere; anything else (a crash, a sanitizer report, a hang, a huge allocation)
// is a bug.
#include <cstddef>
#include <string>

namespace rankme::fuzz {

struct TensorFileOutcome {
  bool listing_failed = false;
  std::size_t entries = 0;
  std::size_t read = 0;          // entries whose every row was read and decoded
  std::size_t reading_errors = 0;
};

TensorFileOutcome read_every_npy_array(const std::string& path);
TensorFileOutcome read_every_npz_array(const std::string& path);

}  // namespace rankme::fuzz
