// libFuzzer target: each input is the bytes of a .npy file, written to a file in /dev/shm (the readers
// open files by path and read by pread) and then listed and read whole through read_every_npy_array
// (read_tensor_file.hpp): headers, the dict parser and the row source's reads.
#include <cstddef>
#include <cstdint>

#include "fuzz/read_tensor_file.hpp"

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  rankme::fuzz::remove_input_file_at_exit(".npy");
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  rankme::fuzz::read_every_npy_array(rankme::fuzz::write_input_file(".npy", data, size));
  return 0;
}
