#include "rankme/numerics/triangle_on_top_qr.hpp"

#include <cblas.h>

#include <algorithm>
#include <cstddef>
#include <stdexcept>

#include "rankme/lapack/blas_int.hpp"
#include "rankme/lapack/tpqrt2.hpp"

namespace rankme {

namespace {

// Panels at most this wide are factorised by dtpqrt2 itself (vector operations, column by column). Leaves
// of 4, 8 and 16 columns measured alike (1,024 and 2,048 rows, K = 2048): the leaves hold few of the flops.
constexpr blas_int recursion_leaf_columns = 8;

std::size_t offset(blas_int row, blas_int col, blas_int leading) {
  return static_cast<std::size_t>(row) + static_cast<std::size_t>(col) * static_cast<std::size_t>(leading);
}

// [A; V] = Q [R; 0] for A (n x n upper triangular, leading dimension lda) on top of the dense m x n V
// (leading dimension ldv), recursively on halves of the columns (Elmroth and Gustavson): R overwrites A,
// the reflectors overwrite V, and T (leading dimension ldt) receives the block reflector's triangular
// factor, Q = I - [I; V] T [I; V]^T. The reflectors' top parts are the identity (R's rows below the
// diagonal are zero and stay so), which is why the merge of the two halves' factors needs only V:
//   T = [T1, -T1 (V1^T V2) T2; 0, T2].
void factor_panel(blas_int m, blas_int n, double* a, blas_int lda, double* v, blas_int ldv, double* t, blas_int ldt) {
  if (n <= recursion_leaf_columns) {
    dtpqrt2(static_cast<std::uint64_t>(m), static_cast<std::uint64_t>(n), 0, a, static_cast<std::uint64_t>(lda), v,
            static_cast<std::uint64_t>(ldv), t, static_cast<std::uint64_t>(ldt));
    return;
  }
  const blas_int n1 = n / 2, n2 = n - n1;
  double* const a12 = a + offset(0, n1, lda);
  double* const a22 = a + offset(n1, n1, lda);
  double* const v2 = v + offset(0, n1, ldv);
  double* const t12 = t + offset(0, n1, ldt);  // the update's workspace first, then T's off-diagonal block
  double* const t22 = t + offset(n1, n1, ldt);
  factor_panel(m, n1, a, lda, v, ldv, t, ldt);
  // The first half's reflectors applied to the second half's columns: W = T1^T (A12 + V1^T V2), A12 -= W,
  // V2 -= V1 W.
  for (blas_int col = 0; col < n2; ++col) {
    std::copy_n(a12 + offset(0, col, lda), n1, t12 + offset(0, col, ldt));
  }
  cblas_dgemm(CblasColMajor, CblasTrans, CblasNoTrans, n1, n2, m, 1.0, v, ldv, v2, ldv, 1.0, t12, ldt);
  cblas_dtrmm(CblasColMajor, CblasLeft, CblasUpper, CblasTrans, CblasNonUnit, n1, n2, 1.0, t, ldt, t12, ldt);
  for (blas_int col = 0; col < n2; ++col) {
    for (blas_int row = 0; row < n1; ++row) a12[offset(row, col, lda)] -= t12[offset(row, col, ldt)];
  }
  cblas_dgemm(CblasColMajor, CblasNoTrans, CblasNoTrans, m, n2, n1, -1.0, v, ldv, t12, ldt, 1.0, v2, ldv);
  factor_panel(m, n2, a22, lda, v2, ldv, t22, ldt);
  cblas_dgemm(CblasColMajor, CblasTrans, CblasNoTrans, n1, n2, m, 1.0, v, ldv, v2, ldv, 0.0, t12, ldt);
  cblas_dtrmm(CblasColMajor, CblasLeft, CblasUpper, CblasNoTrans, CblasNonUnit, n1, n2, -1.0, t, ldt, t12, ldt);
  cblas_dtrmm(CblasColMajor, CblasRight, CblasUpper, CblasNoTrans, CblasNonUnit, n1, n2, 1.0, t22, ldt, t12, ldt);
}

}  // namespace

TriangleOnTopQr::TriangleOnTopQr(std::uint64_t cols, std::uint64_t panel_columns)
    : cols_(cols), panel_(std::min(panel_columns, std::max<std::uint64_t>(cols, 1))) {
  if (panel_columns == 0) throw std::invalid_argument("the QR panel must have at least one column");
  to_blas_int(cols, "columns");
}

void TriangleOnTopQr::apply(double* r, std::uint64_t ldr, const StackedRows& b) {
  if (b.rows == 0 || cols_ == 0) return;
  if (ldr < cols_ || b.leading < cols_) {
    throw std::logic_error("triangle_on_top_qr: a leading dimension is smaller than its matrix");
  }
  const blas_int k = to_blas_int(cols_, "columns"), rows = to_blas_int(b.rows, "block rows");
  const blas_int lr = to_blas_int(ldr, "leading dimension of R"), lb = to_blas_int(b.leading, "leading dimension of B");
  const blas_int nb = static_cast<blas_int>(panel_);
  // Sized for this call (a count that does not fit the libraries' int was refused above).
  diagonal_.resize(panel_ * panel_);
  reflectors_.resize(static_cast<std::size_t>(b.rows) * panel_);
  block_factor_.resize(panel_ * panel_);
  product_.resize(cols_ * panel_);
  double* const a = diagonal_.data();
  double* const v = reflectors_.data();
  double* const t = block_factor_.data();
  double* const w = product_.data();
  // Row-major R(i, j) and B(i, j); column-major BLAS sees R^T and B^T there.
  const auto r_at = [&](blas_int i, blas_int j) -> double& { return r[offset(j, i, lr)]; };
  for (blas_int j = 0; j < k; j += nb) {
    const blas_int jb = std::min(nb, k - j), n = k - j - jb;
    // Rows of B that are not zero in these columns: all of them, or those above the trapezoid's edge.
    const blas_int m = b.upper_trapezoidal ? std::min(rows, j + jb) : rows;
    // The panel: R's diagonal block and B's columns, copied out column-major (V is then contiguous for the
    // recursion, which passes over it several times). Below a trapezoid's edge B is zero by definition:
    // those entries are set to zero here, and stay exactly zero through the panel, since a reflector's
    // entry in a row is zero until a column reaches that row.
    for (blas_int q = 0; q < jb; ++q) {
      for (blas_int p = 0; p <= q; ++p) a[offset(p, q, nb)] = r_at(j + p, j + q);
    }
    constexpr blas_int tile = 16;  // rows per pass of the transposing copy: reads and writes both in lines
    for (blas_int first = 0; first < m; first += tile) {
      const blas_int last = std::min(m, first + tile);
      for (blas_int col = 0; col < jb; ++col) {
        const double* source = b.data + static_cast<std::size_t>(j + col);
        for (blas_int i = first; i < last; ++i) v[offset(i, col, rows)] = source[offset(0, i, lb)];
      }
    }
    if (b.upper_trapezoidal) {
      for (blas_int col = 0; col < jb; ++col) {
        for (blas_int i = j + col + 1; i < m; ++i) v[offset(i, col, rows)] = 0.0;
      }
    }
    factor_panel(m, jb, a, nb, v, rows, t, nb);
    for (blas_int q = 0; q < jb; ++q) {
      for (blas_int p = 0; p <= q; ++p) r_at(j + p, j + q) = a[offset(p, q, nb)];
    }
    if (n == 0) break;
    // The panel's reflectors applied to the trailing columns, as W^T = (R12^T + B2^T V) T (n x jb):
    // R12 -= W, B2 -= V W. R12^T and B2^T are column-major n x jb and n x m where they lie.
    double* const r12t = r + offset(j + jb, j, lr);
    double* const b2t = b.data + static_cast<std::size_t>(j + jb);
    for (blas_int col = 0; col < jb; ++col) std::copy_n(r12t + offset(0, col, lr), n, w + offset(0, col, n));
    cblas_dgemm(CblasColMajor, CblasNoTrans, CblasNoTrans, n, jb, m, 1.0, b2t, lb, v, rows, 1.0, w, n);
    cblas_dtrmm(CblasColMajor, CblasRight, CblasUpper, CblasNoTrans, CblasNonUnit, n, jb, 1.0, t, nb, w, n);
    for (blas_int col = 0; col < jb; ++col) {
      double* const target = r12t + offset(0, col, lr);
      const double* const update = w + offset(0, col, n);
      for (blas_int i = 0; i < n; ++i) target[i] -= update[i];
    }
    cblas_dgemm(CblasColMajor, CblasNoTrans, CblasTrans, n, m, jb, -1.0, w, n, v, rows, 1.0, b2t, lb);
  }
}

}  // namespace rankme
