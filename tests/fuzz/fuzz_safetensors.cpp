// libFuzzer target: each input is the bytes of a safetensors file. They are written to a file in /dev/shm
// (the reader opens files by path and reads by position) and go through list_safetensors_file, then every
// readable entry's bytes are read from where its layout says and widened, as a row source would. A crash,
// a sanitizer report, a hang or a runaway allocation is a bug; a std::runtime_error is the expected answer
// to a malformed file.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <stdexcept>
#include <string>
#include <vector>

#include "fuzz/read_tensor_file.hpp"
#include "rankme/formats/read_only_file.hpp"
#include "rankme/formats/safetensors_file.hpp"
#include "rankme/numerics/stored_type.hpp"

namespace {

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
  rankme::fuzz::remove_input_file_at_exit(".safetensors");
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string path = rankme::fuzz::write_input_file(".safetensors", data, size);
  try {
    const rankme::ReadOnlyFile file(path);
    for (const rankme::TensorEntry& entry : rankme::list_safetensors_file(file)) read_every_value(file, entry);
  } catch (const std::runtime_error&) {
    // A malformed file: the answer expected.
  }
  return 0;
}
