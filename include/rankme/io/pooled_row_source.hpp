#pragma once
// An array of more than two dimensions scored as a matrix (--pool, pool_mode.hpp): a RowSource over
// another source that presents the array of shape (d0, d1, ..., dk) as d0 rows of d1*...*dk values in C
// order (one whole sample per row, as Hdf5RowSource and the tensor-file sources do). Pooling happens while
// each block is read; no pooled copy of the dataset is made, and memory is bounded by the block.
//
// What each mode reads and presents (M = d1*...*d(k-1), the pooled middle axes; K = dk):
//  * mean:  rows = d0, cols = K, the M vectors of a sample averaged in double; the stored type is then
//           float64 in this machine's byte order. NaN and infinity propagate into the mean, so such data
//           is reported as non-finite as it would be unpooled.
//  * first, last: rows = d0, cols = K, the first or last of the M vectors, its bytes copied as stored (the
//           stored type is kept), read with RowSource::read_row_columns: a source that reads a sub-range
//           (HDF5: a hyperslab of the vector) reads only the K values; one that does not reads the whole
//           sample (M x K values, M times the bytes scored: 197x for a ViT's CLS token) into a block-sized
//           buffer and copies the vector out.
//  * flatten: rows = d0 * M, cols = K, every (sample, middle index) a row; a run of rows is read as the
//           run of whole samples that holds it (at most one partial sample read in excess at each end, and
//           for sampled rows, --sample, a whole sample per sampled row).
//
// One read of the inner source per read of this one, with the samples of every run (none when there are
// none), so a collective inner source (parallel HDF5) keeps its contract.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

#include "rankme/io/pool_mode.hpp"
#include "rankme/io/row_source.hpp"

namespace rankme {

class PooledRowSource : public RowSource {
 public:
  // `inner` presents the array of `shape` (3 or more axes) as shape[0] x (the product of the rest); throws
  // std::invalid_argument when it does not, or when `mode` is none.
  PooledRowSource(std::unique_ptr<RowSource> inner, std::vector<std::uint64_t> shape, PoolMode mode);

  std::uint64_t rows() const override { return rows_; }
  std::uint64_t cols() const override { return cols_; }
  StoredType stored_type() const override { return type_; }
  void read_rows(const std::vector<RowRun>& runs, unsigned char* out, std::size_t out_bytes) override;
  FileFingerprint fingerprint() const override { return inner_->fingerprint(); }
  double decode_seconds() const override { return inner_->decode_seconds(); }
  int decode_threads() const override { return inner_->decode_threads(); }
  void use_decode_threads(int threads) override { inner_->use_decode_threads(threads); }

  PoolMode mode() const { return mode_; }
  // How many vectors of K values each sample holds (M above).
  std::uint64_t pooled_vectors() const { return middle_; }

 private:
  // Reads the whole samples of `sample_runs` into samples_ (one inner read).
  void read_samples(const std::vector<RowRun>& sample_runs);
  void average_samples(std::uint64_t samples, unsigned char* out);
  void copy_flattened(const std::vector<RowRun>& runs, const std::vector<RowRun>& sample_runs, unsigned char* out);

  std::unique_ptr<RowSource> inner_;
  PoolMode mode_;
  std::uint64_t middle_ = 1;  // M
  std::uint64_t rows_ = 0;
  std::uint64_t cols_ = 0;    // K
  StoredType type_;
  std::vector<unsigned char> samples_;  // the whole samples of one block, as stored
  std::vector<double> decoded_;         // mean: one sample decoded
};

}  // namespace rankme
