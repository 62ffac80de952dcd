#include "rankme/io/pooled_row_source.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <stdexcept>
#include <string>
#include <utility>

namespace rankme {

namespace {

bool host_is_big_endian() {
  const std::uint16_t probe = 1;
  unsigned char first = 0;
  std::memcpy(&first, &probe, 1);
  return first == 0;
}

}  // namespace

PooledRowSource::PooledRowSource(std::unique_ptr<RowSource> inner, std::vector<std::uint64_t> shape, PoolMode mode)
    : inner_(std::move(inner)), mode_(mode) {
  if (mode == PoolMode::none || shape.size() < 3) throw std::invalid_argument("pooling needs 3 or more axes and a mode");
  for (std::size_t axis = 1; axis + 1 < shape.size(); ++axis) middle_ *= shape[axis];
  cols_ = shape.back();
  if (inner_->rows() != shape.front() || inner_->cols() != middle_ * cols_ || middle_ == 0 || cols_ == 0) {
    throw std::invalid_argument("a source of " + std::to_string(inner_->rows()) + " x " + std::to_string(inner_->cols()) +
                                " values cannot present an array of shape " + array_shape_text(shape));
  }
  rows_ = pooled_matrix_shape(shape, mode).first;
  type_ = mode == PoolMode::mean ? StoredType{StoredType::Kind::floating, 8, host_is_big_endian()} : inner_->stored_type();
}

void PooledRowSource::read_samples(const std::vector<RowRun>& sample_runs) {
  std::uint64_t samples = 0;
  for (const RowRun& run : sample_runs) samples += run.count;
  const std::size_t bytes = static_cast<std::size_t>(samples) * inner_->row_bytes();
  if (samples_.size() < bytes) samples_.resize(bytes);
  inner_->read_rows(sample_runs, samples_.data(), samples_.size());
}

void PooledRowSource::average_samples(std::uint64_t samples, unsigned char* out) {
  const StoredType stored = inner_->stored_type();
  decoded_.resize(static_cast<std::size_t>(middle_ * cols_));
  std::vector<double> mean(static_cast<std::size_t>(cols_));
  const double count = static_cast<double>(middle_);
  for (std::uint64_t sample = 0; sample < samples; ++sample) {
    widen_to_double(stored, samples_.data() + sample * inner_->row_bytes(), middle_ * cols_, decoded_.data());
    std::fill(mean.begin(), mean.end(), 0.0);
    for (std::uint64_t vector = 0; vector < middle_; ++vector) {
      const double* values = decoded_.data() + vector * cols_;
      for (std::uint64_t col = 0; col < cols_; ++col) mean[col] += values[col];
    }
    for (std::uint64_t col = 0; col < cols_; ++col) {
      double value = mean[col] / count;
      // Finite values near the largest double can overflow their sum: average the scaled values instead,
      // so only NaN and infinity in the data give a non-finite mean.
      if (!std::isfinite(value)) {
        double scaled = 0;
        for (std::uint64_t vector = 0; vector < middle_; ++vector) scaled += decoded_[vector * cols_ + col] / count;
        value = scaled;
      }
      mean[col] = value;
    }
    std::memcpy(out + sample * cols_ * sizeof(double), mean.data(), cols_ * sizeof(double));
  }
}

void PooledRowSource::copy_flattened(const std::vector<RowRun>& runs, const std::vector<RowRun>& sample_runs,
                                     unsigned char* out) {
  // Each run of rows lies inside one run of samples (the sample runs merge every run that touches or
  // follows another), whose bytes start at `offset` in samples_.
  const std::size_t vector_bytes = row_bytes();
  std::size_t sample_run = 0, offset = 0, written = 0;
  for (const RowRun& run : runs) {
    if (run.count == 0) continue;
    const std::uint64_t first_sample = run.first / middle_;
    while (sample_runs[sample_run].first + sample_runs[sample_run].count <= first_sample) {
      offset += static_cast<std::size_t>(sample_runs[sample_run].count) * inner_->row_bytes();
      ++sample_run;
    }
    const std::uint64_t skipped_vectors = run.first - sample_runs[sample_run].first * middle_;
    const std::size_t length = static_cast<std::size_t>(run.count) * vector_bytes;
    std::memcpy(out + written, samples_.data() + offset + skipped_vectors * vector_bytes, length);
    written += length;
  }
}

void PooledRowSource::read_rows(const std::vector<RowRun>& runs, unsigned char* out, std::size_t out_bytes) {
  std::uint64_t rows = 0;
  for (const RowRun& run : runs) {
    if (run.first > rows_ || run.count > rows_ - run.first) {
      throw std::out_of_range("rows " + std::to_string(run.first) + ".." + std::to_string(run.first + run.count) +
                              " of " + std::to_string(rows_));
    }
    rows += run.count;
  }
  if (rows * row_bytes() > out_bytes) throw std::logic_error("a block of " + std::to_string(rows) + " rows does not fit its buffer");
  if (mode_ == PoolMode::first || mode_ == PoolMode::last) {
    // One vector of each sample, straight into the block: sources that read a sub-range (HDF5) read
    // only it; others read the whole samples (RowSource::read_row_columns).
    const std::uint64_t index = mode_ == PoolMode::first ? 0 : middle_ - 1;
    inner_->read_row_columns(runs, index * cols_, cols_, out, out_bytes);
    return;
  }
  if (mode_ == PoolMode::mean) {
    read_samples(runs);  // a row is a sample
    average_samples(rows, out);
    return;
  }
  // The whole samples that hold the runs, ascending, runs that share or touch a sample merged.
  std::vector<RowRun> sample_runs;
  for (const RowRun& run : runs) {
    if (run.count == 0) continue;
    const std::uint64_t first = run.first / middle_, end = (run.first + run.count - 1) / middle_ + 1;
    if (!sample_runs.empty() && sample_runs.back().first + sample_runs.back().count >= first) {
      sample_runs.back().count = std::max(sample_runs.back().count, end - sample_runs.back().first);
    } else {
      sample_runs.push_back(RowRun{first, end - first});
    }
  }
  read_samples(sample_runs);
  copy_flattened(runs, sample_runs, out);
}

}  // namespace rankme
