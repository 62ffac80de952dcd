// libFuzzer target for torch.save files. An input that starts like a zip ("PK") is a whole .pt file: it is
// written to a file in /dev/shm (the reader opens files by path and reads by pread) and listed with
// list_torch_file. Any other input is a data.pkl: it goes through the restricted unpickler and the walk that
// names its tensors. An error (std::runtime_error) is a correct answer; a crash, a sanitizer report, a hang,
// a runaway allocation, another exception type, or an entry whose layout reaches outside its stream (which
// the listing promises to have checked) is a bug.
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <stdexcept>
#include <string>
#include <string_view>

#include "rankme/formats/pickled_tensors.hpp"
#include "rankme/formats/torch_file.hpp"
#include "rankme/formats/torch_pickle.hpp"

namespace {

std::string input_file_path() {
  const char* directory = std::getenv("RANKME_FUZZ_TMPDIR");
  return std::string(directory != nullptr ? directory : "/dev/shm") + "/rankme-fuzz-" + std::to_string(getpid()) + ".pt";
}

void remove_input_file() { std::remove(input_file_path().c_str()); }

[[noreturn]] void broken_promise(const char* what) {
  std::fprintf(stderr, "fuzz_torch_pickle: %s\n", what);
  std::abort();
}

void list_whole_file(const std::uint8_t* data, std::size_t size) {
  const std::string path = input_file_path();
  std::FILE* file = std::fopen(path.c_str(), "wb");
  if (file == nullptr) std::abort();  // /dev/shm unavailable: not the input's fault, but stop
  const bool written = std::fwrite(data, 1, size, file) == size;
  if (std::fclose(file) != 0 || !written) std::abort();
  try {
    for (const rankme::TensorEntry& entry : rankme::list_torch_file(rankme::ReadOnlyFile(path))) {
      if (!entry.type) continue;
      const std::uint64_t stream = entry.deflated ? entry.deflated->inflated_bytes : size;
      if (entry.layout.end_byte() > stream) broken_promise("an entry's layout reaches past its stream");
      if (entry.layout.strides.size() != entry.shape.size()) broken_promise("strides and shape disagree");
    }
  } catch (const std::runtime_error&) {
  }
}

void unpickle(const std::uint8_t* data, std::size_t size) {
  try {
    const rankme::UnpickledObject object =
        rankme::unpickle_torch_pickle(std::string_view(reinterpret_cast<const char*>(data), size));
    for (const rankme::PickledTensor& tensor : rankme::pickled_tensors(object.root())) {
      if (tensor.tensor->size.size() != tensor.tensor->stride.size()) broken_promise("sizes and strides disagree");
      if (tensor.tensor->storage == nullptr || !tensor.tensor->storage->storage) broken_promise("a tensor without storage");
    }
  } catch (const std::runtime_error&) {
  }
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  std::atexit(remove_input_file);
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size >= 2 && data[0] == 'P' && data[1] == 'K') {
    list_whole_file(data, size);
  } else {
    unpickle(data, size);
  }
  return 0;
}
