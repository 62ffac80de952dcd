#pragma once
// What the .npy and .npz fuzz targets do with one input file, shared with the regression test that
// replays their findings (test_tensor_fuzz_regressions.cpp): list it, then read every row of every
// readable entry through its row source, block by block, and decode the values. A malformed file may end
// in std::runtime_error anywhere; anything else (a crash, a sanitizer report, a hang, a huge allocation)
// is a bug. Also the input file that the tensor targets (.npy, .npz, .safetensors) write each input to.
#include <cstddef>
#include <cstdint>
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

// The tensor readers open files by path and read by position, so each input is written to a file: one per
// fuzzing process (libFuzzer's -jobs/-workers run several), $RANKME_FUZZ_TMPDIR or /dev/shm, named by the
// process id and `extension` (".npy", ".npz", ".safetensors"), rewritten for every input.
// From LLVMFuzzerInitialize: that file is removed when the process exits.
void remove_input_file_at_exit(const std::string& extension);
// Writes one input's bytes to that file and returns its path; aborts if it cannot (/dev/shm unavailable
// or full: not the input's fault, but stop).
std::string write_input_file(const std::string& extension, const std::uint8_t* data, std::size_t size);

}  // namespace rankme::fuzz
