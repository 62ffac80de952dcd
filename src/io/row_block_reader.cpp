#include "rankme/io/row_block_reader.hpp"

#include <algorithm>
#include <exception>

#include "rankme/io/hdf5_error.hpp"
#include "rankme/os/fault_injection.hpp"

namespace rankme {

std::uint64_t default_block_rows(std::uint64_t cols, std::uint64_t chunk_rows, int stored_bytes, std::size_t value_bytes) {
  constexpr std::uint64_t target_bytes = std::uint64_t{32} << 20;
  constexpr std::uint64_t tall_chunk_budget_bytes = std::uint64_t{512} << 20;
  const std::uint64_t width = std::max<std::uint64_t>(cols, 1);
  std::uint64_t rows = std::max<std::uint64_t>(1, target_bytes / (value_bytes * width));
  rows = std::max<std::uint64_t>(rows, 64);  // BLAS needs some depth to be efficient, even for wide data
  if (chunk_rows == 0) return rows;
  if (chunk_rows <= rows) return rows - rows % chunk_rows;
  // HDF5 decompresses a whole chunk for any part of it, so blocks shorter than tall chunks (column
  // chunks, say) decompress every chunk once per block: 5.6x slower measured on 100,000 x 256 gzip
  // column chunks. Whole chunk rows per block, while they fit the budget, decompress each chunk once.
  const std::uint64_t bytes_per_row = width * (value_bytes + static_cast<std::uint64_t>(std::max(stored_bytes, 1)));
  return chunk_rows * bytes_per_row <= tall_chunk_budget_bytes ? chunk_rows : rows;
}

RowBlockReader::RowBlockReader(hid_t dataset, const StoredType& type, std::uint64_t cols, RowShard shard,
                               std::uint64_t block_rows, const SelectedRows* selected)
    : dataset_(dataset), type_(type), cols_(cols), shard_(shard), block_rows_(block_rows), selected_(selected) {
  file_space_ = Hdf5Handle(check_hdf5(H5Dget_space(dataset_), "H5Dget_space"), H5Sclose);
  // The memory type is the stored type itself, so that HDF5 converts nothing and keeps the transfer
  // collective; widen_to_double does the conversion afterwards.
  memory_type_ = Hdf5Handle(check_hdf5(H5Dget_type(dataset_), "H5Dget_type"), H5Tclose);
  transfer_ = Hdf5Handle(check_hdf5(H5Pcreate(H5P_DATASET_XFER), "H5Pcreate(transfer)"), H5Pclose);
  check_hdf5(H5Pset_dxpl_mpio(transfer_.get(), H5FD_MPIO_COLLECTIVE), "H5Pset_dxpl_mpio");
  stored_block_bytes_ = static_cast<std::size_t>(std::min(block_rows_, std::max<std::uint64_t>(shard_.count, 1)) *
                                                 cols_ * static_cast<std::uint64_t>(type_.bytes));
}

std::uint64_t RowBlockReader::read(std::uint64_t index, double* out, BlockStatistics& stats) {
  if (raw_.size() < stored_block_bytes_) raw_.resize(stored_block_bytes_);
  const std::uint64_t rows = read_stored(index, raw_.data());
  stats = rows > 0 ? widen_to_double(type_, raw_.data(), rows * cols_, out) : BlockStatistics{};
  return rows;
}

std::uint64_t RowBlockReader::read_stored(std::uint64_t index, unsigned char* raw) {
  const std::uint64_t first = index * block_rows_;
  const std::uint64_t rows = first < shard_.count ? std::min(block_rows_, shard_.count - first) : 0;
  const hsize_t memory_dims[2] = {std::max<hsize_t>(rows, 1), cols_};
  Hdf5Handle memory_space(check_hdf5(H5Screate_simple(2, memory_dims, nullptr), "H5Screate_simple"), H5Sclose);
  // The read is collective: a rank whose selection failed must still take part in it (selecting nothing)
  // or the others would wait inside H5Dread forever. Its error is raised once the read is over.
  std::exception_ptr selection_failure;
  try {
    fault_point(FaultStage::read, index);
    select_block(first, rows);
  } catch (...) {
    selection_failure = std::current_exception();
    check_hdf5(H5Sselect_none(file_space_.get()), "H5Sselect_none");
    check_hdf5(H5Sselect_none(memory_space.get()), "H5Sselect_none");
  }
  if (!selection_failure && rows == 0) check_hdf5(H5Sselect_none(memory_space.get()), "H5Sselect_none");
  check_hdf5(H5Dread(dataset_, memory_type_.get(), memory_space.get(), file_space_.get(), transfer_.get(), raw),
             "reading rows " + std::to_string(shard_.begin + first) + ".." + std::to_string(shard_.begin + first + rows));
  if (selection_failure) std::rethrow_exception(selection_failure);
  return rows;
}

void RowBlockReader::select_block(std::uint64_t first, std::uint64_t rows) {
  if (rows > 0 && (selected_ == nullptr || selected_->contiguous())) {
    const hsize_t start[2] = {shard_.begin + first, 0};
    const hsize_t count[2] = {rows, cols_};
    check_hdf5(H5Sselect_hyperslab(file_space_.get(), H5S_SELECT_SET, start, nullptr, count, nullptr),
               "selecting rows");
  } else if (rows > 0) {
    // Sampled rows, ascending: one hyperslab per run of consecutive rows, OR-ed together. HDF5 hands a
    // selection's elements over in file order, which is the order of the rows in memory.
    H5S_seloper_t operation = H5S_SELECT_SET;
    for (std::uint64_t position = shard_.begin + first, end = position + rows; position < end;) {
      const std::uint64_t run_start = selected_->row(position);
      std::uint64_t run_length = 1;
      while (position + run_length < end && selected_->row(position + run_length) == run_start + run_length) ++run_length;
      const hsize_t start[2] = {run_start, 0};
      const hsize_t count[2] = {run_length, cols_};
      check_hdf5(H5Sselect_hyperslab(file_space_.get(), operation, start, nullptr, count, nullptr), "selecting rows");
      operation = H5S_SELECT_OR;
      position += run_length;
    }
  } else {
    check_hdf5(H5Sselect_none(file_space_.get()), "H5Sselect_none");
  }
}

bool RowBlockReader::last_read_was_collective() const {
  H5D_mpio_actual_io_mode_t mode = H5D_MPIO_NO_COLLECTIVE;
  if (H5Pget_mpio_actual_io_mode(transfer_.get(), &mode) < 0) return false;
  return mode != H5D_MPIO_NO_COLLECTIVE;
}

}  // namespace rankme
