#include "rankme/io/chunk_filters.hpp"

#include <cstring>
#include <stdexcept>
#include <string>

namespace rankme {

std::optional<ChunkFilters> decodable_chunk_filters(hid_t creation_properties) {
  if (H5Pget_layout(creation_properties) != H5D_CHUNKED) return std::nullopt;
  // H5D_CHUNK_DONT_FILTER_PARTIAL_CHUNKS stores edge chunks unfiltered with no bit in their mask to say so:
  // the reader must know. Any other option is one rankme does not know.
  unsigned chunk_options = 0;
  if (H5Pget_chunk_opts(creation_properties, &chunk_options) < 0) return std::nullopt;
  if ((chunk_options & ~static_cast<unsigned>(H5D_CHUNK_DONT_FILTER_PARTIAL_CHUNKS)) != 0) return std::nullopt;
  const int filter_count = H5Pget_nfilters(creation_properties);
  if (filter_count < 1 || filter_count > 2) return std::nullopt;
  ChunkFilters filters;
  for (int position = 0; position < filter_count; ++position) {
    unsigned flags = 0, config = 0;
    std::size_t value_count = 2;
    unsigned values[2] = {0, 0};
    const H5Z_filter_t id = H5Pget_filter2(creation_properties, static_cast<unsigned>(position), &flags, &value_count,
                                           values, 0, nullptr, &config);
    if ((flags & ~static_cast<unsigned>(H5Z_FLAG_OPTIONAL)) != 0) return std::nullopt;
    if (id == H5Z_FILTER_DEFLATE && filters.deflate_position < 0) {
      filters.deflate_position = position;
    } else if (id == H5Z_FILTER_SHUFFLE && filters.shuffle_position < 0 && filters.deflate_position < 0) {
      // HDF5 keeps the element size as the shuffle filter's one value (set from the type at creation).
      if (value_count != 1) return std::nullopt;
      filters.shuffle_position = position;
      filters.shuffle_element_bytes = values[0];
    } else {
      return std::nullopt;
    }
  }
  if (filters.deflate_position < 0) return std::nullopt;  // shuffle alone: left to HDF5 (nobody writes it)
  filters.partial_edge_chunks_unfiltered = (chunk_options & H5D_CHUNK_DONT_FILTER_PARTIAL_CHUNKS) != 0;
  return filters;
}

void unshuffle(const unsigned char* in, std::size_t bytes, std::size_t element_bytes, unsigned char* out) {
  const std::size_t elements = element_bytes == 0 ? 0 : bytes / element_bytes;
  if (element_bytes <= 1 || elements <= 1) {
    if (bytes > 0) std::memcpy(out, in, bytes);
    return;
  }
  // Plane by plane, as HDF5 writes them back: byte b of element e comes from in[b * elements + e].
  for (std::size_t plane = 0; plane < element_bytes; ++plane) {
    const unsigned char* from = in + plane * elements;
    unsigned char* to = out + plane;
    for (std::size_t element = 0; element < elements; ++element) to[element * element_bytes] = from[element];
  }
  const std::size_t whole = elements * element_bytes;
  std::memcpy(out + whole, in + whole, bytes - whole);
}

void decode_chunk(const ChunkFilters& filters, unsigned filter_mask, const unsigned char* stored,
                  std::size_t stored_bytes, unsigned char* out, std::size_t chunk_bytes, unsigned char* stage,
                  ZlibInflater& inflater) {
  const bool shuffled = filters.shuffle_applies(filter_mask);
  if (filters.deflate_applies(filter_mask)) {
    unsigned char* inflated = shuffled ? stage : out;
    inflater.inflate_exactly(stored, stored_bytes, inflated, chunk_bytes);
    if (shuffled) unshuffle(inflated, chunk_bytes, filters.shuffle_element_bytes, out);
    return;
  }
  // Deflate skipped for this chunk: its bytes are the chunk's own, shuffled or not.
  if (stored_bytes != chunk_bytes) {
    throw std::runtime_error("stored uncompressed (filter mask " + std::to_string(filter_mask) + ") in " +
                             std::to_string(stored_bytes) + " bytes, not the chunk's " + std::to_string(chunk_bytes));
  }
  if (shuffled) {
    unshuffle(stored, chunk_bytes, filters.shuffle_element_bytes, out);
  } else {
    std::memcpy(out, stored, chunk_bytes);
  }
}

}  // namespace rankme
