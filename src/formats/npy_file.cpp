#include "rankme/formats/npy_file.hpp"

#include <stdexcept>

#include "rankme/formats/strided_gather.hpp"

namespace rankme {

TensorEntry npy_tensor_entry(const NpyHeader& header, std::string name, std::uint64_t stream_offset,
                             std::uint64_t stream_bytes, const std::string& what) {
  TensorEntry entry;
  entry.name = std::move(name);
  entry.shape = header.shape;
  entry.type = header.type;
  entry.dtype = header.dtype;
  if (!header.type) return entry;
  // The layout describes at least one axis; a 0-d array is its one element (the entry keeps shape ()).
  std::vector<std::uint64_t> layout_shape = header.shape.empty() ? std::vector<std::uint64_t>{1} : header.shape;
  const std::uint64_t values_offset = stream_offset + header.data_offset;
  entry.layout = header.fortran_order ? ArrayLayout::fortran_order(*header.type, std::move(layout_shape), values_offset)
                                      : ArrayLayout::c_order(*header.type, std::move(layout_shape), values_offset);
  entry.layout.check_inside(stream_offset + stream_bytes, what);
  checked_row_elements(entry.layout, stream_bytes, what);
  return entry;
}

std::vector<TensorEntry> list_npy_file(const ReadOnlyFile& file) {
  const std::string what = "'" + file.path() + "'";
  const std::string preamble = file.read_at_most(0, npy_preamble_bytes);
  const std::uint64_t header_size = npy_header_size(preamble, what);
  if (header_size > file.size()) {
    throw std::runtime_error(what + ": the .npy header declares " + std::to_string(header_size) +
                             " bytes, but the file has " + std::to_string(file.size()) + " (truncated?)");
  }
  const std::string header_bytes = file.read_at_most(0, static_cast<std::size_t>(header_size));
  const NpyHeader header = parse_npy_header(header_bytes, what);
  return {npy_tensor_entry(header, "/", 0, file.size(), what)};
}

}  // namespace rankme
