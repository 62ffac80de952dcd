#pragma once
// The R factor of [R; B], R triangular: the one step of a tall-skinny QR (TSQR). Pure numerics.
//
// Refactorising [R; B] densely (dgeqrf) costs 2 (K + b) K^2 - 2/3 K^3 flops for a block B of b rows; the
// triangle on top needs only 2 b K^2 (and two triangles 2/3 K^3): the reflectors that zero B's columns
// touch only the diagonal row of R and B's rows, never the zeros below R's diagonal. This is LAPACK's
// dtpqrt, arranged for speed on tall blocks:
//   - each panel of `panel_columns` columns is factorised recursively (Elmroth and Gustavson's recursive
//     QR, with dtpqrt2 at its leaves), so that the panel too runs as matrix products, not as dtpqrt's
//     column-by-column vector operations;
//   - the trailing columns take the panel's block reflector by two dgemm calls, whose inner dimension is
//     the block's rows or the panel width (W^T = (R12^T + B2^T V) T, R12 -= W, B2 -= V W);
//   - R and B are both row-major, as a decoded row block is: [R; B] is one row-major matrix with the
//     triangle on top, which column-major BLAS sees as its transpose. The products take it as it lies;
//     only each panel's columns of B (b x 128 values) are copied out, to hold its reflectors.
// The arithmetic is that of Householder QR, so it is backward stable: the R it returns is the exact R of
// [R; B] + E with ||E|| of the order of u ||[R; B]||, and R's singular values keep an absolute accuracy of
// about u s_1 however steep the spectrum (the Gram matrix's eigenvalues lose everything below sqrt(u) s_1).
#include <cstdint>
#include <vector>

namespace rankme {

// The rows stacked under R: element (i, j) at data[i * leading + j], leading >= the columns.
struct StackedRows {
  double* data = nullptr;
  std::uint64_t rows = 0;
  std::uint64_t leading = 0;
  // Row i is zero left of column i (an upper trapezoidal R factor): those zeros are neither read nor
  // computed, so two K x K triangles merge in 2/3 K^3 flops instead of 2 K^3.
  bool upper_trapezoidal = false;
};

// Owns the workspace (a panel of reflectors, the block reflector's T, the trailing product W), so that a
// stream of blocks allocates it once.
class TriangleOnTopQr {
 public:
  // For R factors of `cols` columns. `panel_columns` (>= 1, std::invalid_argument otherwise) trades the
  // recursion's extra flops in each panel (about b * panel_columns^2 / 2) against the width of the
  // trailing products.
  explicit TriangleOnTopQr(std::uint64_t cols, std::uint64_t panel_columns = default_panel_columns);

  // R (cols x cols, upper triangular, row-major with leading dimension ldr >= cols) becomes the R factor
  // of [R; B], B being `b.rows` x cols. Only R's upper triangle is read or written. B's values are
  // overwritten (with the reflectors' remnants). Zero rows in R are allowed (R of a rank-deficient matrix,
  // or of fewer rows than columns); the diagonal of the result may have either sign. std::logic_error
  // for a leading dimension smaller than its matrix.
  void apply(double* r, std::uint64_t ldr, const StackedRows& b);

  std::uint64_t cols() const { return cols_; }

  static constexpr std::uint64_t default_panel_columns = 128;

 private:
  std::uint64_t cols_;
  std::uint64_t panel_;
  std::vector<double> diagonal_;      // the panel's diagonal block of R, column-major
  std::vector<double> reflectors_;    // the panel's V, b.rows x panel, column-major
  std::vector<double> block_factor_;  // T, panel x panel, upper triangular
  std::vector<double> product_;       // W^T, (cols - panel) x panel, column-major
};

}  // namespace rankme
