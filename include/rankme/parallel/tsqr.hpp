#pragma once
// The accurate route (--method tsqr): singular values from the R factor of a tall-skinny QR, never from
// Z^T Z. The Gram route squares the condition number and resolves singular values only down to about
// 1e-7 s_1; the R factor keeps them to about 1e-15 s_1, at about twice the flops of dsyrk.
#include <cstdint>
#include <vector>

#include "rankme/parallel/communicator.hpp"

namespace rankme {

struct TsqrPart;  // one thread's partial factor (tsqr.cpp)

// R of the rows added so far, memory O(threads x K^2 + block x K) however many rows arrive.
//
// Each block's rows are merged into R as [R; block] -> R by triangle_on_top_qr (2 b K^2 flops: the
// triangle is not refactorised), and factors merge as two triangles (2/3 K^3). While R has fewer rows
// than columns and a dense QR of the few stacked rows is cheaper, [R; block] is factorised densely
// (dgeqrf) instead, so that a wide matrix never costs K^2 memory or K^3 flops.
//
// With `threads` > 1, each thread keeps a partial R of its share of every block's rows (the block split
// into contiguous row ranges) and merges it with single-threaded BLAS, all threads at once; BLAS-3
// products of one thread each scale better than one multithreaded product of a QR (its panels are
// sequential). combine_threads() merges the partial factors (reduce_factors_to_root does it first).
//
// Centred (`centre` true), the QR analogue of the Chan-Golub-LeVeque update: each block is centred on its
// own mean, and two parts (count n, mean mu, R) merge as
//   R = qr([R_a; R_b; sqrt(n_a n_b / n) (mu_b - mu_a)^T]),  mu = mu_a + (mu_b - mu_a) n_b / n,
// since the extra row adds exactly the between-means term n_a n_b / n delta delta^T to R^T R.
//
// Data beyond 2^+-300 (float64 near 1e308 overflows R's column norms, denormals such as 5e-324 lose
// every bit in the reflectors) is held scaled by an exact power of two: the accumulator holds R / 2^S,
// S = scale_exponent(), chosen from the largest |value| so far (0 for ordinary data, whose R is then
// the plain one). RankMe and the other spectral ratios do not depend on S.
class TsqrAccumulator {
 public:
  // `threads` >= 1 (std::invalid_argument otherwise).
  explicit TsqrAccumulator(std::uint64_t cols, bool centre = false, int threads = 1);
  ~TsqrAccumulator();
  TsqrAccumulator(TsqrAccumulator&&) noexcept;
  TsqrAccumulator& operator=(TsqrAccumulator&&) noexcept;

  // Adds `rows` rows of `cols` finite values, row-major. `block` is overwritten (scaled, centred, and
  // used as the QR's workspace). `max_abs`, the block's largest |value|, is found here when not given.
  void add_block(double* block, std::uint64_t rows);
  void add_block(double* block, std::uint64_t rows, double max_abs);
  // Adds another part's R factor (r_rows x cols, upper trapezoidal, row-major, as factor() gives it) and,
  // centred, its row count and column means, all held at this accumulator's scale. Combines this
  // accumulator's threads first.
  void add_factor(std::vector<double> factor, std::uint64_t r_rows, std::uint64_t count = 0,
                  std::vector<double> mean = {});
  // Merges the threads' partial factors into one (local work, no MPI).
  void combine_threads();

  bool centred() const { return centre_; }
  int threads() const;
  std::uint64_t cols() const { return cols_; }

  // Of all rows added. These need the threads combined (one thread, or combine_threads() since the last
  // add_block): std::logic_error otherwise.
  std::uint64_t count() const;
  const std::vector<double>& mean() const;
  std::uint64_t r_rows() const;  // min(rows added, cols), rows of between-means included
  // R, r_rows() x cols(), row-major, upper trapezoidal (zeros below the diagonal).
  std::vector<double> factor() const;

  double max_abs() const { return max_abs_; }  // largest |value| added so far
  int scale_exponent() const { return scale_exponent_; }
  // Moves R and the mean to the scale chosen for a larger maximum |value| (another rank's data, before
  // the factors are merged: every part must be held at the same scale).
  void rescale_for_max_abs(double max_abs);

 private:
  const TsqrPart& whole() const;

  std::uint64_t cols_;
  bool centre_;
  std::vector<TsqrPart> parts_;
  double max_abs_ = 0;
  int scale_exponent_ = 0;
};

// Combines every rank's R up a binary tree (rank r + 2^level sends its R to rank r at each level) so that
// rank 0 holds the R of all rows, every part first moved to the scale of the largest |value| on any
// rank. A rank that merges borrows the BLAS threads of the ranks on its node that are done (they wait in a
// sleeping barrier). Collective; the others' accumulators are left spent. A failure on any
// rank throws CollectiveError on all of them (the tree completes first, so nobody is left waiting).
void reduce_factors_to_root(const Communicator& comm, TsqrAccumulator& accumulator);

// All singular values of R (descending, min(r_rows, cols) of them): by two_stage_singular_values when R is
// square with K >= 512 (its matrix-vector-free reduction is faster there), else by dgesdd without vectors.
std::vector<double> singular_values_of_factor(const TsqrAccumulator& accumulator);

}  // namespace rankme
