#pragma once
// An HDF5 dataset as a RowSource (row_source.hpp): rows read with collective parallel HDF5 (MPI-IO), in
// the stored type, so that HDF5 converts nothing and keeps the transfer collective. A dataset of more than
// two dimensions (d0, d1, ..., dk) is presented as d0 rows of d1*...*dk values in C order, each row one
// whole-sample hyperslab (pooled_row_source.hpp makes a matrix of it).
//
// A dataset compressed with deflate (gzip), with or without shuffle, every chunk of it stored, is read
// otherwise: its stored chunks are read as they are and decoded on several threads (hdf5_chunk_reader.hpp),
// not by HDF5's single-threaded filter pipeline. Every rank of the file decides alike (from the dataset's
// creation properties), so either every rank reads collectively through HDF5 or none does.
#include <hdf5.h>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "rankme/io/hdf5_chunk_reader.hpp"
#include "rankme/io/hdf5_dataset.hpp"
#include "rankme/io/hdf5_handle.hpp"
#include "rankme/io/row_source.hpp"

namespace rankme {

class Hdf5RowSource : public RowSource {
 public:
  // Reads `dataset` of `file` (opened on every rank of one communicator: open_file_on_all_ranks), whose
  // shape and type `description` gives (describe_dataset; throws std::invalid_argument unless it has 2 or
  // more axes and a type rankme reads). Takes over both handles; `file` may be empty when the caller keeps
  // the file open itself. `path` is the file's, for fingerprint(). Every rank of the file's communicator
  // makes one. `decode_threads` (the reading thread included) decode compressed chunks when rankme decodes
  // them itself: the rank's cores, as for BLAS.
  Hdf5RowSource(Hdf5Handle file, Hdf5Handle dataset, const DatasetDescription& description, std::string path,
                int decode_threads = 1);

  std::uint64_t rows() const override { return rows_; }
  std::uint64_t cols() const override { return cols_; }
  StoredType stored_type() const override { return type_; }
  // One H5Dread of the runs (one hyperslab per run, OR-ed together), collective.
  void read_rows(const std::vector<RowRun>& runs, unsigned char* out, std::size_t out_bytes) override;
  // A range inside the last axis (one vector of an N-D sample, a column range of a matrix) is one
  // hyperslab per run, read collectively; any other range reads whole rows (RowSource's default).
  void read_row_columns(const std::vector<RowRun>& runs, std::uint64_t first_col, std::uint64_t col_count,
                        unsigned char* out, std::size_t out_bytes) override;
  FileFingerprint fingerprint() const override { return FileFingerprint::of(path_); }
  double decode_seconds() const override { return chunks_ ? chunks_->decode_seconds() : 0.0; }
  int decode_threads() const override { return chunks_ ? chunks_->threads() : 0; }
  void use_decode_threads(int threads) override {
    if (chunks_) chunks_->use_threads(threads);
  }

  // The reader of stored chunks when rankme decodes them itself, or null when HDF5 reads the dataset.
  const Hdf5ChunkReader* chunk_reader() const { return chunks_ ? &*chunks_ : nullptr; }

  // Whether HDF5 really used collective I/O for the last read (H5Pget_mpio_actual_io_mode).
  bool last_read_was_collective() const;

 private:
  // Selects, for each row of `runs`, the values from index `start` (one per axis after the first) with
  // `count` of them per axis (sample_dims_ for whole rows), in the file space (none when there are no runs).
  void select_rows(const std::vector<RowRun>& runs, const std::vector<std::uint64_t>& start,
                   const std::vector<std::uint64_t>& count);
  // One collective H5Dread of the selection, `values_per_row` values per row, into `out`.
  void read_selection(const std::vector<RowRun>& runs, const std::vector<std::uint64_t>& start,
                      const std::vector<std::uint64_t>& count, std::uint64_t values_per_row, unsigned char* out,
                      std::size_t out_bytes);

  Hdf5Handle file_;     // declared first: closed after the dataset and everything taken from it
  Hdf5Handle dataset_;
  std::string path_;
  StoredType type_;
  std::uint64_t rows_ = 0;
  std::uint64_t cols_ = 0;
  std::vector<std::uint64_t> sample_dims_;  // every axis but the first
  Hdf5Handle file_space_;
  Hdf5Handle memory_type_;
  Hdf5Handle transfer_;
  std::optional<Hdf5ChunkReader> chunks_;  // after dataset_, which it reads
};

}  // namespace rankme
