// triangle_on_top_qr against independent references: R^T R against [R0; B]^T [R0; B] summed in long double,
// and R's singular values against LAPACK's dgesdd of the explicit stacked matrix, for every layout of B,
// trapezoidal B, blocks of one row, blocks shorter and taller than K, panels that do not divide K, and a
// stream of blocks with a steep spectrum.
#include "rankme/numerics/triangle_on_top_qr.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>
#include <vector>

#include "support/lapack_reference.hpp"

namespace rankme {
namespace {

// A rows x cols block as the kernel reads it (row-major, leading dimension cols + padding, NaN in the
// padding), and the same values as a plain rows x cols row-major copy.
struct Stored {
  std::vector<double> values;  // as passed to the kernel
  std::vector<double> dense;   // zeros where the trapezoid has them
  std::uint64_t leading = 0;
  bool trapezoidal = false;
  StackedRows view(std::uint64_t rows) { return StackedRows{values.data(), rows, leading, trapezoidal}; }
};

Stored stored_block(std::uint64_t rows, std::uint64_t cols, std::uint64_t padding, bool trapezoidal, std::uint64_t seed) {
  Stored s;
  s.trapezoidal = trapezoidal;
  s.leading = cols + padding;
  // Padding holds NaN: the kernel must not read it.
  s.values.assign(s.leading * std::max<std::uint64_t>(rows, 1), std::numeric_limits<double>::quiet_NaN());
  s.dense.assign(rows * cols, 0.0);
  const std::vector<double> random = testing::random_values(rows * cols, seed);
  for (std::uint64_t i = 0; i < rows; ++i) {
    for (std::uint64_t j = 0; j < cols; ++j) {
      const double value = trapezoidal && j < i ? 0.0 : random[i * cols + j];
      s.dense[i * cols + j] = value;
      s.values[i * s.leading + j] = value;
    }
  }
  return s;
}

// An upper triangular cols x cols R (row-major, leading dimension ldr) whose strict lower triangle and
// padding hold NaN (never to be read), with a dominant diagonal.
std::vector<double> starting_factor(std::uint64_t cols, std::uint64_t ldr, std::uint64_t seed) {
  std::vector<double> r(ldr * cols, std::numeric_limits<double>::quiet_NaN());
  const std::vector<double> random = testing::random_values(cols * cols, seed);
  for (std::uint64_t i = 0; i < cols; ++i) {
    for (std::uint64_t j = i; j < cols; ++j) r[i * ldr + j] = random[i * cols + j] + (i == j ? 3.0 : 0.0);
  }
  return r;
}

// Row-major (cols + rows) x cols: R's upper triangle on top of B.
std::vector<double> stacked(const std::vector<double>& r, std::uint64_t ldr, const std::vector<double>& dense,
                            std::uint64_t rows, std::uint64_t cols) {
  std::vector<double> s((cols + rows) * cols, 0.0);
  for (std::uint64_t i = 0; i < cols; ++i) {
    for (std::uint64_t j = i; j < cols; ++j) s[i * cols + j] = r[i * ldr + j];
  }
  std::copy(dense.begin(), dense.end(), s.begin() + static_cast<std::ptrdiff_t>(cols * cols));
  return s;
}

// R's upper triangle as a row-major cols x cols matrix (zeros below), for the references.
std::vector<double> upper_triangle(const std::vector<double>& r, std::uint64_t ldr, std::uint64_t cols) {
  std::vector<double> u(cols * cols, 0.0);
  for (std::uint64_t i = 0; i < cols; ++i) {
    for (std::uint64_t j = i; j < cols; ++j) u[i * cols + j] = r[i * ldr + j];
  }
  return u;
}

// R^T R against S^T S (long double sums), R's singular values against S's (dgesdd), and R's strict lower
// triangle untouched.
void expect_factor_of(const std::vector<double>& r, std::uint64_t ldr, const std::vector<double>& s,
                      std::uint64_t stacked_rows, std::uint64_t cols, const std::string& what) {
  const std::vector<double> u = upper_triangle(r, ldr, cols);
  double scale = 0;
  for (double value : s) scale = std::max(scale, std::abs(value));
  const double tolerance = 1e-14 * scale * scale * static_cast<double>(stacked_rows + cols);
  for (std::uint64_t a = 0; a < cols; ++a) {
    for (std::uint64_t b = a; b < cols; ++b) {
      long double expected = 0, found = 0;
      for (std::uint64_t i = 0; i < stacked_rows; ++i) expected += static_cast<long double>(s[i * cols + a]) * s[i * cols + b];
      for (std::uint64_t i = 0; i < cols; ++i) found += static_cast<long double>(u[i * cols + a]) * u[i * cols + b];
      ASSERT_NEAR(static_cast<double>(found), static_cast<double>(expected), tolerance) << what << " (" << a << "," << b << ")";
    }
  }
  const auto reference = testing::reference_singular_values(s, stacked_rows, cols);
  const auto singular = testing::reference_singular_values(u, cols, cols);
  for (std::size_t k = 0; k < reference.size(); ++k) {
    EXPECT_NEAR(singular[k], reference[k], 1e-13 * reference[0]) << what << " k " << k;
  }
  for (std::uint64_t i = 0; i < cols; ++i) {
    for (std::uint64_t j = 0; j < i; ++j) ASSERT_TRUE(std::isnan(r[i * ldr + j])) << what << ": R(" << i << "," << j << ") written";
    for (std::uint64_t j = cols; j < ldr; ++j) ASSERT_TRUE(std::isnan(r[i * ldr + j])) << what << ": R's padding written";
  }
}

TEST(TriangleOnTopQr, MergesDenseBlocksOfAnyHeight) {
  struct Case {
    std::uint64_t cols, rows, panel;
  };
  const Case cases[] = {{1, 1, 128}, {1, 5, 1},    {5, 1, 128},   {5, 3, 2},   {37, 1, 8},   {37, 12, 16},
                        {37, 37, 9}, {37, 300, 16}, {60, 200, 128}, {64, 64, 3}, {200, 500, 64}, {130, 7, 128}};
  for (const Case& c : cases) {
    const std::uint64_t ldr = c.cols + 3;
    std::vector<double> r = starting_factor(c.cols, ldr, c.cols + 7);
    Stored b = stored_block(c.rows, c.cols, 2, false, c.rows * 31 + c.cols);
    const std::vector<double> s = stacked(r, ldr, b.dense, c.rows, c.cols);
    TriangleOnTopQr qr(c.cols, c.panel);
    qr.apply(r.data(), ldr, b.view(c.rows));
    const std::string what =
        std::to_string(c.rows) + " rows on K = " + std::to_string(c.cols) + ", panel " + std::to_string(c.panel);
    expect_factor_of(r, ldr, s, c.cols + c.rows, c.cols, what);
    // B's padding is never written either.
    for (std::uint64_t i = 0; i < c.rows; ++i) {
      for (std::uint64_t j = c.cols; j < b.leading; ++j) ASSERT_TRUE(std::isnan(b.values[i * b.leading + j])) << what;
    }
  }
}

TEST(TriangleOnTopQr, MergesTrapezoidalFactorsSkippingTheirZeros) {
  // Another R factor below: K x K, fewer rows than K (a part that saw fewer rows than columns), or more.
  struct Case {
    std::uint64_t cols, rows, panel;
  };
  for (const Case& c : {Case{40, 40, 8}, Case{40, 13, 8}, Case{40, 1, 128}, Case{130, 130, 128}, Case{33, 50, 4}}) {
    std::vector<double> r = starting_factor(c.cols, c.cols, 3);
    Stored b = stored_block(c.rows, c.cols, 1, true, 5 + c.rows);
    // Below the trapezoid B holds NaN: had the kernel used those entries, R would be NaN.
    for (std::uint64_t i = 0; i < c.rows; ++i) {
      for (std::uint64_t j = 0; j < std::min(i, c.cols); ++j) b.values[i * b.leading + j] = std::numeric_limits<double>::quiet_NaN();
    }
    const std::vector<double> s = stacked(r, c.cols, b.dense, c.rows, c.cols);
    TriangleOnTopQr qr(c.cols, c.panel);
    qr.apply(r.data(), c.cols, b.view(c.rows));
    expect_factor_of(r, c.cols, s, c.cols + c.rows, c.cols,
                     "trapezoid of " + std::to_string(c.rows) + " rows on K = " + std::to_string(c.cols));
  }
}

TEST(TriangleOnTopQr, AZeroFactorOnTopGivesTheBlocksOwnR) {
  // R = 0 (no rows yet, or a rank-deficient part): the result is the R factor of B alone.
  const std::uint64_t cols = 20, rows = 50;
  std::vector<double> r(cols * cols, std::numeric_limits<double>::quiet_NaN());
  for (std::uint64_t i = 0; i < cols; ++i) {
    for (std::uint64_t j = i; j < cols; ++j) r[i * cols + j] = 0.0;
  }
  Stored b = stored_block(rows, cols, 0, false, 11);
  const std::vector<double> s = stacked(r, cols, b.dense, rows, cols);
  TriangleOnTopQr qr(cols, 8);
  qr.apply(r.data(), cols, b.view(rows));
  expect_factor_of(r, cols, s, cols + rows, cols, "zero R on top");
}

TEST(TriangleOnTopQr, AStreamOfBlocksKeepsASteepSpectrumToRounding) {
  // Singular values logspaced from 1 to 1e-10: the stream's R keeps each to about u s_1 absolute, and the
  // smallest to a few parts in 1e5 relative (the Gram route keeps nothing below about 1e-8 s_1).
  const std::uint64_t rows = 1500, cols = 96;
  std::vector<double> spectrum(cols);
  for (std::uint64_t k = 0; k < cols; ++k) spectrum[k] = std::pow(10.0, -10.0 * static_cast<double>(k) / (cols - 1));
  std::vector<double> z = testing::matrix_with_singular_values(rows, cols, spectrum, 41);
  for (std::uint64_t block_rows : {std::uint64_t{1}, std::uint64_t{17}, std::uint64_t{96}, std::uint64_t{400}}) {
    std::vector<double> r(cols * cols, 0.0);
    TriangleOnTopQr qr(cols, 32);
    for (std::uint64_t first = 0; first < rows; first += block_rows) {
      const std::uint64_t count = std::min(block_rows, rows - first);
      std::vector<double> block(z.begin() + static_cast<std::ptrdiff_t>(first * cols),
                                z.begin() + static_cast<std::ptrdiff_t>((first + count) * cols));
      qr.apply(r.data(), cols, StackedRows{block.data(), count, cols, false});
    }
    const auto s = testing::reference_singular_values(upper_triangle(r, cols, cols), cols, cols);
    for (std::uint64_t k = 0; k < cols; ++k) {
      EXPECT_NEAR(s[k], spectrum[k], 1e-14 * static_cast<double>(cols)) << "blocks of " << block_rows << ", k " << k;
    }
    EXPECT_NEAR(s.back() / spectrum.back(), 1.0, 1e-4) << "blocks of " << block_rows;
  }
}

TEST(TriangleOnTopQr, RefusesAZeroPanelAndShortLeadingDimensions) {
  EXPECT_THROW(TriangleOnTopQr(4, 0), std::invalid_argument);
  TriangleOnTopQr qr(4);
  std::vector<double> r(16, 0.0), b(16, 1.0);
  EXPECT_THROW(qr.apply(r.data(), 3, StackedRows{b.data(), 4, 4, false}), std::logic_error);
  EXPECT_THROW(qr.apply(r.data(), 4, StackedRows{b.data(), 4, 3, false}), std::logic_error);
  // Nothing to merge: R is left as it was.
  qr.apply(r.data(), 4, StackedRows{b.data(), 0, 4, false});
  for (double value : r) EXPECT_EQ(value, 0.0);
}

}  // namespace
}  // namespace rankme
