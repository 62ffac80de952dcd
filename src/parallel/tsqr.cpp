#include "rankme/parallel/tsqr.hpp"

#include <algorithm>
#include <cmath>
#include <exception>
#include <limits>
#include <optional>
#include <stdexcept>
#include <string>
#include <system_error>
#include <thread>
#include <utility>

#include "rankme/lapack/geqrf.hpp"
#include "rankme/lapack/gesdd.hpp"
#include "rankme/numerics/block_centring.hpp"
#include "rankme/numerics/row_shard.hpp"
#include "rankme/numerics/triangle_on_top_qr.hpp"
#include "rankme/numerics/two_stage_singular_values.hpp"
#include "rankme/parallel/blas_threads.hpp"
#include "rankme/parallel/collective_status.hpp"

namespace rankme {

struct TsqrPart {
  std::uint64_t count = 0;
  std::vector<double> mean;  // centred only
  std::uint64_t r_rows = 0;
  // R: r_rows x cols, upper trapezoidal, row-major (leading dimension cols). Once triangle_on_top_qr has
  // merged into it, `r` holds the whole cols x cols triangle, zero from row r_rows on.
  std::vector<double> r;
  TriangleOnTopQr qr;  // its workspace

  TsqrPart(std::uint64_t cols, bool centre) : mean(centre ? static_cast<std::size_t>(cols) : 0, 0.0), qr(cols) {}
};

namespace {
// Within 2^+-300 values, R's entries (at most sqrt(N) times the largest) and the reflectors' products stay
// far from overflow and from the denormal range; the reductions of R that find its singular values never
// square its entries.
constexpr int ordinary_exponent_limit = 300;

// From this order on, R's singular values come from the two-stage reduction rather than dgesdd. Measured
// with 2 OpenBLAS threads on a 2-core Zen 4 (OpenBLAS 0.3.21, Cooperlake kernel): alike up to K = 384, 1.5
// times as fast at 512 to 1024, 2 at 2048, 3 at 4096 (dgesdd's matrix-vector products stream the matrix
// from memory), more when other processes share the cache. Bands of 32 and 48 measured alike, 64 slower.
constexpr std::uint64_t two_stage_from_columns = 512;
constexpr std::uint64_t two_stage_bandwidth = 32;

int scale_exponent_for(double max_abs) {
  if (!(max_abs > 0) || std::isinf(max_abs)) return 0;
  const int exponent = std::ilogb(max_abs);
  return std::abs(exponent) <= ordinary_exponent_limit ? 0 : exponent;
}

// B(i, j).
double element(const StackedRows& b, std::uint64_t i, std::uint64_t j) {
  if (b.upper_trapezoidal && j < i) return 0.0;  // not read: zero by definition
  return b.data[i * b.leading + j];
}

// Flops of the two ways to merge `b` into an R of r_rows rows (m rows stacked in all, m < cols): a dense
// QR of the m x cols stack, and triangle_on_top_qr (which works on the whole cols x cols triangle).
double dense_flops(double m, double cols) { return 2 * m * m * cols - 2.0 / 3.0 * m * m * m; }
double triangle_flops(const StackedRows& b, double cols) {
  const double rows = std::min(static_cast<double>(b.rows), cols);
  return b.upper_trapezoidal ? 2 * rows * cols * cols - 2 * rows * rows * cols + 2.0 / 3.0 * rows * rows * rows
                             : 2 * static_cast<double>(b.rows) * cols * cols;
}

// [R; B; between] densely: LAPACK dgeqrf of the stacked m x cols matrix (m < cols), keeping R compact.
void merge_densely(TsqrPart& part, const StackedRows& b, const std::vector<double>& between, std::uint64_t cols) {
  const std::uint64_t m = part.r_rows + b.rows + (between.empty() ? 0 : 1);
  std::vector<double> stacked(static_cast<std::size_t>(m * cols), 0.0);
  for (std::uint64_t col = 0; col < cols; ++col) {
    double* const column = stacked.data() + col * m;
    for (std::uint64_t row = 0; row < std::min(col + 1, part.r_rows); ++row) column[row] = part.r[row * cols + col];
    for (std::uint64_t row = 0; row < b.rows; ++row) column[part.r_rows + row] = element(b, row, col);
    if (!between.empty()) column[m - 1] = between[col];
  }
  std::vector<double> tau(static_cast<std::size_t>(std::min(m, cols)));
  dgeqrf(m, cols, stacked.data(), m, tau.data());
  // R is the upper triangle of the top min(m, K) rows; below the diagonal dgeqrf left reflectors.
  part.r_rows = std::min(m, cols);
  part.r.assign(static_cast<std::size_t>(part.r_rows * cols), 0.0);
  for (std::uint64_t col = 0; col < cols; ++col) {
    for (std::uint64_t row = 0; row < std::min(col + 1, part.r_rows); ++row) part.r[row * cols + col] = stacked[row + col * m];
  }
}

// [R; B; between] by triangle_on_top_qr, R held as the whole cols x cols triangle.
void merge_into_triangle(TsqrPart& part, const StackedRows& b, std::vector<double> between, std::uint64_t cols) {
  part.r.resize(static_cast<std::size_t>(cols * cols), 0.0);  // the rows from r_rows on: zero
  part.qr.apply(part.r.data(), cols, b);
  if (!between.empty()) part.qr.apply(part.r.data(), cols, StackedRows{between.data(), 1, cols, false});
  const std::uint64_t rows = std::min(part.r_rows + b.rows + (between.empty() ? 0 : 1), cols);
  // With fewer stacked rows than columns, R's rows from `rows` on are zero in exact arithmetic; what
  // rounding left there (of the order of u ||B||) is dropped, a perturbation within the QR's own error.
  std::fill(part.r.begin() + static_cast<std::ptrdiff_t>(rows * cols), part.r.end(), 0.0);
  part.r_rows = rows;
}

// Merges `b`, standing for `count` rows with column means `b_mean` (centred), into `part`: the rows, and
// the between-means row when both sides have rows.
void merge_rows(TsqrPart& part, const StackedRows& b, std::uint64_t count, const std::vector<double>& b_mean,
                std::uint64_t cols) {
  std::vector<double> between;
  if (!part.mean.empty() && count > 0) {
    const double total = static_cast<double>(part.count + count);
    if (part.count > 0) {
      const double weight = std::sqrt(static_cast<double>(part.count) * static_cast<double>(count) / total);
      between.resize(static_cast<std::size_t>(cols));
      for (std::uint64_t col = 0; col < cols; ++col) between[col] = weight * (b_mean[col] - part.mean[col]);
    }
    for (std::uint64_t col = 0; col < cols; ++col) {
      part.mean[col] += (b_mean[col] - part.mean[col]) * static_cast<double>(count) / total;
    }
  }
  part.count += count;
  if (b.rows == 0 && between.empty()) return;
  const std::uint64_t m = part.r_rows + b.rows + (between.empty() ? 0 : 1);
  const auto k = static_cast<double>(cols);
  if (m < cols && dense_flops(static_cast<double>(m), k) <= triangle_flops(b, k)) {
    merge_densely(part, b, between, cols);
  } else {
    merge_into_triangle(part, b, std::move(between), cols);
  }
}

// Merges `from` into `into` (the larger triangle takes the smaller: merging is symmetric); `from` is spent.
void merge_parts(TsqrPart& into, TsqrPart& from, std::uint64_t cols) {
  if (from.r_rows > into.r_rows) {
    std::swap(into.count, from.count);
    std::swap(into.mean, from.mean);
    std::swap(into.r_rows, from.r_rows);
    std::swap(into.r, from.r);
  }
  merge_rows(into, StackedRows{from.r.data(), from.r_rows, cols, true}, from.count, from.mean, cols);
  from.count = 0;
  std::fill(from.mean.begin(), from.mean.end(), 0.0);
  from.r_rows = 0;
  std::vector<double>().swap(from.r);  // its memory too
}

// Runs work(0) .. work(lanes - 1) at once, work(0) on this thread, with single-threaded BLAS (each lane is
// one thread's worth); rethrows the first lane's exception once all have finished. A thread that cannot
// be started leaves its lane to this thread.
template <typename Work>
void run_lanes(std::size_t lanes, const Work& work) {
  if (lanes <= 1) {
    if (lanes == 1) work(0);
    return;
  }
  const BorrowedBlasThreads one_each(1);
  std::vector<std::exception_ptr> errors(lanes);
  const auto guarded = [&](std::size_t lane) {
    try {
      work(lane);
    } catch (...) {
      errors[lane] = std::current_exception();
    }
  };
  std::vector<std::thread> helpers;
  helpers.reserve(lanes - 1);
  std::size_t started = 1;
  try {
    for (; started < lanes; ++started) helpers.emplace_back(guarded, started);
  } catch (const std::system_error&) {
    // No thread for this lane and those after it: they run here instead.
  }
  guarded(0);
  for (std::size_t lane = started; lane < lanes; ++lane) guarded(lane);
  for (std::thread& helper : helpers) helper.join();
  for (const std::exception_ptr& error : errors) {
    if (error) std::rethrow_exception(error);
  }
}
}  // namespace

TsqrAccumulator::TsqrAccumulator(std::uint64_t cols, bool centre, int threads) : cols_(cols), centre_(centre) {
  if (threads < 1) throw std::invalid_argument("TSQR needs at least one thread, not " + std::to_string(threads));
  for (int lane = 0; lane < threads; ++lane) parts_.emplace_back(cols, centre);
}

TsqrAccumulator::~TsqrAccumulator() = default;
TsqrAccumulator::TsqrAccumulator(TsqrAccumulator&&) noexcept = default;
TsqrAccumulator& TsqrAccumulator::operator=(TsqrAccumulator&&) noexcept = default;

int TsqrAccumulator::threads() const { return static_cast<int>(parts_.size()); }

void TsqrAccumulator::rescale_for_max_abs(double max_abs) {
  max_abs_ = std::max(max_abs_, max_abs);
  const int exponent = scale_exponent_for(max_abs_);
  if (exponent == scale_exponent_) return;
  // R_true = 2^old * held = 2^new * (held * 2^(old - new)): exact unless it underflows, and what underflows
  // is below 2^-600 of the largest value.
  const int shift = scale_exponent_ - exponent;
  for (TsqrPart& part : parts_) {
    for (double& value : part.r) value = std::ldexp(value, shift);
    for (double& value : part.mean) value = std::ldexp(value, shift);
  }
  scale_exponent_ = exponent;
}

void TsqrAccumulator::add_block(double* block, std::uint64_t rows) {
  double block_max = 0;
  for (std::uint64_t i = 0; i < rows * cols_; ++i) block_max = std::max(block_max, std::abs(block[i]));
  add_block(block, rows, block_max);
}

void TsqrAccumulator::add_block(double* block, std::uint64_t rows, double max_abs) {
  if (rows == 0 || cols_ == 0) return;
  rescale_for_max_abs(max_abs);
  if (scale_exponent_ != 0) {
    for (std::uint64_t i = 0; i < rows * cols_; ++i) block[i] = std::ldexp(block[i], -scale_exponent_);
  }
  // Each thread takes a contiguous range of the block's rows (row-major: a block of its own, in place).
  const int lanes = static_cast<int>(std::min<std::uint64_t>(parts_.size(), rows));
  run_lanes(static_cast<std::size_t>(lanes), [&](std::size_t lane) {
    const RowShard share = RowShard::of_rank(rows, static_cast<int>(lane), lanes);
    double* const first = block + share.begin * cols_;
    const std::vector<double> share_mean = centre_ ? centre_block_on_its_mean(first, share.count, cols_) : std::vector<double>();
    merge_rows(parts_[lane], StackedRows{first, share.count, cols_, false}, share.count, share_mean, cols_);
  });
}

void TsqrAccumulator::combine_threads() {
  for (std::size_t lane = 1; lane < parts_.size(); ++lane) merge_parts(parts_[0], parts_[lane], cols_);
}

void TsqrAccumulator::add_factor(std::vector<double> factor, std::uint64_t r_rows, std::uint64_t count,
                                 std::vector<double> mean) {
  if (cols_ == 0) return;
  if (r_rows > cols_ || factor.size() != r_rows * cols_ || (centre_ && mean.size() != cols_)) {
    throw std::logic_error("TsqrAccumulator::add_factor: a factor or mean of the wrong size");
  }
  if (!centre_) mean.clear();
  combine_threads();
  TsqrPart other(cols_, false);
  other.count = count;
  other.mean = std::move(mean);
  other.r_rows = r_rows;
  other.r = std::move(factor);
  merge_parts(parts_[0], other, cols_);
}

const TsqrPart& TsqrAccumulator::whole() const {
  for (std::size_t lane = 1; lane < parts_.size(); ++lane) {
    if (parts_[lane].count > 0 || parts_[lane].r_rows > 0) {
      throw std::logic_error("TsqrAccumulator: the threads' factors are not combined (combine_threads)");
    }
  }
  return parts_[0];
}

std::uint64_t TsqrAccumulator::count() const { return whole().count; }
const std::vector<double>& TsqrAccumulator::mean() const { return whole().mean; }
std::uint64_t TsqrAccumulator::r_rows() const { return whole().r_rows; }

std::vector<double> TsqrAccumulator::factor() const {
  const TsqrPart& part = whole();
  return std::vector<double>(part.r.begin(), part.r.begin() + static_cast<std::ptrdiff_t>(part.r_rows * cols_));
}

void reduce_factors_to_root(const Communicator& comm, TsqrAccumulator& accumulator) {
  constexpr int tag_factor = 7201;
  constexpr std::int64_t failed_marker = -1;
  // The tree keeps its shape whatever happens: a rank whose QR failed still sends (a -1 marker instead of
  // R), so that no partner waits forever, and all ranks agree on the failure at the end.
  std::optional<std::string> local_error;
  try {
    accumulator.combine_threads();
  } catch (const std::exception& error) {
    local_error = error.what();
  }
  double max_abs = accumulator.max_abs();
  comm.max_in_place(&max_abs, 1);
  accumulator.rescale_for_max_abs(max_abs);
  // Each rank's node (the lowest rank on it), on every rank: a rank that merges borrows the BLAS threads of
  // the ranks of its subtree on its node, which have sent their factors and wait in a sleeping barrier.
  std::vector<int> node_of(static_cast<std::size_t>(comm.size()), std::numeric_limits<int>::max());
  if (comm.size() > 1) {
    int leader = comm.rank();
    comm.split_by_node().broadcast(leader, 0);
    node_of[static_cast<std::size_t>(comm.rank())] = leader;
    comm.min_in_place(node_of.data(), node_of.size());
  }
  for (int step = 1; step < comm.size(); step *= 2) {
    if (comm.rank() % (2 * step) == step) {
      // Header: R's rows (or the failure marker) and the part's row count; then R and, centred, the mean.
      std::int64_t header[2] = {failed_marker, 0};
      if (!local_error) {
        header[0] = static_cast<std::int64_t>(accumulator.r_rows());
        header[1] = static_cast<std::int64_t>(accumulator.count());
      }
      comm.send(header, 2, comm.rank() - step, tag_factor);
      if (header[0] > 0) {
        const std::vector<double> factor = accumulator.factor();
        comm.send(factor.data(), factor.size(), comm.rank() - step, tag_factor);
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
          int idle = 0;  // ranks (rank, rank + 2 step) are done with the tree
          for (int other = comm.rank() + 1; other < std::min(comm.rank() + 2 * step, comm.size()); ++other) {
            if (node_of[static_cast<std::size_t>(other)] == node_of[static_cast<std::size_t>(comm.rank())]) ++idle;
          }
          const BorrowedBlasThreads borrowed(current_blas_threads() * (1 + idle));
          accumulator.add_factor(std::move(factor), static_cast<std::uint64_t>(r_rows), static_cast<std::uint64_t>(header[1]),
                                 std::move(mean));
        }
      } catch (const std::exception& error) {
        local_error = error.what();
      }
    }
  }
  if (comm.size() > 1) comm.barrier_sleeping();
  if (auto agreed = agree_on_failure(comm, local_error)) throw CollectiveError(*agreed);
}

std::vector<double> singular_values_of_factor(const TsqrAccumulator& accumulator) {
  const std::uint64_t m = accumulator.r_rows(), n = accumulator.cols();
  if (m == 0 || n == 0) return {};
  // Row-major R is column-major R^T, which has the same singular values.
  std::vector<double> a = accumulator.factor();
  if (m == n && n >= two_stage_from_columns) return two_stage_singular_values(n, a.data(), n, two_stage_bandwidth);
  std::vector<double> s(static_cast<std::size_t>(std::min(m, n)));
  dgesdd_singular_values(n, m, a.data(), n, s.data());
  return s;
}

}  // namespace rankme
