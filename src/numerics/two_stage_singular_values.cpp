#include "rankme/numerics/two_stage_singular_values.hpp"

#include <algorithm>
#include <cstddef>
#include <stdexcept>

#include "rankme/lapack/bdsqr.hpp"
#include "rankme/lapack/gbbrd.hpp"
#include "rankme/lapack/larfb.hpp"
#include "rankme/lapack/geqrt3.hpp"

namespace rankme {

std::vector<double> two_stage_singular_values(std::uint64_t n, double* a, std::uint64_t lda, std::uint64_t bandwidth) {
  if (bandwidth == 0) throw std::invalid_argument("the band must have at least one superdiagonal");
  if (n == 0) return {};
  if (lda < n) throw std::logic_error("two_stage_singular_values: the leading dimension is smaller than the matrix");
  const std::uint64_t nb = std::min(bandwidth, n);
  const auto at = [&](std::uint64_t i, std::uint64_t j) -> double& { return a[i + j * lda]; };
  std::vector<double> t(nb * nb), row_panel;
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
    // and the rows below them (its own included) take the transformation. The LQ is the QR of the panel's
    // transpose P (copied out: its columns are then contiguous, where LAPACK's dgelqt3 walks strided rows,
    // ten times slower here): P = H R, so the panel times H is [R^T 0], and the rows below take H too.
    const std::uint64_t jr = std::min(jb, right);
    row_panel.resize(right * jr);
    for (std::uint64_t i = 0; i < jr; ++i) {
      for (std::uint64_t j = 0; j < right; ++j) row_panel[j + i * right] = at(k + i, k + jb + j);
    }
    dgeqrt3(right, jr, row_panel.data(), right, t.data(), nb);
    dlarfb(ReflectorSide::right, false, ReflectorStorage::columns, n - k - jr, right, jr, row_panel.data(), right, t.data(),
           nb, &at(k + jr, k + jb), lda);
    for (std::uint64_t i = 0; i < jr; ++i) {
      for (std::uint64_t j = 0; j < right; ++j) at(k + i, k + jb + j) = j <= i ? row_panel[j + i * right] : 0.0;
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
