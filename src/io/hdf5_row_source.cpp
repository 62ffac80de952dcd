#include "rankme/io/hdf5_row_source.hpp"

#include <algorithm>
#include <exception>
#include <stdexcept>
#include <utility>

#include "rankme/io/chunk_filters.hpp"
#include "rankme/io/hdf5_error.hpp"

namespace rankme {

namespace {

// The dataset's path as HDF5 names it ("/embeddings"), for messages about its chunks.
std::string dataset_name(hid_t dataset) {
  const ssize_t length = H5Iget_name(dataset, nullptr, 0);
  if (length <= 0) return "?";
  std::string name(static_cast<std::size_t>(length) + 1, '\0');
  H5Iget_name(dataset, name.data(), name.size());
  name.resize(static_cast<std::size_t>(length));
  return name;
}

// The filters of `dataset` when its chunks are read and decoded by rankme (Hdf5ChunkReader): a pipeline it
// decodes, the chunk shape as many axes as the data, and every chunk stored (a missing chunk would be fill
// values, which HDF5 supplies).
std::optional<ChunkFilters> filters_decoded_here(hid_t dataset, const DatasetDescription& description) {
#if H5_VERSION_GE(1, 10, 5)  // H5Dget_chunk_info_by_coord
  if (description.chunk_dims.size() != description.dims.size() || !description.storage_allocated ||
      description.allocated_chunks != description.expected_chunks) {
    return std::nullopt;
  }
  Hdf5Handle creation(check_hdf5(H5Dget_create_plist(dataset), "H5Dget_create_plist"), H5Pclose);
  return decodable_chunk_filters(creation.get());
#else
  (void)dataset;
  (void)description;
  return std::nullopt;
#endif
}

}  // namespace

Hdf5RowSource::Hdf5RowSource(Hdf5Handle file, Hdf5Handle dataset, const DatasetDescription& description,
                             std::string path, int decode_threads)
    : file_(std::move(file)), dataset_(std::move(dataset)), path_(std::move(path)) {
  if (description.dims.size() < 2 || !description.type) {
    throw std::invalid_argument("not a matrix rankme reads (" + description.type_description + " " +
                                description.shape() + ")");
  }
  type_ = *description.type;
  rows_ = description.dims[0];
  // An N-D array is read as whole samples: dims[0] rows of every other axis's values in C order.
  cols_ = 1;
  for (std::size_t axis = 1; axis < description.dims.size(); ++axis) {
    if (__builtin_mul_overflow(cols_, description.dims[axis], &cols_)) throw std::invalid_argument("too many values per row");
  }
  sample_dims_.assign(description.dims.begin() + 1, description.dims.end());
  file_space_ = Hdf5Handle(check_hdf5(H5Dget_space(dataset_.get()), "H5Dget_space"), H5Sclose);
  // The memory type is the stored type itself, so that HDF5 converts nothing and keeps the transfer
  // collective; widen_to_double does the conversion afterwards.
  memory_type_ = Hdf5Handle(check_hdf5(H5Dget_type(dataset_.get()), "H5Dget_type"), H5Tclose);
  transfer_ = Hdf5Handle(check_hdf5(H5Pcreate(H5P_DATASET_XFER), "H5Pcreate(transfer)"), H5Pclose);
  check_hdf5(H5Pset_dxpl_mpio(transfer_.get(), H5FD_MPIO_COLLECTIVE), "H5Pset_dxpl_mpio");
  if (const std::optional<ChunkFilters> filters = filters_decoded_here(dataset_.get(), description)) {
    chunks_.emplace(dataset_.get(), dataset_name(dataset_.get()), ChunkGrid{description.dims, description.chunk_dims},
                    H5Tget_size(memory_type_.get()), *filters, decode_threads);
  }
}

void Hdf5RowSource::read_rows(const std::vector<RowRun>& runs, unsigned char* out, std::size_t out_bytes) {
  read_selection(runs, std::vector<std::uint64_t>(sample_dims_.size(), 0), sample_dims_, cols_, out, out_bytes);
}

void Hdf5RowSource::read_row_columns(const std::vector<RowRun>& runs, std::uint64_t first_col, std::uint64_t col_count,
                                     unsigned char* out, std::size_t out_bytes) {
  const std::uint64_t last_axis = sample_dims_.back();
  // Inside one run of the last axis: the index of first_col on every axis, and col_count values on the last.
  if (first_col > cols_ || col_count > cols_ - first_col || col_count == 0 || first_col % last_axis + col_count > last_axis) {
    RowSource::read_row_columns(runs, first_col, col_count, out, out_bytes);
    return;
  }
  std::vector<std::uint64_t> start(sample_dims_.size()), count(sample_dims_.size(), 1);
  std::uint64_t remainder = first_col;
  for (std::size_t axis = sample_dims_.size(); axis-- > 0;) {
    start[axis] = remainder % sample_dims_[axis];
    remainder /= sample_dims_[axis];
  }
  count.back() = col_count;
  read_selection(runs, start, count, col_count, out, out_bytes);
}

void Hdf5RowSource::read_selection(const std::vector<RowRun>& runs, const std::vector<std::uint64_t>& start,
                                   const std::vector<std::uint64_t>& count, std::uint64_t values_per_row,
                                   unsigned char* out, std::size_t out_bytes) {
  std::uint64_t rows = 0;
  for (const RowRun& run : runs) rows += run.count;
  const std::string which = runs.empty() ? std::string("no rows")
                                         : "rows " + std::to_string(runs.front().first) + ".." +
                                               std::to_string(runs.back().first + runs.back().count);
  if (chunks_) {
    // Independent reads of stored chunks: no collective to take part in, so a bad request throws at once.
    if (rows * values_per_row * static_cast<std::uint64_t>(type_.bytes) > out_bytes) {
      throw std::logic_error("a block of " + std::to_string(rows) + " rows does not fit its buffer");
    }
    for (const RowRun& run : runs) {
      if (run.first > rows_ || run.count > rows_ - run.first) throw std::out_of_range(which + " of " + std::to_string(rows_));
    }
    try {
      chunks_->read(runs, start, count, out, out_bytes);
    } catch (const std::runtime_error& error) {
      throw std::runtime_error("reading " + which + ": " + error.what());
    }
    return;
  }
  const hsize_t memory_dims[2] = {std::max<hsize_t>(rows, 1), values_per_row};
  Hdf5Handle memory_space(check_hdf5(H5Screate_simple(2, memory_dims, nullptr), "H5Screate_simple"), H5Sclose);
  // The read is collective: a rank whose selection failed must still take part in it (selecting nothing)
  // or the others would wait inside H5Dread forever. Its error is raised once the read is over.
  std::exception_ptr selection_failure;
  try {
    const std::uint64_t bytes = rows * values_per_row * static_cast<std::uint64_t>(type_.bytes);
    if (bytes > out_bytes) throw std::logic_error("a block of " + std::to_string(rows) + " rows does not fit its buffer");
    select_rows(runs, start, count);
  } catch (...) {
    selection_failure = std::current_exception();
    check_hdf5(H5Sselect_none(file_space_.get()), "H5Sselect_none");
    check_hdf5(H5Sselect_none(memory_space.get()), "H5Sselect_none");
  }
  if (!selection_failure && rows == 0) check_hdf5(H5Sselect_none(memory_space.get()), "H5Sselect_none");
  check_hdf5(H5Dread(dataset_.get(), memory_type_.get(), memory_space.get(), file_space_.get(), transfer_.get(), out),
             "reading " + which);
  if (selection_failure) std::rethrow_exception(selection_failure);
}

void Hdf5RowSource::select_rows(const std::vector<RowRun>& runs, const std::vector<std::uint64_t>& start,
                                const std::vector<std::uint64_t>& count) {
  if (runs.empty()) {
    check_hdf5(H5Sselect_none(file_space_.get()), "H5Sselect_none");
    return;
  }
  // Sampled rows come as several runs, OR-ed together. HDF5 hands a selection's elements over in file
  // order, which is the order of the rows in memory (the runs ascend).
  H5S_seloper_t operation = H5S_SELECT_SET;
  std::vector<hsize_t> file_start(start.size() + 1), file_count(count.size() + 1);
  std::copy(start.begin(), start.end(), file_start.begin() + 1);
  std::copy(count.begin(), count.end(), file_count.begin() + 1);
  for (const RowRun& run : runs) {
    file_start[0] = run.first;
    file_count[0] = run.count;
    check_hdf5(H5Sselect_hyperslab(file_space_.get(), operation, file_start.data(), nullptr, file_count.data(), nullptr),
               "selecting rows");
    operation = H5S_SELECT_OR;
  }
}

bool Hdf5RowSource::last_read_was_collective() const {
  H5D_mpio_actual_io_mode_t mode = H5D_MPIO_NO_COLLECTIVE;
  if (H5Pget_mpio_actual_io_mode(transfer_.get(), &mode) < 0) return false;
  return mode != H5D_MPIO_NO_COLLECTIVE;
}

}  // namespace rankme
