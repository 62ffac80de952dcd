#include "support/lidar_reference.hpp"

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <map>
#include <stdexcept>

extern "C" {
void dsyev_(const char* jobz, const char* uplo, const int* n, double* a, const int* lda, double* w, double* work,
            const int* lwork, int* info, std::size_t jobz_length, std::size_t uplo_length);
}

namespace rankme::testing {

std::vector<double> reference_lidar_eigenvalues(const std::vector<double>& row_major, std::uint64_t cols,
                                                const std::vector<std::int64_t>& ids, double delta) {
  const std::size_t k = static_cast<std::size_t>(cols);
  const std::size_t rows = ids.size();
  if (row_major.size() != rows * k) throw std::invalid_argument("reference_lidar: shape");
  std::map<std::int64_t, std::vector<std::size_t>> objects;
  for (std::size_t r = 0; r < rows; ++r) objects[ids[r]].push_back(r);
  const std::size_t n = objects.size();
  std::vector<long double> means(n * k, 0.0L), grand(k, 0.0L);
  std::vector<long double> within(k * k, 0.0L), between(k * k, 0.0L);
  long double degrees = 0;
  std::size_t index = 0;
  for (const auto& [id, members] : objects) {
    long double* mean = &means[index * k];
    for (std::size_t r : members)
      for (std::size_t c = 0; c < k; ++c) mean[c] += row_major[r * k + c];
    for (std::size_t c = 0; c < k; ++c) mean[c] /= static_cast<long double>(members.size());
    for (std::size_t r : members)
      for (std::size_t a = 0; a < k; ++a)
        for (std::size_t b = 0; b <= a; ++b)
          within[a + b * k] += (row_major[r * k + a] - mean[a]) * (row_major[r * k + b] - mean[b]);
    degrees += static_cast<long double>(members.size()) - 1;
    for (std::size_t c = 0; c < k; ++c) grand[c] += mean[c] / static_cast<long double>(n);
    ++index;
  }
  for (std::size_t i = 0; i < n; ++i)
    for (std::size_t a = 0; a < k; ++a)
      for (std::size_t b = 0; b <= a; ++b) between[a + b * k] += (means[i * k + a] - grand[a]) * (means[i * k + b] - grand[b]);
  for (std::size_t a = 0; a < k; ++a)
    for (std::size_t b = 0; b <= a; ++b) {
      within[a + b * k] = within[a + b * k] / degrees + (a == b ? delta : 0.0L);
      between[a + b * k] /= static_cast<long double>(n - 1);
      within[b + a * k] = within[a + b * k];
      between[b + a * k] = between[a + b * k];
    }
  // Cholesky Sigma_w = L L^T (lower, in place).
  std::vector<long double> l(k * k, 0.0L);
  for (std::size_t j = 0; j < k; ++j) {
    long double d = within[j + j * k];
    for (std::size_t p = 0; p < j; ++p) d -= l[j + p * k] * l[j + p * k];
    if (!(d > 0)) throw std::runtime_error("reference_lidar: Sigma_w not positive definite");
    l[j + j * k] = std::sqrt(d);
    for (std::size_t i = j + 1; i < k; ++i) {
      long double s = within[i + j * k];
      for (std::size_t p = 0; p < j; ++p) s -= l[i + p * k] * l[j + p * k];
      l[i + j * k] = s / l[j + j * k];
    }
  }
  // X = L^-1 Sigma_b (forward substitution on each column), then C = X L^-T = (L^-1 X^T)^T.
  auto solve_lower = [&](std::vector<long double>& m) {
    for (std::size_t col = 0; col < k; ++col)
      for (std::size_t i = 0; i < k; ++i) {
        long double s = m[i + col * k];
        for (std::size_t p = 0; p < i; ++p) s -= l[i + p * k] * m[p + col * k];
        m[i + col * k] = s / l[i + i * k];
      }
  };
  std::vector<long double> x = between;
  solve_lower(x);
  std::vector<long double> xt(k * k);
  for (std::size_t a = 0; a < k; ++a)
    for (std::size_t b = 0; b < k; ++b) xt[a + b * k] = x[b + a * k];
  solve_lower(xt);  // L^-1 X^T = (X L^-T)^T = C^T = C
  std::vector<double> c(k * k);
  for (std::size_t a = 0; a < k; ++a)
    for (std::size_t b = 0; b < k; ++b) c[a + b * k] = static_cast<double>((xt[a + b * k] + xt[b + a * k]) / 2);
  const int order = static_cast<int>(k);
  std::vector<double> w(k);
  int info = 0, lwork = -1;
  double query = 0;
  dsyev_("N", "L", &order, c.data(), &order, w.data(), &query, &lwork, &info, 1, 1);
  lwork = static_cast<int>(query);
  std::vector<double> work(static_cast<std::size_t>(std::max(lwork, 1)));
  dsyev_("N", "L", &order, c.data(), &order, w.data(), work.data(), &lwork, &info, 1, 1);
  if (info != 0) throw std::runtime_error("reference_lidar: dsyev failed");
  return w;
}

double reference_lidar(const std::vector<double>& row_major, std::uint64_t cols, const std::vector<std::int64_t>& ids,
                       double delta) {
  const std::vector<double> w = reference_lidar_eigenvalues(row_major, cols, ids, delta);
  long double sum = 0;
  for (double lambda : w) sum += std::max(lambda, 0.0);
  long double entropy = 0;
  for (double lambda : w) {
    const long double p = std::max(lambda, 0.0) / sum + 1e-7L;
    entropy -= p * std::log(p);
  }
  return static_cast<double>(std::exp(entropy));
}

}  // namespace rankme::testing
