#pragma once
// RankMe and the other spectral metrics of an embedding matrix, all from the same spectrum.
// Pure numerics: no MPI, no HDF5.
//
// Notation used below. Z is the N x K embedding matrix (N rows = samples, K columns), m = min(N, K),
// s_1 >= s_2 >= ... >= s_m >= 0 its singular values (singular_values_from_gram_eigenvalues() gives
// them, descending) and lambda_k = s_k^2 (the eigenvalues of Z^T Z, i.e. of the (uncentred) second
// moment matrix up to the factor 1/N, which no metric here depends on).
//
// Common rules of every metric function below (not of rankme_from_singular_values, kept as it was):
// - Input order: any order is accepted; each function uses the values as if sorted descending.
// - Any NaN or infinity in the input gives NaN (the caller reports such data as `nonfinite`, never as
//   a number). A negative singular value is a caller error: std::invalid_argument.
// - The empty spectrum is treated like an all-zero one.
// - The metrics are scale invariant (they are computed on s_k / s_1, so no lambda_k over- or underflows).
#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace rankme {

// The paper's epsilon: p_k = s_k / sum(s) + eps.
inline constexpr double default_rankme_eps = 1e-7;

// Singular values of Z from the eigenvalues of its Gram matrix Z^T Z (any order): s_k = sqrt(lambda_k),
// descending, keeping the min(rows, cols) largest.
//
// The Gram route resolves eigenvalues only down to its rounding noise, a few u * lambda_1 (u the unit
// roundoff; measured 2.5 u at K = 64 and 7 u at K = 2048, both signs equally often). An eigenvalue at or
// below gram_noise_floor(cols) * lambda_1 is noise, and a float64 SVD of the same data would call it
// (close to) zero, so it becomes exactly zero: this is what makes an exactly rank-deficient matrix
// score like its SVD (to 1e-13 instead of 1e-5).
std::vector<double> singular_values_from_gram_eigenvalues(std::vector<double> eigenvalues,
                                                          std::uint64_t rows, std::uint64_t cols);

// Relative eigenvalue threshold used above: 4 sqrt(K) u, a 3-6x margin over the measured noise.
double gram_noise_floor(std::uint64_t cols);

// RankMe (Garrido et al., ICML 2023): exp(-sum_k p_k log p_k), p_k = s_k / sum(s) + eps over the given
// singular values. 0 when all are zero. The caller passes the min(N, K) values to use. Any NaN or
// infinity gives NaN (the caller reports such data as non-finite rather than as a number).
double rankme_from_singular_values(const std::vector<double>& singular_values,
                                   double eps = default_rankme_eps);

// ---------------------------------------------------------------------------------------------------
// The other metrics. Each takes the m singular values (see the common rules at the top).

// Effective rank (Roy & Vetterli, EUSIPCO 2007): exp(H), H = -sum_k p_k log p_k, p_k = s_k / sum(s),
// with 0 log 0 = 0 (no epsilon). Between 1 and m; 0 for an all-zero spectrum. Equals
// rankme_from_singular_values(s, 0).
double effective_rank(const std::vector<double>& singular_values);

// Stable rank: sum_k lambda_k / lambda_1 = ||Z||_F^2 / ||Z||_2^2. Between 1 and m; 0 for all-zero.
double stable_rank(const std::vector<double>& singular_values);

// Participation ratio: (sum_k lambda_k)^2 / sum_k lambda_k^2. Between 1 and m; 0 for all-zero.
double participation_ratio(const std::vector<double>& singular_values);

// NESum (He & Ozay, ICML 2022): sum_k lambda_k / lambda_1 over the eigenvalues of the covariance
// matrix, i.e. numerically the stable rank of the *centred* data. It is not a separate computation:
// this returns exactly stable_rank(singular_values). It is meaningful only when the singular values are
// those of the centred matrix (rankme --center), and compute_metrics() reports it only then.
double nesum(const std::vector<double>& singular_values);

// alpha-ReQ (Agrawal et al., NeurIPS 2022): the exponent alpha of a power law lambda_k ~ k^(-alpha),
// fitted by ordinary least squares of log(lambda_k) on log(k) over k = first..last (1-based,
// inclusive), alpha = -slope. The default range k = 11..100 is the one of the authors' code.
inline constexpr std::uint64_t default_alpha_req_first = 11;
inline constexpr std::uint64_t default_alpha_req_last = 100;

struct PowerLawFit {
  double alpha;          // NaN when fewer than 2 points are left, or for non-finite input
  double r_squared;      // coefficient of determination of the log-log fit, in [0, 1]; NaN likewise.
                         // 1 when the fit is exact, also for a flat range (alpha = 0, no variance).
  std::uint64_t first;   // the range actually fitted (1-based, inclusive), after clipping;
  std::uint64_t last;    // last < first when nothing is left
};

