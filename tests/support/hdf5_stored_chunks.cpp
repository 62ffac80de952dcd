#include "support/hdf5_stored_chunks.hpp"

#include <zlib.h>

#include <cstring>
#include <fstream>
#include <stdexcept>
#include <utility>

#include "support/hdf5_writer_core.hpp"

namespace rankme::testing {

using namespace hdf5_writer;

namespace {

// A dataset opened with the default (sec2) driver; the file is closed after it.
struct OpenDataset {
  Handle file;
  Handle data;
};

OpenDataset open_dataset(const std::string& file, const std::string& dataset, const std::string& where,
                         unsigned access = H5F_ACC_RDONLY) {
  Handle file_handle(H5Fopen(file.c_str(), access, H5P_DEFAULT), H5Fclose, where + ": H5Fopen failed");
  Handle data(H5Dopen2(file_handle.get(), dataset.c_str(), H5P_DEFAULT), H5Dclose, where + ": H5Dopen2 failed");
  return OpenDataset{std::move(file_handle), std::move(data)};
}

// HDF5's shuffle (H5Z__filter_shuffle, forward), written out again here: byte b of element e goes to
// b * elements + e; bytes after the last whole element stay at the end.
std::vector<unsigned char> shuffle_bytes(const std::vector<unsigned char>& in, std::size_t element_bytes) {
  const std::size_t elements = in.size() / element_bytes;
  if (element_bytes <= 1 || elements <= 1) return in;
  std::vector<unsigned char> out(in.size());
  for (std::size_t element = 0; element < elements; ++element) {
    for (std::size_t byte = 0; byte < element_bytes; ++byte) out[byte * elements + element] = in[element * element_bytes + byte];
  }
  std::memcpy(out.data() + elements * element_bytes, in.data() + elements * element_bytes, in.size() - elements * element_bytes);
  return out;
}

}  // namespace

std::vector<StoredChunk> stored_chunks(const std::string& file, const std::string& dataset) {
  const std::string where = describe("stored_chunks", file, "dataset", dataset);
  QuietHdf5Errors quiet;
  OpenDataset opened = open_dataset(file, dataset, where);
  const Handle& data = opened.data;
  Handle space(H5Dget_space(data.get()), H5Sclose, where + ": H5Dget_space failed");
  const int rank = H5Sget_simple_extent_ndims(space.get());
  hsize_t count = 0;
  check(H5Dget_num_chunks(data.get(), space.get(), &count), where + ": H5Dget_num_chunks failed");
  std::vector<StoredChunk> chunks;
  for (hsize_t index = 0; index < count; ++index) {
    std::vector<hsize_t> offset(static_cast<std::size_t>(rank));
    unsigned mask = 0;
    haddr_t address = HADDR_UNDEF;
    hsize_t size = 0;
    check(H5Dget_chunk_info(data.get(), space.get(), index, offset.data(), &mask, &address, &size),
          where + ": H5Dget_chunk_info failed");
    chunks.push_back(StoredChunk{std::vector<std::uint64_t>(offset.begin(), offset.end()), mask, address, size});
  }
  return chunks;
}

void overwrite_bytes(const std::string& file, std::uint64_t position, const std::vector<unsigned char>& bytes) {
  std::fstream stream(file, std::ios::binary | std::ios::in | std::ios::out);
  stream.seekp(static_cast<std::streamoff>(position));
  stream.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
  if (!stream) throw std::runtime_error("rankme::testing::overwrite_bytes: cannot write " + file);
}

std::vector<unsigned char> read_with_hdf5(const std::string& file, const std::string& dataset,
                                          const std::vector<std::pair<std::uint64_t, std::uint64_t>>& row_runs,
                                          const std::vector<std::uint64_t>& start, const std::vector<std::uint64_t>& count) {
  const std::string where = describe("read_with_hdf5", file, "dataset", dataset);
  QuietHdf5Errors quiet;
  OpenDataset opened = open_dataset(file, dataset, where);
  const Handle& data = opened.data;
  Handle space(H5Dget_space(data.get()), H5Sclose, where + ": H5Dget_space failed");
  Handle type(H5Dget_type(data.get()), H5Tclose, where + ": H5Dget_type failed");
  const int rank = H5Sget_simple_extent_ndims(space.get());
  std::vector<hsize_t> dims(static_cast<std::size_t>(rank));
  H5Sget_simple_extent_dims(space.get(), dims.data(), nullptr);
  std::vector<hsize_t> box_start(dims.size(), 0), box_count(dims.begin(), dims.end());
  for (std::size_t axis = 1; axis < dims.size() && !start.empty(); ++axis) {
    box_start[axis] = start[axis - 1];
    box_count[axis] = count[axis - 1];
  }
  std::uint64_t rows = 0, row_values = 1;
  for (const auto& run : row_runs) rows += run.second;
  for (std::size_t axis = 1; axis < dims.size(); ++axis) row_values *= box_count[axis];
  std::vector<unsigned char> out(static_cast<std::size_t>(rows * row_values) * H5Tget_size(type.get()));
  if (rows == 0) return out;
  H5S_seloper_t operation = H5S_SELECT_SET;
  for (const auto& run : row_runs) {
    box_start[0] = run.first;
    box_count[0] = run.second;
    check(H5Sselect_hyperslab(space.get(), operation, box_start.data(), nullptr, box_count.data(), nullptr),
          where + ": H5Sselect_hyperslab failed");
    operation = H5S_SELECT_OR;
  }
  const hsize_t memory_dims[1] = {rows * row_values};
  Handle memory(H5Screate_simple(1, memory_dims, nullptr), H5Sclose, where + ": H5Screate_simple failed");
  check(H5Dread(data.get(), type.get(), memory.get(), space.get(), H5P_DEFAULT, out.data()), where + ": H5Dread failed");
  return out;
}

void write_chunked_float32(const std::string& file, const std::string& path, const std::vector<float>& values,
                           const std::vector<std::uint64_t>& dims, const ChunkedFloat32& options) {
  const std::string where = describe("write_chunked_float32", file, "dataset", path);
  with_file(file, where, [&](hid_t file_id) {
    Handle dcpl(H5Pcreate(H5P_DATASET_CREATE), H5Pclose, where + ": H5Pcreate failed");
    const std::vector<hsize_t> chunk(options.chunk.begin(), options.chunk.end());
    check(H5Pset_chunk(dcpl.get(), static_cast<int>(chunk.size()), chunk.data()), where + ": H5Pset_chunk failed");
    if (options.dont_filter_partial_chunks) {
      check(H5Pset_chunk_opts(dcpl.get(), H5D_CHUNK_DONT_FILTER_PARTIAL_CHUNKS), where + ": H5Pset_chunk_opts failed");
    }
    if (options.shuffle) check(H5Pset_shuffle(dcpl.get()), where + ": H5Pset_shuffle failed");
    if (options.gzip_level > 0) check(H5Pset_deflate(dcpl.get(), static_cast<unsigned>(options.gzip_level)), where + ": H5Pset_deflate failed");
    if (options.fletcher32) check(H5Pset_fletcher32(dcpl.get()), where + ": H5Pset_fletcher32 failed");
    Handle type = copy_type(H5T_IEEE_F32LE, where);
    Handle space = simple_space(std::vector<hsize_t>(dims.begin(), dims.end()), where);
    create_dataset(file_id, absolute_object_path(path, where), type.get(), space.get(), dcpl.get(), type.get(),
                   values.data(), where);
  });
}

void rewrite_chunk_skipping_filters(const std::string& file, const std::string& path,
                                    const std::vector<std::uint64_t>& offset, unsigned filter_mask,
                                    const std::vector<float>& values) {
  const std::string where = describe("rewrite_chunk_skipping_filters", file, "dataset", path);
  QuietHdf5Errors quiet;
  OpenDataset opened = open_dataset(file, path, where, H5F_ACC_RDWR);
  Handle& data = opened.data;
  Handle dcpl(H5Dget_create_plist(data.get()), H5Pclose, where + ": H5Dget_create_plist failed");
  std::vector<unsigned char> bytes(values.size() * sizeof(float));
  for (std::size_t i = 0; i < values.size(); ++i) {  // little-endian float32
    std::uint32_t bits = 0;
    std::memcpy(&bits, &values[i], sizeof bits);
    for (int byte = 0; byte < 4; ++byte) bytes[i * 4 + static_cast<std::size_t>(byte)] = static_cast<unsigned char>(bits >> (8 * byte));
  }
  const int filters = H5Pget_nfilters(dcpl.get());
  for (int position = 0; position < filters; ++position) {
    unsigned flags = 0, config = 0, parameters[4] = {};
    std::size_t parameter_count = 4;
    const H5Z_filter_t id = H5Pget_filter2(dcpl.get(), static_cast<unsigned>(position), &flags, &parameter_count,
                                           parameters, 0, nullptr, &config);
    if (filter_mask >> position & 1U) continue;
    if (id == H5Z_FILTER_SHUFFLE) {
      bytes = shuffle_bytes(bytes, parameters[0]);
    } else if (id == H5Z_FILTER_DEFLATE) {
      uLongf size = compressBound(static_cast<uLong>(bytes.size()));
      std::vector<unsigned char> compressed(size);
      if (compress2(compressed.data(), &size, bytes.data(), static_cast<uLong>(bytes.size()), static_cast<int>(parameters[0])) != Z_OK) {
        throw std::runtime_error(where + ": compress2 failed");
      }
      compressed.resize(size);
      bytes = std::move(compressed);
    } else {
      throw std::invalid_argument(where + ": filter " + std::to_string(id) + " is not shuffle or deflate");
    }
  }
  const std::vector<hsize_t> chunk_offset(offset.begin(), offset.end());
  check(H5Dwrite_chunk(data.get(), H5P_DEFAULT, filter_mask, chunk_offset.data(), bytes.size(), bytes.data()),
        where + ": H5Dwrite_chunk failed");
  data.close(where + ": H5Dclose failed");
  opened.file.close(where + ": H5Fclose failed");
}

}  // namespace rankme::testing
