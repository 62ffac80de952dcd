#include "rankme/numerics/two_stage_singular_values.hpp"

#include <algorithm>
#include <cstddef>
#include <stdexcept>

#include "rankme/lapack/bdsqr.hpp"
#include "rankme/lapack/gbbrd.hpp"
#include "rankme/lapack/larfb.hpp"
#include "rankme/lapack/qrt3.hpp"

namespace rankme {

std::vector<double> two_stage_singular_values(std::uint64_t n, double* a, std::uint64_t lda, std::uint64_t bandwidth) {
  if (bandwidth == 0) throw std::invalid_argument("the band must have at least one superdiagonal");
  if (n == 0) return {};
  if (lda < n) throw std::logic_error("two_stage_singular_values: the leading dimension is smaller than the matrix");
  const std::uint64_t nb = std::min(bandwidth, n);
  const auto at = [&](std::uint64_t i, std::uint64_t j) -> double& { return a[i + j * lda]; };
  std::vector<double> t(nb * nb);
  // Stage 1, block column k: the QR of the column panel A(k:n, k:k+jb) leaves R on the diagonal block and
  // takes Q^T into the columns right of it; the LQ of the row panel right of R, A(k:k+jr, k+jb:n), leaves
  // L (lower triangular) and takes Q^T into the rows below. What remains nonzero in these rows is R and L:
  // row i reaches at most column i + nb, an upper band of nb superdiagonals.
  for (std::uint64_t k = 0; k < n; k += nb) {
    const std::uint64_t jb = std::min(nb, n - k), rows = n - k, right = n - k - jb;
    dgeqrt3(rows, jb, &at(k, k), lda, t.data(), nb);
    if (right > 0) {
      dlarfb(ReflectorSide::left, true, ReflectorStorage::columns, rows, right, jb, &at(k, k), lda, t.data(), nb,
             &at(k, k + jb), lda);
    }
    for (std::uint64_t j = k; j < k + jb; ++j) std::fill(&at(j + 1, j), &at(0, j) + n, 0.0);
    if (right == 0) break;
    // At the last block the row panel may be wider than what is left right of it: LQ of its top jr rows,
    // and the rows below them (its own included) take the transformation.
    const std::uint64_t jr = std::min(jb, right);
    dgelqt3(jr, right, &at(k, k + jb), lda, t.data(), nb);
    dlarfb(ReflectorSide::right, false, ReflectorStorage::rows, n - k - jr, right, jr, &at(k, k + jb), lda, t.data(), nb,
           &at(k + jr, k + jb), lda);
    for (std::uint64_t i = k; i < k + jr; ++i) {
      for (std::uint64_t j = k + jb + (i - k) + 1; j < n; ++j) at(i, j) = 0.0;
    }
  }
  // Stage 2: the band in LAPACK's band storage, to bidiagonal form; stage 3: its singular values.
  const std::uint64_t ldab = nb + 1;
  std::vector<double> band(ldab * n, 0.0);
  for (std::uint64_t j = 0; j < n; ++j) {
    for (std::uint64_t i = j > nb ? j - nb : 0; i <= j; ++i) band[nb + i - j + j * ldab] = at(i, j);
  }
  std::vector<double> d(n), e(n);
  dgbbrd_upper_band(n, nb, band.data(), ldab, d.data(), e.data());
  dbdsqr_singular_values(n, d.data(), e.data());
  return d;
}

}  // namespace rankme
