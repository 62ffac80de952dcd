#include "support/hdf5_matrix_writer.hpp"

#include <hdf5.h>

#include <stdexcept>

#include "support/hdf5_writer_core.hpp"
#include "support/matrix_size.hpp"

namespace rankme::testing {
namespace {

using hdf5_writer::absolute_object_path;
using hdf5_writer::check;
using hdf5_writer::copy_type;
using hdf5_writer::create_dataset;
using hdf5_writer::describe;
using hdf5_writer::fail;
using hdf5_writer::Handle;
using hdf5_writer::simple_space;
using hdf5_writer::with_file;

// The float16 file type exactly as h5py builds it (h5py/h5t.pyx): an IEEE single copied and
// narrowed to sign bit 15, exponent bits 10-14, mantissa bits 0-9, bias 15. HDF5 has no predefined
// half type in 1.10, so readers recognise it only by these properties.
Handle make_float16_type(bool big_endian, const std::string& where) {
  Handle type = copy_type(big_endian ? H5T_IEEE_F32BE : H5T_IEEE_F32LE, where);
  check(H5Tset_fields(type.get(), 15, 10, 5, 0, 10), where + ": H5Tset_fields (float16) failed");
  check(H5Tset_size(type.get(), 2), where + ": H5Tset_size (float16) failed");
  check(H5Tset_ebias(type.get(), 15), where + ": H5Tset_ebias (float16) failed");
  return type;
}

Handle make_file_type(const StoredType& type, const std::string& where) {
  const bool be = type.big_endian;
  switch (type.kind) {
    case StoredType::Kind::floating:
      if (type.bytes == 2) return make_float16_type(be, where);
      if (type.bytes == 4) return copy_type(be ? H5T_IEEE_F32BE : H5T_IEEE_F32LE, where);
      return copy_type(be ? H5T_IEEE_F64BE : H5T_IEEE_F64LE, where);
    case StoredType::Kind::signed_int:
      switch (type.bytes) {
        case 1:
          return copy_type(H5T_STD_I8LE, where);  // byte order is meaningless for one byte
        case 2:
          return copy_type(be ? H5T_STD_I16BE : H5T_STD_I16LE, where);
        case 4:
          return copy_type(be ? H5T_STD_I32BE : H5T_STD_I32LE, where);
        default:
          return copy_type(be ? H5T_STD_I64BE : H5T_STD_I64LE, where);
      }
    case StoredType::Kind::unsigned_int:
      switch (type.bytes) {
        case 1:
          return copy_type(H5T_STD_U8LE, where);
        case 2:
          return copy_type(be ? H5T_STD_U16BE : H5T_STD_U16LE, where);
        case 4:
          return copy_type(be ? H5T_STD_U32BE : H5T_STD_U32LE, where);
        default:
          return copy_type(be ? H5T_STD_U64BE : H5T_STD_U64LE, where);
      }
  }
  throw std::invalid_argument(where + ": invalid StoredType::Kind");
}

void validate_layout(const Layout& layout, std::uint64_t rows, std::uint64_t cols,
                     const std::string& where) {
  const std::string name = layout.name();
  if (layout.kind != Layout::Kind::chunked) {
    if (layout.gzip || layout.shuffle) {
      throw std::invalid_argument(where + ": layout " + name +
                                  ": gzip and shuffle filters need a chunked layout");
    }
    return;
  }
  if (layout.chunk_rows < 1 || layout.chunk_cols < 1 || layout.chunk_rows > rows ||
      layout.chunk_cols > cols) {
    // HDF5 refuses chunks larger than a fixed-size dataset; saying so here is clearer.
    throw std::invalid_argument(where + ": layout " + name + " does not fit a " +
                                std::to_string(rows) + "x" + std::to_string(cols) +
                                " matrix (each chunk dimension must be in [1, matrix dimension])");
  }
}

Handle make_dataset_creation_plist(const Layout& layout, const std::string& where) {
  Handle dcpl(H5Pcreate(H5P_DATASET_CREATE), H5Pclose,
              where + ": H5Pcreate(H5P_DATASET_CREATE) failed");
  const std::string context = where + ", layout " + layout.name();
  switch (layout.kind) {
    case Layout::Kind::contiguous:
      check(H5Pset_layout(dcpl.get(), H5D_CONTIGUOUS), context + ": H5Pset_layout failed");
      break;
    case Layout::Kind::compact:
      check(H5Pset_layout(dcpl.get(), H5D_COMPACT), context + ": H5Pset_layout failed");
      break;
    case Layout::Kind::chunked: {
      const hsize_t chunk[2] = {layout.chunk_rows, layout.chunk_cols};
      check(H5Pset_chunk(dcpl.get(), 2, chunk), context + ": H5Pset_chunk failed");
      // Shuffle first: it regroups bytes so that deflate compresses better, the usual order.
      if (layout.shuffle) check(H5Pset_shuffle(dcpl.get()), context + ": H5Pset_shuffle failed");
      if (layout.gzip) {
        if (H5Zfilter_avail(H5Z_FILTER_DEFLATE) <= 0) {
          fail(context + ": this HDF5 build has no deflate filter");
        }
        check(H5Pset_deflate(dcpl.get(), static_cast<unsigned>(layout.gzip_level)), context + ": H5Pset_deflate failed");
      }
      break;
    }
  }
  return dcpl;
}

// Encodes the values in the file's byte order ourselves (HDF5 then copies the bytes untouched): the
// bytes go to `raw`, and the values as stored (rounded to the type) are returned.
std::vector<double> encode_in_file_order(const std::vector<double>& row_major, const StoredType& type,
                                         const std::string& where, std::vector<unsigned char>& raw) {
  const std::size_t count = row_major.size();
  const auto width = static_cast<std::size_t>(type.bytes);
  raw.assign(count * width, 0);
  std::vector<double> stored(count);
  for (std::size_t i = 0; i < count; ++i) {
    const EncodedValue encoded = encode_value(row_major[i], type, where);
    stored[i] = encoded.value;
    for (std::size_t byte = 0; byte < width; ++byte) {
      const std::size_t position = type.big_endian ? width - 1 - byte : byte;
      raw[i * width + position] = static_cast<unsigned char>((encoded.bits >> (8 * byte)) & 0xffu);
    }
  }
  return stored;
}

}  // namespace

std::string Layout::name() const {
  std::string text;
  switch (kind) {
    case Kind::contiguous:
      text = "contiguous";
      break;
    case Kind::compact:
      text = "compact";
      break;
    case Kind::chunked:
      text = "chunked(" + std::to_string(chunk_rows) + "x" + std::to_string(chunk_cols) + ")";
      break;
  }
  // Listed in pipeline order; shown even on invalid (non-chunked) layouts so errors name them.
  if (shuffle) text += "+shuffle";
  if (gzip) text += "+gzip" + (gzip_level == 4 ? std::string() : std::to_string(gzip_level));
  return text;
}

std::vector<double> write_matrix(const std::string& file, const std::string& dataset_path,
                                 const std::vector<double>& row_major, std::uint64_t rows,
                                 std::uint64_t cols, const StoredType& type, const Layout& layout) {
  const std::string where = describe("write_matrix", file, "dataset", dataset_path);
  validate_stored_type(type, where);
  validate_layout(layout, rows, cols, where);
  const std::string path = absolute_object_path(dataset_path, where);
  const std::size_t count = element_count(rows, cols, where);
  if (row_major.size() != count) {
    throw std::invalid_argument(where + ": got " + std::to_string(row_major.size()) +
                                " values for a " + std::to_string(rows) + "x" +
                                std::to_string(cols) + " matrix");
  }

  std::vector<unsigned char> raw;
  const std::vector<double> stored = encode_in_file_order(row_major, type, where, raw);

  const std::string context = where + " (" + type.name() + ", " + layout.name() + ")";
  with_file(file, context, [&](hid_t file_id) {
    Handle file_type = make_file_type(type, context);
    Handle space = simple_space({rows, cols}, context);
    Handle dcpl = make_dataset_creation_plist(layout, context);
    // Memory type == file type: no HDF5 conversion. Zero-element matrices get no write at all.
    create_dataset(file_id, path, file_type.get(), space.get(), dcpl.get(), file_type.get(),
                   count > 0 ? raw.data() : nullptr, context);
  });
  return stored;
}

std::vector<double> write_array(const std::string& file, const std::string& dataset_path,
                                const std::vector<double>& row_major, const std::vector<std::uint64_t>& dims,
                                const StoredType& type, const std::vector<std::uint64_t>& chunk_dims, bool gzip) {
  const std::string where = describe("write_array", file, "dataset", dataset_path);
  validate_stored_type(type, where);
  const std::string path = absolute_object_path(dataset_path, where);
  std::size_t count = 1;
  for (const std::uint64_t d : dims) count *= static_cast<std::size_t>(d);
  if (row_major.size() != count) {
    throw std::invalid_argument(where + ": got " + std::to_string(row_major.size()) + " values for " +
                                std::to_string(count) + " elements");
  }
  if (!chunk_dims.empty() && chunk_dims.size() != dims.size()) throw std::invalid_argument(where + ": one chunk size per axis");
  std::vector<unsigned char> raw;
  const std::vector<double> stored = encode_in_file_order(row_major, type, where, raw);
  const std::string context = where + " (" + type.name() + ", " + std::to_string(dims.size()) + "-D)";
  with_file(file, context, [&](hid_t file_id) {
    Handle file_type = make_file_type(type, context);
    Handle space = simple_space(std::vector<hsize_t>(dims.begin(), dims.end()), context);
    Handle dcpl(H5Pcreate(H5P_DATASET_CREATE), H5Pclose, context + ": H5Pcreate(H5P_DATASET_CREATE) failed");
    if (!chunk_dims.empty()) {
      const std::vector<hsize_t> chunk(chunk_dims.begin(), chunk_dims.end());
      check(H5Pset_chunk(dcpl.get(), static_cast<int>(chunk.size()), chunk.data()), context + ": H5Pset_chunk failed");
      if (gzip) check(H5Pset_deflate(dcpl.get(), 4), context + ": H5Pset_deflate failed");
    }
    create_dataset(file_id, path, file_type.get(), space.get(), dcpl.get(), file_type.get(),
                   count > 0 ? raw.data() : nullptr, context);
  });
  return stored;
}

}  // namespace rankme::testing
