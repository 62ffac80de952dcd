// libFuzzer target: each input is the bytes of a safetensors file. They are written to a file in /dev/shm
// (the reader opens files by path and reads by position) and go through list_safetensors_file, then every
// readable entry's bytes are read from where its layout says and widened, as a row source would. A crash,
// a sanitizer report, a hang or a runaway allocation is a bug; a std::runtime_error is the expected answer
// to a malformed file.
#include <unistd.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <stdexcept>
#include <string>
#include <vector>

#include "rankme/formats/read_only_file.hpp"
#include "rankme/formats/safetensors_file.hpp"
#include "rankme/numerics/stored_type.hpp"

namespace {

std::string input_file_path() {
  const char* directory = std::getenv("RANKME_FUZZ_TMPDIR");
  return std::string(directory != nullptr ? directory : "/dev/shm") + "/rankme-fuzz-" + std::to_string(getpid()) +
         ".safetensors";
}

bool write_whole_file(const std::string& path, const std::uint8_t* data, std::size_t size) {
  std::FILE* file = std::fopen(path.c_str(), "wb");
  if (file == nullptr) return false;
  const bool written = std::fwrite(data, 1, size, file) == size;
  return std::fclose(file) == 0 && written;
}

void remove_input_file() { std::remove(input_file_path().c_str()); }

// Reads an entry's values in blocks of at most 4096 elements (a bounded buffer, as the row sources read),
// which also checks that the layout the reader promised really lies inside the file.
void read_every_value(const rankme::ReadOnlyFile& file, const rankme::TensorEntry& entry) {
  if (!entry.type) return;
  const std::uint64_t count = entry.layout.element_count();
  const auto bytes = static_cast<std::uint64_t>(entry.type->bytes);
  if (entry.layout.end_byte() > file.size()) std::abort();  // the listing promised the values are inside
  std::vector<unsigned char> raw(4096 * bytes);
  std::vector<double> values(4096);
  for (std::uint64_t done = 0; done < count;) {
    const std::uint64_t block = std::min<std::uint64_t>(4096, count - done);
    file.read_exactly(entry.layout.offset + done * bytes, raw.data(), block * bytes);
    rankme::widen_to_double(*entry.type, raw.data(), block, values.data());
    done += block;
  }
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  std::atexit(remove_input_file);
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string path = input_file_path();
  if (!write_whole_file(path, data, size)) std::abort();  // /dev/shm full: not the input's fault, but stop
  try {
    const rankme::ReadOnlyFile file(path);
    for (const rankme::TensorEntry& entry : rankme::list_safetensors_file(file)) read_every_value(file, entry);
  } catch (const std::runtime_error&) {
    // A malformed file: the answer expected.
  }
  return 0;
}
