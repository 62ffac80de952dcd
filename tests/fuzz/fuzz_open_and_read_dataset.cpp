// libFuzzer target: each input is the bytes of an HDF5 file. They are written to a file in /dev/shm
// (rankme opens files by path, with the POSIX driver for discovery and MPI-IO for reading, so an
// in-memory file image would bypass the code under test) and go through open_and_read_every_dataset:
// discovery, validation, block reads, decoding, the Gram. A crash, a sanitizer report, a hang
// (-timeout) or a runaway allocation (-rss_limit_mb, -malloc_limit_mb) is a bug; an error result is not.
#include <mpi.h>
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "fuzz/open_and_read_dataset.hpp"
#include "rankme/io/hdf5_error.hpp"
#include "rankme/parallel/communicator.hpp"

namespace {

// One file per fuzzing process (libFuzzer's -jobs/-workers run several), rewritten for every input.
std::string input_file_path() {
  const char* directory = std::getenv("RANKME_FUZZ_TMPDIR");
  return std::string(directory != nullptr ? directory : "/dev/shm") + "/rankme-fuzz-" + std::to_string(getpid()) + ".h5";
}

bool write_whole_file(const std::string& path, const std::uint8_t* data, std::size_t size) {
  std::FILE* file = std::fopen(path.c_str(), "wb");
  if (file == nullptr) return false;
  const bool written = std::fwrite(data, 1, size, file) == size;
  return std::fclose(file) == 0 && written;
}

void remove_input_file() { std::remove(input_file_path().c_str()); }

}  // namespace

extern "C" int LLVMFuzzerInitialize(int* argc, char*** argv) {
  // As the tool: SERIALIZED, so that the prefetcher reads on its worker thread (block_prefetcher.hpp).
  int provided = MPI_THREAD_SINGLE;
  MPI_Init_thread(argc, argv, MPI_THREAD_SERIALIZED, &provided);
  // HDF5's error-stack dumps would flood the fuzzer's output; rankme's messages are what matter.
  static const rankme::SilenceHdf5Errors silence;
  // Discovery in this process, not in the child that crash_isolation.hpp forks for it: the sanitizers and
  // the coverage counters only see what runs here, and a crash inside HDF5 is what we are looking for.
  setenv("RANKME_ISOLATE_DISCOVERY", "0", 1);
  std::atexit(remove_input_file);
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string path = input_file_path();
  if (!write_whole_file(path, data, size)) std::abort();  // /dev/shm full: not the input's fault, but stop
  const rankme::Communicator world = rankme::Communicator::world();
  const rankme::fuzz::FileReadOutcome outcome = rankme::fuzz::open_and_read_every_dataset(world, path);
  if (outcome.hdf5_objects_left_open > 0) {
    // A leaked handle keeps its file open for the rest of the process: as much a bug as a leaked block.
    std::fprintf(stderr, "fuzz_open_and_read_dataset: %zu HDF5 objects left open after this input\n",
                 outcome.hdf5_objects_left_open);
    std::abort();
  }
  return 0;
}
