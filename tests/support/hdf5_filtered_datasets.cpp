#include "support/hdf5_filtered_datasets.hpp"

#include <dlfcn.h>
#include <hdf5.h>
#include <sys/stat.h>

#include <mutex>
#include <stdexcept>

#include "support/hdf5_writer_core.hpp"

namespace rankme::testing {

// The fixture writers' shared machinery (hdf5_writer_core.hpp).
using namespace hdf5_writer;

namespace {

// The identity: what a stand-in filter does to a chunk (HDF5 records the filter as applied all the same).
std::size_t pass_through(unsigned, std::size_t, const unsigned[], std::size_t bytes, std::size_t*, void**) {
  return bytes;
}

Handle chunked_dcpl(std::uint64_t chunk_rows, std::uint64_t cols, const std::string& where) {
  Handle dcpl(H5Pcreate(H5P_DATASET_CREATE), H5Pclose, where + ": H5Pcreate");
  const hsize_t chunk[2] = {chunk_rows, cols};
  check(H5Pset_chunk(dcpl.get(), 2, chunk), where + ": H5Pset_chunk");
  return dcpl;
}

}  // namespace

void find_debian_filter_plugins() {
  static std::once_flag once;
  std::call_once(once, [] {
    // Debian's lzf plugin does not declare its dependency on liblzf: its symbols must be global already.
    ::dlopen("liblzf.so.1", RTLD_NOW | RTLD_GLOBAL);
    // HDF5 1.10 stops its plugin search at the first directory it cannot open: the default of Debian's MPICH
    // build (.../hdf5/mpich/plugins) does not exist. Such entries leave the path.
    unsigned count = 0;
    if (H5PLsize(&count) >= 0) {
      for (unsigned index = count; index-- > 0;) {
        char path[4096] = {};
        struct stat status {};
        if (H5PLget(index, path, sizeof path) > 0 && ::stat(path, &status) != 0) H5PLremove(index);
      }
    }
    for (const char* flavour : {"openmpi", "serial"}) {
      const std::string directory = std::string("/usr/lib/") + RANKME_TEST_LIBRARY_ARCHITECTURE + "/hdf5/" + flavour + "/plugins";
      struct stat status {};
      if (::stat(directory.c_str(), &status) == 0) H5PLappend(directory.c_str());
    }
  });
}

std::vector<double> write_filtered_matrix(const std::string& file, const std::string& path,
                                          const std::vector<double>& row_major, std::uint64_t rows,
                                          std::uint64_t cols, unsigned filter_id,
                                          const std::vector<unsigned>& parameters, std::uint64_t chunk_rows) {
  const std::string where = describe("write_filtered_matrix", file, "dataset", path) + " (filter " +
                            std::to_string(filter_id) + ")";
  if (row_major.size() != rows * cols) throw std::invalid_argument(where + ": values do not match the shape");
  find_debian_filter_plugins();
  std::vector<float> values(row_major.begin(), row_major.end());
  const std::string absolute = absolute_object_path(path, where);
  with_file(file, where, [&](hid_t file_id) {
    Handle dcpl = chunked_dcpl(chunk_rows, cols, where);
    // Optional, as h5py sets its filters: a chunk the filter cannot shrink is stored as it is (lzf refuses
    // to expand one). Every chunk is checked below to have gone through it.
    check(H5Pset_filter(dcpl.get(), filter_id, H5Z_FLAG_OPTIONAL, parameters.size(), parameters.data()),
          where + ": H5Pset_filter");
    if (H5Zfilter_avail(filter_id) <= 0) hdf5_writer::fail(where + ": HDF5 cannot load the filter's plugin");
    Handle space = simple_space({rows, cols}, where);
    create_dataset(file_id, absolute, H5T_IEEE_F32LE, space.get(), dcpl.get(), H5T_NATIVE_FLOAT, values.data(), where);
    Handle dataset(H5Dopen2(file_id, absolute.c_str(), H5P_DEFAULT), H5Dclose, where + ": H5Dopen2");
    Handle file_space(H5Dget_space(dataset.get()), H5Sclose, where + ": H5Dget_space");
    hsize_t chunks = 0;
    check(H5Dget_num_chunks(dataset.get(), file_space.get(), &chunks), where + ": H5Dget_num_chunks");
    for (hsize_t index = 0; index < chunks; ++index) {
      hsize_t offset[2];
      unsigned filter_mask = 0;
      haddr_t address = 0;
      hsize_t bytes = 0;
      check(H5Dget_chunk_info(dataset.get(), file_space.get(), index, offset, &filter_mask, &address, &bytes),
            where + ": H5Dget_chunk_info");
      if (filter_mask != 0) {
        throw std::invalid_argument(where + ": chunk " + std::to_string(index) +
                                    " was stored unfiltered (values the filter cannot compress?)");
      }
    }
  });
  return std::vector<double>(values.begin(), values.end());
}

void write_matrix_needing_filter(const std::string& file, const std::string& path, std::uint64_t rows,
                                 std::uint64_t cols, unsigned filter_id) {
  const std::string where = describe("write_matrix_needing_filter", file, "dataset", path) + " (filter " +
                            std::to_string(filter_id) + ")";
  const std::string absolute = absolute_object_path(path, where);
  if (H5Zfilter_avail(filter_id) > 0) hdf5_writer::fail(where + ": a real filter of that id is loaded here");
  const H5Z_class2_t stand_in = {H5Z_CLASS_T_VERS, static_cast<H5Z_filter_t>(filter_id), 1, 1,
                                 "rankme test stand-in", nullptr, nullptr, pass_through};
  check(H5Zregister(&stand_in), where + ": H5Zregister");
  try {
    std::vector<float> values(rows * cols);
    for (std::size_t i = 0; i < values.size(); ++i) values[i] = static_cast<float>(i % 7) - 3.0f;
    with_file(file, where, [&](hid_t file_id) {
      Handle dcpl = chunked_dcpl(rows > 4 ? rows / 4 : rows, cols, where);
      check(H5Pset_filter(dcpl.get(), filter_id, H5Z_FLAG_MANDATORY, 0, nullptr), where + ": H5Pset_filter");
      Handle space = simple_space({rows, cols}, where);
      create_dataset(file_id, absolute, H5T_IEEE_F32LE, space.get(), dcpl.get(), H5T_NATIVE_FLOAT, values.data(), where);
    });
  } catch (...) {
    H5Zunregister(static_cast<H5Z_filter_t>(filter_id));
    throw;
  }
  check(H5Zunregister(static_cast<H5Z_filter_t>(filter_id)), where + ": H5Zunregister");
}

}  // namespace rankme::testing
