#pragma once
// Matrices with a known spectrum for the LAPACK and ScaLAPACK wrapper tests, built with plain loops (no BLAS
// or LAPACK, so that the routine under test is not trusted to build its own reference). Header only: the
// tests of the lapack area link nothing but rankme::lapack.
#include <cmath>
#include <cstdint>
#include <vector>

namespace rankme::testing {

// The n x n Householder reflector I - 2 v v^T / (v^T v) (column-major) for a v with entries that are all
// different and non-zero: orthogonal, symmetric and far from diagonal.
inline std::vector<double> householder_reflector(std::uint64_t n, double shift) {
  std::vector<double> v(n), h(n * n, 0.0);
  double norm2 = 0;
  for (std::uint64_t i = 0; i < n; ++i) {
    v[i] = std::sin(static_cast<double>(i) + shift) + 1.5;
    norm2 += v[i] * v[i];
  }
  for (std::uint64_t j = 0; j < n; ++j) {
    for (std::uint64_t i = 0; i < n; ++i) h[i + j * n] = (i == j ? 1.0 : 0.0) - 2.0 * v[i] * v[j] / norm2;
  }
  return h;
}

// The column-major product of the rows x inner matrix a and the inner x cols matrix b.
inline std::vector<double> product(const std::vector<double>& a, const std::vector<double>& b, std::uint64_t rows,
                                   std::uint64_t inner, std::uint64_t cols) {
  std::vector<double> c(rows * cols, 0.0);
  for (std::uint64_t j = 0; j < cols; ++j) {
    for (std::uint64_t k = 0; k < inner; ++k) {
      for (std::uint64_t i = 0; i < rows; ++i) c[i + j * rows] += a[i + k * rows] * b[k + j * inner];
    }
  }
  return c;
}

// H diag(values) H for the reflector H: symmetric, with exactly `values` as its eigenvalues.
inline std::vector<double> orthogonally_similar(const std::vector<double>& values, double shift = 0.25) {
  const std::uint64_t n = values.size();
  const std::vector<double> h = householder_reflector(n, shift);
  std::vector<double> scaled = h;  // H diag(values): column j times values[j]
  for (std::uint64_t j = 0; j < n; ++j) {
    for (std::uint64_t i = 0; i < n; ++i) scaled[i + j * n] *= values[j];
  }
  return product(scaled, h, n, n, n);
}

// The strictly upper (or lower) triangle of the column-major n x n matrix overwritten with `value`.
inline void fill_upper_triangle(std::vector<double>& a, std::uint64_t n, double value) {
  for (std::uint64_t j = 1; j < n; ++j) {
    for (std::uint64_t i = 0; i < j; ++i) a[i + j * n] = value;
  }
}
inline void fill_lower_triangle(std::vector<double>& a, std::uint64_t n, double value) {
  for (std::uint64_t j = 0; j < n; ++j) {
    for (std::uint64_t i = j + 1; i < n; ++i) a[i + j * n] = value;
  }
}

// A symmetric-definite pencil (A, B) whose generalised eigenvalues (A x = lambda B x) are exactly `values`
// (up to the rounding of building it): B = L L^T for a lower triangular L with a diagonal in [1, 2] and
// small entries below it, A = L M L^T for M = orthogonally_similar(values). Both column-major, full.
struct KnownPencil {
  std::vector<double> a, b;
};
inline KnownPencil known_pencil(const std::vector<double>& values) {
  const std::uint64_t n = values.size();
  std::vector<double> l(n * n, 0.0), lt(n * n, 0.0);
  for (std::uint64_t j = 0; j < n; ++j) {
    for (std::uint64_t i = j; i < n; ++i) {
      l[i + j * n] = i == j ? 1.0 + static_cast<double>((j * 5) % 7) / 7.0 : 0.1 * std::cos(static_cast<double>(i * 3 + j));
      lt[j + i * n] = l[i + j * n];
    }
  }
  KnownPencil pencil;
  pencil.b = product(l, lt, n, n, n);
  pencil.a = product(product(l, orthogonally_similar(values), n, n, n), lt, n, n, n);
  return pencil;
}

}  // namespace rankme::testing
