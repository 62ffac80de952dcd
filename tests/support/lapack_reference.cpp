#include "support/lapack_reference.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <random>
#include <stdexcept>
#include <string>

#include "support/matrix_size.hpp"

// Fortran LAPACK/BLAS entry points (LP64: Fortran INTEGER is a C int). gfortran passes the length
// of each CHARACTER argument as a hidden trailing size_t; declaring those keeps the calls correct
// with LAPACK builds that rely on them.
extern "C" {
void dgeqrf_(const int* m, const int* n, double* a, const int* lda, double* tau, double* work,
             const int* lwork, int* info);
void dorgqr_(const int* m, const int* n, const int* k, double* a, const int* lda, const double* tau,
             double* work, const int* lwork, int* info);
void dgesdd_(const char* jobz, const int* m, const int* n, double* a, const int* lda, double* s,
             double* u, const int* ldu, double* vt, const int* ldvt, double* work, const int* lwork,
             int* iwork, int* info, std::size_t jobz_length);
void dgemm_(const char* transa, const char* transb, const int* m, const int* n, const int* k,
            const double* alpha, const double* a, const int* lda, const double* b, const int* ldb,
            const double* beta, double* c, const int* ldc, std::size_t transa_length,
            std::size_t transb_length);
}

namespace rankme::testing {
namespace {

int lapack_int(std::uint64_t value, const char* what) {
  if (value > static_cast<std::uint64_t>(std::numeric_limits<int>::max())) {
    throw std::invalid_argument(std::string("rankme::testing: ") + what + " = " +
                                std::to_string(value) + " is too large for LAPACK (32-bit int)");
  }
  return static_cast<int>(value);
}

void check_lapack(int info, const char* what) {
  if (info != 0) {
    throw std::runtime_error(std::string("rankme::testing: LAPACK ") + what +
                             " failed (info=" + std::to_string(info) + ")");
  }
}

// n_rows x n_cols (n_cols <= n_rows) column-major matrix with orthonormal columns: Gaussian
// entries drawn column by column, then Q of their QR factorisation.
std::vector<double> orthonormal_columns(int n_rows, int n_cols, std::mt19937_64& generator,
                                        std::normal_distribution<double>& normal) {
  std::vector<double> a(static_cast<std::size_t>(n_rows) * static_cast<std::size_t>(n_cols));
  for (double& x : a) x = normal(generator);  // column-major storage: column by column
  std::vector<double> tau(static_cast<std::size_t>(n_cols));
  const int lda = std::max(1, n_rows);
  int info = 0;
  int lwork = -1;
  double query = 0.0;
  dgeqrf_(&n_rows, &n_cols, a.data(), &lda, tau.data(), &query, &lwork, &info);
  check_lapack(info, "dgeqrf workspace query");
  lwork = std::max(1, static_cast<int>(query));
  std::vector<double> work(static_cast<std::size_t>(lwork));
  dgeqrf_(&n_rows, &n_cols, a.data(), &lda, tau.data(), work.data(), &lwork, &info);
  check_lapack(info, "dgeqrf");
  lwork = -1;
  dorgqr_(&n_rows, &n_cols, &n_cols, a.data(), &lda, tau.data(), &query, &lwork, &info);
  check_lapack(info, "dorgqr workspace query");
  lwork = std::max(1, static_cast<int>(query));
  work.assign(static_cast<std::size_t>(lwork), 0.0);
  dorgqr_(&n_rows, &n_cols, &n_cols, a.data(), &lda, tau.data(), work.data(), &lwork, &info);
  check_lapack(info, "dorgqr");
  return a;
}

}  // namespace

std::vector<double> matrix_with_singular_values(std::uint64_t rows, std::uint64_t cols,
                                                const std::vector<double>& s, std::uint64_t seed) {
  const std::string where = "rankme::testing::matrix_with_singular_values";
  if (s.size() > std::min(rows, cols)) {
    throw std::invalid_argument(where + ": " + std::to_string(s.size()) +
                                " singular values do not fit a " + std::to_string(rows) + "x" +
                                std::to_string(cols) + " matrix");
  }
  for (const double value : s) {
    if (!std::isfinite(value) || value < 0) {
      throw std::invalid_argument(where + ": singular values must be finite and non-negative");
    }
  }
  const int m = lapack_int(rows, "rows");
  const int n = lapack_int(cols, "cols");
  const int k = static_cast<int>(s.size());
  std::vector<double> z(element_count(rows, cols, where), 0.0);
  if (k == 0) return z;

  std::mt19937_64 generator(seed);
  std::normal_distribution<double> normal(0.0, 1.0);
  const std::vector<double> u = orthonormal_columns(m, k, generator, normal);  // m x k
  std::vector<double> v = orthonormal_columns(n, k, generator, normal);        // n x k
  for (int j = 0; j < k; ++j) {  // V diag(s): scale column j
    for (int i = 0; i < n; ++i) v[static_cast<std::size_t>(j) * n + i] *= s[j];
  }
  // Row-major Z (m x n) has the memory of column-major Z^T (n x m) = (V diag(s)) U^T.
  const char no = 'N', transpose = 'T';
  const double one = 1.0, zero = 0.0;
  const int ldv = std::max(1, n), ldu = std::max(1, m);
  dgemm_(&no, &transpose, &n, &m, &k, &one, v.data(), &ldv, u.data(), &ldu, &zero, z.data(), &ldv,
         1, 1);
  return z;
}

std::vector<double> reference_singular_values(const std::vector<double>& row_major,
                                              std::uint64_t rows, std::uint64_t cols) {
  const std::string where = "rankme::testing::reference_singular_values";
  const std::size_t count = element_count(rows, cols, where);
  if (row_major.size() != count) {
    throw std::invalid_argument(where + ": got " + std::to_string(row_major.size()) +
                                " values for a " + std::to_string(rows) + "x" +
                                std::to_string(cols) + " matrix");
  }
  for (const double value : row_major) {
    if (!std::isfinite(value)) throw std::invalid_argument(where + ": the matrix must be finite");
  }
  if (count == 0) return {};
  // Row-major A is column-major A^T, which has the same singular values: no transpose needed.
  const int m = lapack_int(cols, "cols");
  const int n = lapack_int(rows, "rows");
  std::vector<double> a = row_major;  // dgesdd overwrites its input
  std::vector<double> s(static_cast<std::size_t>(std::min(m, n)));
  std::vector<int> iwork(8 * s.size());
  const char jobz = 'N';
  const int lda = std::max(1, m), ld_unused = 1;
  double unused = 0.0;  // U and VT are not referenced with JOBZ='N'
  int lwork = -1, info = 0;
  double query = 0.0;
  dgesdd_(&jobz, &m, &n, a.data(), &lda, s.data(), &unused, &ld_unused, &unused, &ld_unused, &query,
          &lwork, iwork.data(), &info, 1);
  check_lapack(info, "dgesdd workspace query");
  lwork = std::max(1, static_cast<int>(query));
  std::vector<double> work(static_cast<std::size_t>(lwork));
  dgesdd_(&jobz, &m, &n, a.data(), &lda, s.data(), &unused, &ld_unused, &unused, &ld_unused,
          work.data(), &lwork, iwork.data(), &info, 1);
  if (info != 0) {
    throw std::runtime_error(where + ": dgesdd failed (info=" + std::to_string(info) +
                             (info > 0 ? ", did not converge)" : ", illegal argument)"));
  }
  return s;  // LAPACK returns them in descending order
}

double relative_difference(double value, double reference) {
  if (value == reference) return 0;
  return std::fabs(value - reference) / std::max(std::fabs(reference), std::numeric_limits<double>::min());
}

double reference_rankme(const std::vector<double>& singular_values, double eps) {
  double sum = 0.0;
  for (const double value : singular_values) {
    if (!std::isfinite(value) || value < 0) {
      throw std::invalid_argument(
          "rankme::testing::reference_rankme: singular values must be finite and non-negative");
    }
    sum += value;
  }
  if (sum == 0.0) return 0.0;
  double entropy = 0.0;
  for (const double value : singular_values) {
    const double p = value / sum + eps;
    if (p > 0.0) entropy -= p * std::log(p);  // p log p -> 0 as p -> 0 (only when eps == 0)
  }
  return std::exp(entropy);
}

double reference_rankme_of(const std::vector<double>& row_major, std::uint64_t cols) {
  return reference_rankme(reference_singular_values(row_major, row_major.size() / cols, cols));
}

std::vector<double> log_spaced_spectrum(std::size_t count, double last_exponent) {
  std::vector<double> s(count);
  const double steps = static_cast<double>(std::max<std::size_t>(count, 2) - 1);
  for (std::size_t k = 0; k < count; ++k) s[k] = std::pow(10.0, last_exponent * static_cast<double>(k) / steps);
  return s;
}

std::vector<double> power_law_spectrum(std::size_t count, double exponent) {
  std::vector<double> s(count);
  for (std::size_t k = 0; k < count; ++k) s[k] = std::pow(static_cast<double>(k + 1), -exponent);
  return s;
}

std::vector<double> random_values(std::size_t count, std::uint64_t seed, double scale) {
  std::mt19937_64 generator(seed);
  std::normal_distribution<double> normal;
  std::vector<double> values(count);
  for (double& v : values) v = scale * normal(generator);
  return values;
}

}  // namespace rankme::testing