// Fits over k = first..last clipped to m and to the strictly positive lambda_k (last is lowered to
// min(last, m, number of s_k > 0)). At least 2 points are needed, else alpha = r_squared = NaN.
// first = 0 or first > last is a caller error: std::invalid_argument.
PowerLawFit alpha_req(const std::vector<double>& singular_values,
                      std::uint64_t first = default_alpha_req_first,
                      std::uint64_t last = default_alpha_req_last);

// Condition number: s_1 / s_m. +inf when s_m = 0 < s_1; NaN for all-zero.
double condition_number(const std::vector<double>& singular_values);

// Numerical rank: the number of s_k > rtol * s_1 (as a double, so that it can be NaN for non-finite
// input; otherwise an integer between 0 and m, 0 for all-zero). rtol must be finite and >= 0, else
// std::invalid_argument. Choose rtol by how the singular values were computed:
double numerical_rank(const std::vector<double>& singular_values, double rtol);

// The Gram route (singular_values_from_gram_eigenvalues) cannot resolve s_k below about
// sqrt(gram_noise_floor(K)) * s_1 (it sets them to zero), so a smaller rtol would claim a resolution
// it does not have: sqrt(4 sqrt(K) u), e.g. 6.0e-8 at K = 64, 1.1e-7 at K = 2048. With this rtol the
// numerical rank is the number of singular values the Gram route kept nonzero.
double default_rank_rtol_gram(std::uint64_t cols);

// An accurate (TSQR/SVD) route: max(rows, cols) * DBL_EPSILON, LAPACK's usual SVD rank tolerance
// (also numpy.linalg.matrix_rank's).
double default_rank_rtol_tsqr(std::uint64_t rows, std::uint64_t cols);

// Share of the top eigenvalue: lambda_1 / sum_k lambda_k, in [1/m, 1]; NaN for all-zero.
double top_eigenvalue_share(const std::vector<double>& singular_values);

// ---------------------------------------------------------------------------------------------------
// Every metric at once.

// The metric names in their fixed order (the order of the result keys):
// rankme, effective_rank, stable_rank, participation_ratio, nesum, alpha_req, alpha_req_r2,
// condition_number, numerical_rank, top_eigenvalue_share.
// alpha_req and alpha_req_r2 are the two values of the same fit (alpha and its R^2), selected
// independently.
std::vector<std::string> metric_names();

struct MetricSelection {
  std::set<std::string> metrics = {"rankme"};  // names from metric_names()
  double eps = default_rankme_eps;             // RankMe's epsilon
  std::uint64_t alpha_first = default_alpha_req_first;  // alpha-ReQ range (1-based, inclusive)
  std::uint64_t alpha_last = default_alpha_req_last;
  std::optional<double> rank_rtol;  // numerical_rank's rtol; unset: default_rank_rtol_gram(cols)
  std::uint64_t cols = 0;           // K, for that default; 0 = unknown (then rank_rtol must be set)
  bool centered = false;            // the spectrum is of the centred data: only then is nesum reported

  bool wants(const std::string& name) const { return metrics.count(name) != 0; }
};

// Parses a comma-separated list of metric names ("rankme,stable_rank"; spaces around names are
// ignored; "all" = every metric; duplicates are fine) into a selection with the other fields at their
// defaults. An unknown or empty name throws std::invalid_argument naming it and listing the known ones.
MetricSelection parse_metric_list(const std::string& list);

// One field per metric; empty when the metric was not selected (and nesum also when the data was not
// centred). A selected metric on non-finite input is NaN.
struct SpectrumMetrics {
  std::optional<double> rankme;
  std::optional<double> effective_rank;
  std::optional<double> stable_rank;
  std::optional<double> participation_ratio;
  std::optional<double> nesum;
  std::optional<double> alpha_req;
  std::optional<double> alpha_req_r2;
  std::optional<double> condition_number;
  std::optional<double> numerical_rank;
  std::optional<double> top_eigenvalue_share;
};

// Computes the selected metrics of the given m singular values. Throws std::invalid_argument for a
// negative singular value, a bad alpha range or rtol, or numerical_rank selected with neither
// rank_rtol nor cols set.
SpectrumMetrics compute_metrics(const std::vector<double>& singular_values,
                                const MetricSelection& selection);

// The field of `metrics` named `name` (one of metric_names(), else std::invalid_argument).
std::optional<double> metric_value(const SpectrumMetrics& metrics, const std::string& name);

}  // namespace rankme
