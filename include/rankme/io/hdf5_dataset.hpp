#pragma once
// What an HDF5 dataset holds (shape, element type, layout) and whether rankme can score it.
#include <hdf5.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "rankme/io/hdf5_handle.hpp"
#include "rankme/numerics/stored_type.hpp"

namespace rankme {

// A filter in a dataset's pipeline (its creation property list) that this HDF5 cannot load.
struct UnavailableFilter {
  int id = 0;
  std::string name;  // as the file names it, or as rankme knows the id ("lzf", "bitshuffle"); may be ""
};

struct DatasetDescription {
  std::vector<std::uint64_t> dims;    // empty for a scalar or null dataspace
  bool null_dataspace = false;
  std::optional<StoredType> type;     // set when the element type is one rankme reads
  std::string type_description;       // always set: "float32", "string", "compound", ...
  std::vector<std::uint64_t> chunk_dims;  // empty unless chunked
  bool storage_allocated = true;          // false: nothing was ever written (H5D_SPACE_STATUS_NOT_ALLOCATED)
  std::uint64_t allocated_chunks = 0;     // chunked: chunks written so far
  std::uint64_t expected_chunks = 0;      // chunked: chunks a fully written dataset has
  // Contiguous or compact (one block of storage): the bytes its layout message says the block holds, and
  // the bytes rows x cols x element size need. 0 and 0 for chunked and external storage.
  std::uint64_t storage_bytes = 0;
  std::uint64_t needed_bytes = 0;
  // Compression or other filters its chunks went through that no plugin on the search path provides:
  // reading them would fail chunk by chunk with HDF5's "can't open directory" stack.
  std::vector<UnavailableFilter> unavailable_filters;

  std::string shape() const;          // "25600x2048", "scalar", "null"
  // Why this dataset cannot be scored as an N x K matrix, or nothing when it can.
  std::optional<std::string> unsupported_reason() const;
  // Why its data is not all there (a writer that crashed, or is still writing; or a damaged file whose
  // one block of storage is smaller than its shape), or nothing when it is. Unwritten storage reads back
  // as fill values, which would score as a (wrong) number; a short block would be read past its end.
  std::optional<std::string> incompleteness() const;
  // Why its data cannot be decoded here (a filter whose plugin is missing: its id, name and where to get
  // it), or nothing when every filter is available.
  std::optional<std::string> missing_filter() const;
};

// What the soft or external link `name` (relative to `location`) points to, for messages: "'/target'" or
// "'file.h5:/target'"; "" when it is neither or cannot be read.
std::string link_destination(hid_t location, const std::string& name);

// Throws std::runtime_error with the bare reason ("no such dataset", "a group, not a dataset", "dangling
// soft link to '/x' ..."); callers add which file and path.
Hdf5Handle open_dataset(hid_t file, const std::string& path);

DatasetDescription describe_dataset(hid_t dataset);

// Maps an HDF5 datatype onto the StoredType rankme widens, or nothing (with `description` saying what it
// is). Floats must be IEEE 754 binary16/32/64 exactly (as numpy and h5py write them); integers 8 to 64
// bits, signed or not; either byte order.
std::optional<StoredType> classify_type(hid_t type, std::string& description);

}  // namespace rankme
