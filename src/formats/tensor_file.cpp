#include "rankme/formats/tensor_file.hpp"

#include <algorithm>
#include <stdexcept>

#include "rankme/formats/deflated_array_source.hpp"
#include "rankme/formats/file_array_source.hpp"
#include "rankme/formats/npy_file.hpp"
#include "rankme/formats/npz_file.hpp"
#include "rankme/formats/safetensors_file.hpp"
#include "rankme/formats/torch_file.hpp"

namespace rankme {

std::vector<TensorEntry> list_tensor_file(const ReadOnlyFile& file, FileFormat format) {
  std::vector<TensorEntry> entries;
  switch (format) {
    case FileFormat::npy: entries = list_npy_file(file); break;
    case FileFormat::npz: entries = list_npz_file(file); break;
    case FileFormat::safetensors: entries = list_safetensors_file(file); break;
    case FileFormat::torch: entries = list_torch_file(file); break;
    case FileFormat::legacy_torch:
      throw std::runtime_error("'" + file.path() +
                               "' is a torch file in the legacy format (torch.save before torch 1.6), which rankme does "
                               "not read: re-save it with a current torch: torch.save(torch.load(f), f)");
    case FileFormat::empty:
      throw std::runtime_error("'" + file.path() + "' is empty (0 bytes): nothing was written to it");
    case FileFormat::hdf5:
    case FileFormat::unknown:
      throw std::logic_error("list_tensor_file: not a tensor file format: " + format_name(format));
  }
  std::sort(entries.begin(), entries.end(),
            [](const TensorEntry& a, const TensorEntry& b) { return a.name < b.name; });
  return entries;
}

std::unique_ptr<RowSource> open_tensor_source(const std::string& path, const TensorEntry& entry) {
  if (!entry.type) throw std::logic_error("open_tensor_source: '" + entry.name + "' has no readable type");
  if (entry.deflated) return std::make_unique<DeflatedArraySource>(path, *entry.deflated, entry.layout);
  return std::make_unique<FileArraySource>(path, entry.layout);
}

}  // namespace rankme
