#include "fuzz/read_tensor_file.hpp"

#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <stdexcept>
#include <vector>

#include "rankme/formats/deflated_array_source.hpp"
#include "rankme/formats/file_array_source.hpp"
#include "rankme/formats/npy_file.hpp"
#include "rankme/formats/npz_file.hpp"
#include "rankme/formats/zip_archive.hpp"

namespace rankme::fuzz {

namespace {

// Blocks of at most 64 rows and 1 MiB, as the pipeline reads (a row wider than that is one row a block).
void read_and_decode_all_rows(RowSource& source) {
  const std::uint64_t rows = source.rows();
  const std::size_t row_bytes = source.row_bytes();
  if (row_bytes == 0) return;
  const std::uint64_t block_rows = std::max<std::uint64_t>(1, std::min<std::uint64_t>(64, (1u << 20) / row_bytes));
  std::vector<unsigned char> raw(static_cast<std::size_t>(block_rows) * row_bytes);
  std::vector<double> decoded(static_cast<std::size_t>(block_rows * source.cols()));
  for (std::uint64_t first = 0; first < rows; first += block_rows) {
    const std::uint64_t count = std::min(block_rows, rows - first);
    source.read_rows({{first, count}}, raw.data(), raw.size());
    widen_to_double(source.stored_type(), raw.data(), count * source.cols(), decoded.data());
  }
}

template <typename List, typename Open>
TensorFileOutcome read_every_array(const std::string& path, List list, Open open) {
  TensorFileOutcome outcome;
  std::vector<TensorEntry> entries;
  try {
    entries = list(ReadOnlyFile(path));
  } catch (const std::runtime_error&) {
    outcome.listing_failed = true;
    return outcome;
  }
  outcome.entries = entries.size();
  for (const TensorEntry& entry : entries) {
    if (!entry.type || entry.shape.empty()) continue;
    try {
      std::unique_ptr<RowSource> source = open(path, entry);
      read_and_decode_all_rows(*source);
      ++outcome.read;
    } catch (const std::runtime_error&) {
      ++outcome.reading_errors;
    }
  }
  return outcome;
}

std::unique_ptr<RowSource> open_entry(const std::string& path, const TensorEntry& entry) {
  if (entry.deflated) return std::make_unique<DeflatedArraySource>(path, *entry.deflated, entry.layout);
  return std::make_unique<FileArraySource>(path, entry.layout);
}

std::string input_file_path(const std::string& extension) {
  const char* directory = std::getenv("RANKME_FUZZ_TMPDIR");
  return std::string(directory != nullptr ? directory : "/dev/shm") + "/rankme-fuzz-" + std::to_string(getpid()) +
         extension;
}

std::string& extension_removed_at_exit() {
  static std::string extension;
  return extension;
}

}  // namespace

TensorFileOutcome read_every_npy_array(const std::string& path) {
  return read_every_array(path, [](const ReadOnlyFile& file) { return list_npy_file(file); }, open_entry);
}

TensorFileOutcome read_every_npz_array(const std::string& path) {
  return read_every_array(
      path,
      [](const ReadOnlyFile& file) {
        list_zip_members(file);  // the zip layer alone, also for archives whose members are not arrays
        return list_npz_file(file);
      },
      open_entry);
}

void remove_input_file_at_exit(const std::string& extension) {
  extension_removed_at_exit() = extension;
  std::atexit([] { std::remove(input_file_path(extension_removed_at_exit()).c_str()); });
}

std::string write_input_file(const std::string& extension, const std::uint8_t* data, std::size_t size) {
  const std::string path = input_file_path(extension);
  std::FILE* file = std::fopen(path.c_str(), "wb");
  if (file == nullptr) std::abort();  // /dev/shm unavailable: not the input's fault, but stop
  const bool written = std::fwrite(data, 1, size, file) == size;
  if (std::fclose(file) != 0 || !written) std::abort();
  return path;
}

}  // namespace rankme::fuzz
