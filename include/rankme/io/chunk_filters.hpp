#pragma once
// The filter pipelines whose chunks rankme decodes itself, off HDF5's single thread: deflate (gzip), with
// or without HDF5's byte shuffle before it, as h5py writes `compression="gzip"` (and `shuffle=True`).
// Every other pipeline (lzf, blosc, szip, nbit, scaleoffset, fletcher32, a filter flag rankme does not
// know) is decoded by HDF5's own pipeline, which is always exact.
//
// Partial edge chunks left unfiltered (H5Pset_chunk_opts(H5D_CHUNK_DONT_FILTER_PARTIAL_CHUNKS)) are
// decoded here too, as HDF5's serial reader does (no filter on a chunk that overhangs the dataset, whatever
// its mask says): parallel HDF5 1.10.8's collective read inflates them and fails ("inflate() failed").
#include <hdf5.h>

#include <cstddef>
#include <optional>

#include "rankme/io/zlib_inflater.hpp"

namespace rankme {

// Where deflate and shuffle sit in a dataset's pipeline: a chunk's filter mask has bit i set when the
// filter at position i was skipped when the chunk was written (an optional filter that failed, or
// H5Dwrite_chunk with that mask), and reading skips it too.
struct ChunkFilters {
  int deflate_position = -1;  // -1: not in the pipeline
  int shuffle_position = -1;
  std::size_t shuffle_element_bytes = 0;  // the shuffle filter's own parameter (the type's size when written)
  bool partial_edge_chunks_unfiltered = false;  // H5D_CHUNK_DONT_FILTER_PARTIAL_CHUNKS

  bool deflate_applies(unsigned filter_mask) const { return deflate_position >= 0 && !(filter_mask >> deflate_position & 1U); }
  bool shuffle_applies(unsigned filter_mask) const { return shuffle_position >= 0 && !(filter_mask >> shuffle_position & 1U); }
};

// The pipeline of a chunked dataset's creation property list when rankme decodes it: deflate alone, or
// shuffle then deflate (the order HDF5 applies them in when writing), each with no flag but "optional".
// Nothing otherwise (also for no filter at all: then there is nothing to decode, and HDF5's collective read
// is the fast one).
std::optional<ChunkFilters> decodable_chunk_filters(hid_t creation_properties);

// Undoes HDF5's shuffle filter as it does (H5Z__filter_shuffle): `bytes` / `element_bytes` elements were
// stored byte plane by byte plane (every element's first byte, then every second byte, ...), and the
// bytes % element_bytes left over after them as they were. With element_bytes <= 1 or fewer than two
// elements the bytes are copied unchanged. `in` and `out` must not overlap.
void unshuffle(const unsigned char* in, std::size_t bytes, std::size_t element_bytes, unsigned char* out);

// Decodes one stored chunk (`stored_bytes` at `stored`, written through `filters` but those whose bit is
// set in `filter_mask`) into the `chunk_bytes` of one whole chunk at `out`. `stage`, chunk_bytes too,
// holds the inflated bytes while they still need unshuffling. Throws std::runtime_error with the reason
// ("deflate stream is corrupt", ..., or a chunk stored unfiltered whose size is not the chunk's).
void decode_chunk(const ChunkFilters& filters, unsigned filter_mask, const unsigned char* stored,
                  std::size_t stored_bytes, unsigned char* out, std::size_t chunk_bytes, unsigned char* stage,
                  ZlibInflater& inflater);

}  // namespace rankme
