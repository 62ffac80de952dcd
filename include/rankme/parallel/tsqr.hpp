#pragma once
// The accurate route (--method tsqr): singular values from the R factor of a tall-skinny QR, never from
// Z^T Z. The Gram route squares the condition number and resolves singular values only down to about
// 1e-7 s_1; the R factor keeps them to about 1e-15 s_1, at about twice the flops of dsyrk.
#include <cstdint>
#include <vector>

#include "rankme/parallel/communicator.hpp"

namespace rankme {

// R of the rows added so far: each block is stacked under the current R and QR-factorised again (LAPACK
// dgeqrf on [R; block]), so memory is O(K^2 + block x K) however many rows arrive.
//
// Centred (`centre` true), the QR analogue of the Chan-Golub-LeVeque update: each block is centred on its
// own mean, and two parts (count n, mean mu, R) merge as
//   R = qr([R_a; R_b; sqrt(n_a n_b / n) (mu_b - mu_a)^T]),  mu = mu_a + (mu_b - mu_a) n_b / n,
// since the extra row adds exactly the between-means term n_a n_b / n delta delta^T to R^T R.
//
// Data beyond 2^+-300 (float64 near 1e308 overflows R's column norms, denormals such as 5e-324 lose
// every bit in the reflectors) is held scaled by an exact power of two: the accumulator holds R / 2^S,
// S = scale_exponent(), chosen from the largest |value| so far (0 for ordinary data, whose R is then
// bit-for-bit the plain one). RankMe and the other spectral ratios do not depend on S.
class TsqrAccumulator {
 public:
  explicit TsqrAccumulator(std::uint64_t cols, bool centre = false);

  // Adds `rows` rows of `cols` finite values, row-major (`block` may be scaled in place by a power of two,
  // and centred in centred mode).
  void add_block(double* block, std::uint64_t rows);
  // Adds another part's R factor (upper triangular, r_rows x cols, column-major with leading dimension
  // r_rows) and, centred, its row count and column means, all held at this accumulator's scale.
  void add_factor(const double* factor, std::uint64_t r_rows, std::uint64_t count = 0,
                  const std::vector<double>& mean = {});

  bool centred() const { return centre_; }
  std::uint64_t count() const { return count_; }
  const std::vector<double>& mean() const { return mean_; }

  std::uint64_t cols() const { return cols_; }
  std::uint64_t r_rows() const { return r_rows_; }  // min(rows added, cols)
  // R, r_rows() x cols(), column-major (leading dimension r_rows()), upper triangular.
  const std::vector<double>& factor() const { return r_; }

  double max_abs() const { return max_abs_; }       // largest |value| added so far
  int scale_exponent() const { return scale_exponent_; }
  // Moves R and the mean to the scale chosen for a larger maximum |value| (another rank's data, before
  // the factors are merged: every part must be held at the same scale).
  void rescale_for_max_abs(double max_abs);

 private:
  // QR of `stacked` (m x cols, column-major, leading dimension m); keeps its R.
  void refactor(std::vector<double>& stacked, std::uint64_t m);
  // [R; part (part_rows x cols, column-major, leading dimension part_rows); the between-means row], QR'd.
  void merge(const double* part, std::uint64_t part_rows, std::uint64_t part_count, const std::vector<double>& part_mean);

  std::uint64_t cols_;
  bool centre_;
  std::uint64_t count_ = 0;
  std::vector<double> mean_;
  std::uint64_t r_rows_ = 0;
  std::vector<double> r_;
  double max_abs_ = 0;
  int scale_exponent_ = 0;
};

// Combines every rank's R up a binary tree (rank r + 2^level sends its R to rank r at each level) so that
// rank 0 holds the R of all rows, every part first moved to the scale of the largest |value| on any
// rank. Collective; the others' accumulators are left spent. A failure on any
// rank throws CollectiveError on all of them (the tree completes first, so nobody is left waiting).
void reduce_factors_to_root(const Communicator& comm, TsqrAccumulator& accumulator);

// All singular values of R (descending, min(r_rows, cols) of them), by dgesdd without vectors.
std::vector<double> singular_values_of_factor(const TsqrAccumulator& accumulator);

}  // namespace rankme
