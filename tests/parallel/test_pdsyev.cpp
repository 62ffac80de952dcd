// PDSYEV through its typed wrapper on real BLACS grids: known spectra from either triangle, the workspace
// query, a workspace too short (an invalid argument: std::logic_error on every grid process) and sizes
// beyond ScaLAPACK's int.
#include "rankme/parallel/pdsyev.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <climits>
#include <cstdint>
#include <limits>
#include <stdexcept>
#include <string>
#include <vector>

#include "rankme/parallel/array_descriptor.hpp"
#include "rankme/parallel/communicator.hpp"
#include "rankme/parallel/process_grid.hpp"
#include "support/known_matrices.hpp"

namespace rankme {
namespace {

using testing::fill_lower_triangle;
using testing::fill_upper_triangle;
using testing::orthogonally_similar;

const double nan = std::numeric_limits<double>::quiet_NaN();

// n distinct eigenvalues between -2 and 6, not in order.
std::vector<double> known_values(std::uint64_t n) {
  std::vector<double> values(n);
  for (std::uint64_t k = 0; k < n; ++k) {
    values[k] = -2.0 + 8.0 * static_cast<double>((k * 7) % n) / static_cast<double>(n);
  }
  return values;
}

// The global index of local row/column `local` (ScaLAPACK's INDXL2G, first block on process 0).
std::uint64_t global_index(std::uint64_t local, int block, int coordinate, int processes) {
  const auto nb = static_cast<std::uint64_t>(block);
  return (local / nb) * nb * static_cast<std::uint64_t>(processes) + static_cast<std::uint64_t>(coordinate) * nb +
         local % nb;
}

struct DistributedMatrix {
  ArrayDescriptor descriptor{};
  std::vector<double> local;
};

// This grid process's block-cyclic piece of the full column-major n x n matrix.
DistributedMatrix distribute(const ProcessGrid& grid, const std::vector<double>& full, std::uint64_t n) {
  const GridShape& shape = grid.shape();
  const blas_int rows = numroc(n, shape.block, grid.my_row(), shape.rows);
  const blas_int cols = numroc(n, shape.block, grid.my_col(), shape.cols);
  const blas_int leading = std::max(rows, 1);
  DistributedMatrix matrix;
  matrix.descriptor = descinit(n, n, shape.block, shape.block, grid.context(), static_cast<std::uint64_t>(leading));
  matrix.local.assign(static_cast<std::size_t>(leading) * static_cast<std::size_t>(std::max(cols, 1)), 0.0);
  for (blas_int col = 0; col < cols; ++col) {
    const std::uint64_t global_col =
        global_index(static_cast<std::uint64_t>(col), shape.block, grid.my_col(), shape.cols);
    for (blas_int row = 0; row < rows; ++row) {
      const std::uint64_t global_row =
          global_index(static_cast<std::uint64_t>(row), shape.block, grid.my_row(), shape.rows);
      matrix.local[static_cast<std::size_t>(row) + static_cast<std::size_t>(col) * static_cast<std::size_t>(leading)] =
          full[global_row + global_col * n];
    }
  }
  return matrix;
}

std::vector<double> solve(const ProcessGrid& grid, const std::vector<double>& full, std::uint64_t n,
                          Triangle triangle) {
  DistributedMatrix matrix = distribute(grid, full, n);
  std::vector<double> w(n);
  const std::uint64_t length = pdsyev_workspace_length(triangle, n, matrix.local.data(), matrix.descriptor, w.data());
  EXPECT_GE(length, 1u);
  std::vector<double> work(length);
  pdsyev_eigenvalues(triangle, n, matrix.local.data(), matrix.descriptor, w.data(), work);
  return w;
}

TEST(Pdsyev, KnownEigenvaluesFromEitherTriangleOnEveryGrid) {
  const Communicator world = Communicator::world();
  for (std::uint64_t n : {1u, 5u, 33u, 64u, 100u}) {
    const GridShape shape = GridShape::for_matrix(n, world.size(), 4);
    ProcessGrid grid(world, shape);
    if (!grid.contains_me()) continue;
    std::vector<double> expected = known_values(n);
    std::vector<double> lower = orthogonally_similar(expected), upper = lower;
    fill_upper_triangle(lower, n, nan);  // read the wrong triangle and the answer is NaN
    fill_lower_triangle(upper, n, nan);
    std::sort(expected.begin(), expected.end());
    const std::vector<double> from_lower = solve(grid, lower, n, Triangle::lower);
    const std::vector<double> from_upper = solve(grid, upper, n, Triangle::upper);
    for (std::uint64_t k = 0; k < n; ++k) {
      EXPECT_NEAR(from_lower[k], expected[k], 1e-12) << n << " on " << shape.rows << "x" << shape.cols << " " << k;
      EXPECT_NEAR(from_upper[k], expected[k], 1e-12) << n << " on " << shape.rows << "x" << shape.cols << " " << k;
    }
  }
}

TEST(Pdsyev, AWorkspaceShorterThanAskedIsALogicErrorOnEveryGridProcess) {
  const Communicator world = Communicator::world();
  const std::uint64_t n = 24;
  ProcessGrid grid(world, GridShape::for_matrix(n, world.size(), 4));
  if (!grid.contains_me()) return;
  DistributedMatrix matrix = distribute(grid, orthogonally_similar(known_values(n)), n);
  std::vector<double> w(n), too_short(1);
  try {
    pdsyev_eigenvalues(Triangle::lower, n, matrix.local.data(), matrix.descriptor, w.data(), too_short);
    FAIL() << "no exception";
  } catch (const std::logic_error& error) {
    EXPECT_NE(std::string(error.what()).find("pdsyev"), std::string::npos) << error.what();
    EXPECT_NE(std::string(error.what()).find("argument 14"), std::string::npos) << error.what();  // LWORK
  }
}

TEST(Pdsyev, AnOrderBeyondScalapacksIntIsALengthErrorBeforeAnyCall) {
  // No grid, no matrix: the wrapper must refuse before it touches either.
  const ArrayDescriptor none{};
  std::vector<double> work(1);
  const std::uint64_t too_large = std::uint64_t{INT_MAX} + 1;
  EXPECT_THROW(pdsyev_workspace_length(Triangle::lower, too_large, nullptr, none, nullptr), std::length_error);
  EXPECT_THROW(pdsyev_eigenvalues(Triangle::lower, too_large, nullptr, none, nullptr, work), std::length_error);
}

}  // namespace
}  // namespace rankme
