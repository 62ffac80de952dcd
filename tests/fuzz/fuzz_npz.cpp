// libFuzzer target: each input is the bytes of a .npz file, written to a file in /dev/shm (the readers
// open files by path and read by pread) and then listed and read whole through read_every_npz_array
// (read_tensor_file.hpp): headers, the zip directory, member headers, inflating and the row source's reads.
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "fuzz/read_tensor_file.hpp"

namespace {

std::string input_file_path() {
  const char* directory = std::getenv("RANKME_FUZZ_TMPDIR");
  return std::string(directory != nullptr ? directory : "/dev/shm") + "/rankme-fuzz-" + std::to_string(getpid()) + ".npz";
}

void remove_input_file() { std::remove(input_file_path().c_str()); }

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  std::atexit(remove_input_file);
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string path = input_file_path();
  std::FILE* file = std::fopen(path.c_str(), "wb");
  if (file == nullptr) std::abort();  // /dev/shm unavailable: not the input's fault, but stop
  const bool written = std::fwrite(data, 1, size, file) == size;
  if (std::fclose(file) != 0 || !written) std::abort();
  rankme::fuzz::read_every_npz_array(path);
  return 0;
}
