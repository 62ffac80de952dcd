#include "rankme/parallel/tsqr.hpp"

#include <algorithm>
#include <cmath>
#include <optional>
#include <stdexcept>
#include <string>

#include "rankme/lapack/geqrf.hpp"
#include "rankme/lapack/gesdd.hpp"
#include "rankme/numerics/block_centring.hpp"
#include "rankme/parallel/collective_status.hpp"

namespace rankme {

namespace {
// Within 2^+-300 values, R's entries (at most sqrt(N) times the largest) and the reflectors' products stay
// far from overflow and from the denormal range; dgesdd scales R itself.
constexpr int ordinary_exponent_limit = 300;

int scale_exponent_for(double max_abs) {
  if (!(max_abs > 0) || std::isinf(max_abs)) return 0;
  const int exponent = std::ilogb(max_abs);
  return std::abs(exponent) <= ordinary_exponent_limit ? 0 : exponent;
}
}  // namespace

void TsqrAccumulator::rescale_for_max_abs(double max_abs) {
  max_abs_ = std::max(max_abs_, max_abs);
  const int exponent = scale_exponent_for(max_abs_);
  if (exponent == scale_exponent_) return;
  // R_true = 2^old * held = 2^new * (held * 2^(old - new)): exact unless it underflows, and what underflows
  // is below 2^-600 of the largest value.
  const int shift = scale_exponent_ - exponent;
  for (double& value : r_) value = std::ldexp(value, shift);
  for (double& value : mean_) value = std::ldexp(value, shift);
  scale_exponent_ = exponent;
}

TsqrAccumulator::TsqrAccumulator(std::uint64_t cols, bool centre) : cols_(cols), centre_(centre) {
  if (centre_) mean_.assign(static_cast<std::size_t>(cols_), 0.0);
}

void TsqrAccumulator::refactor(std::vector<double>& stacked, std::uint64_t m) {
  std::vector<double> tau(static_cast<std::size_t>(std::min(m, cols_)) + 1);
  dgeqrf(m, cols_, stacked.data(), std::max<std::uint64_t>(m, 1), tau.data());
  // R is the upper triangle of the top min(m, K) rows; below the diagonal dgeqrf left reflectors.
  r_rows_ = std::min(m, cols_);
  r_.assign(static_cast<std::size_t>(r_rows_ * cols_), 0.0);
  for (std::uint64_t col = 0; col < cols_; ++col) {
    for (std::uint64_t row = 0; row <= std::min(col, r_rows_ - 1); ++row) r_[row + col * r_rows_] = stacked[row + col * m];
  }
}

void TsqrAccumulator::merge(const double* part, std::uint64_t part_rows, std::uint64_t part_count,
                            const std::vector<double>& part_mean) {
  // The between-means row exists only when both sides have rows (it is zero otherwise).
  const bool between = centre_ && count_ > 0 && part_count > 0;
  const std::uint64_t m = r_rows_ + part_rows + (between ? 1 : 0);
  if (m == 0) return;
  std::vector<double> stacked(static_cast<std::size_t>(m * cols_));
  const double weight = between ? std::sqrt(static_cast<double>(count_) * static_cast<double>(part_count) /
                                            static_cast<double>(count_ + part_count))
                                : 0.0;
  for (std::uint64_t col = 0; col < cols_; ++col) {
    for (std::uint64_t row = 0; row < r_rows_; ++row) stacked[row + col * m] = r_[row + col * r_rows_];
    for (std::uint64_t row = 0; row < part_rows; ++row) stacked[r_rows_ + row + col * m] = part[row + col * part_rows];
    if (between) stacked[m - 1 + col * m] = weight * (part_mean[col] - mean_[col]);
  }
  if (centre_ && part_count > 0) {
    const double total = static_cast<double>(count_ + part_count);
    for (std::uint64_t col = 0; col < cols_; ++col) {
      mean_[col] += (part_mean[col] - mean_[col]) * static_cast<double>(part_count) / total;
    }
  }
  count_ += part_count;
  refactor(stacked, m);
}

void TsqrAccumulator::add_block(double* block, std::uint64_t rows) {
  if (rows == 0 || cols_ == 0) return;
  const std::uint64_t count = rows * cols_;
  double block_max = 0;
  for (std::uint64_t i = 0; i < count; ++i) block_max = std::max(block_max, std::abs(block[i]));
  rescale_for_max_abs(block_max);
  if (scale_exponent_ != 0) {
    for (std::uint64_t i = 0; i < count; ++i) block[i] = std::ldexp(block[i], -scale_exponent_);
  }
  const std::vector<double> block_mean =
      centre_ ? centre_block_on_its_mean(block, rows, cols_) : std::vector<double>();
  // The row-major block as a column-major rows x cols part.
  std::vector<double> part(static_cast<std::size_t>(rows * cols_));
  for (std::uint64_t row = 0; row < rows; ++row) {
    for (std::uint64_t col = 0; col < cols_; ++col) part[row + col * rows] = block[row * cols_ + col];
  }
  merge(part.data(), rows, rows, block_mean);
}

void TsqrAccumulator::add_factor(const double* factor, std::uint64_t r_rows, std::uint64_t count,
                                 const std::vector<double>& mean) {
  if (cols_ == 0) return;
  merge(factor, r_rows, count, mean);
}

void reduce_factors_to_root(const Communicator& comm, TsqrAccumulator& accumulator) {
  constexpr int tag_factor = 7201;
  constexpr std::int64_t failed_marker = -1;
  // The tree keeps its shape whatever happens: a rank whose QR failed still sends (a -1 marker instead of
  // R), so that no partner waits forever, and all ranks agree on the failure at the end.
  std::optional<std::string> local_error;
  double max_abs = accumulator.max_abs();
  comm.max_in_place(&max_abs, 1);
  accumulator.rescale_for_max_abs(max_abs);
  for (int step = 1; step < comm.size(); step *= 2) {
    if (comm.rank() % (2 * step) == step) {
      // Header: R's rows (or the failure marker) and the part's row count; then R and, centred, the mean.
      std::int64_t header[2] = {local_error ? failed_marker : static_cast<std::int64_t>(accumulator.r_rows()),
                                static_cast<std::int64_t>(accumulator.count())};
      comm.send(header, 2, comm.rank() - step, tag_factor);
      if (header[0] > 0) {
        comm.send(accumulator.factor().data(), accumulator.factor().size(), comm.rank() - step, tag_factor);
      }
      if (header[0] >= 0 && accumulator.centred()) {
        comm.send(accumulator.mean().data(), accumulator.mean().size(), comm.rank() - step, tag_factor);
      }
      break;  // this rank's part of the tree is done
    }
    if (comm.rank() % (2 * step) == 0 && comm.rank() + step < comm.size()) {
      std::int64_t header[2] = {0, 0};
      comm.receive(header, 2, comm.rank() + step, tag_factor);
      const std::int64_t r_rows = header[0];
      if (r_rows == failed_marker && !local_error) local_error = "a QR factorisation failed on another rank";
      std::vector<double> factor, mean;
      if (r_rows > 0) {
        factor.resize(static_cast<std::size_t>(r_rows) * accumulator.cols());
        comm.receive(factor.data(), factor.size(), comm.rank() + step, tag_factor);
      }
      if (r_rows >= 0 && accumulator.centred()) {
        mean.resize(static_cast<std::size_t>(accumulator.cols()));
        comm.receive(mean.data(), mean.size(), comm.rank() + step, tag_factor);
      }
      try {
        if (!local_error && r_rows >= 0) {
          accumulator.add_factor(factor.data(), static_cast<std::uint64_t>(r_rows), static_cast<std::uint64_t>(header[1]), mean);
        }
      } catch (const std::exception& error) {
        local_error = error.what();
      }
    }
  }
  if (auto agreed = agree_on_failure(comm, local_error)) throw CollectiveError(*agreed);
}

std::vector<double> singular_values_of_factor(const TsqrAccumulator& accumulator) {
  const std::uint64_t m = accumulator.r_rows(), n = accumulator.cols();
  if (m == 0 || n == 0) return {};
  std::vector<double> a = accumulator.factor();
  std::vector<double> s(static_cast<std::size_t>(std::min(m, n)));
  dgesdd_singular_values(m, n, a.data(), m, s.data());
  return s;
}

}  // namespace rankme
