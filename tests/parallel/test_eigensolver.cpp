// symmetric_eigenvalues with LAPACK (rank 0, broadcast) and ScaLAPACK (a process grid), every LAPACK
// driver on its own, the automatic choice between them, and the grid shape ScaLAPACK runs on.
//
// The matrices are Gram matrices Z^T Z of matrices with known singular values s (built by the fixture
// library with LAPACK QR), so the expected eigenvalues are s^2 without trusting any eigensolver. Only
// their lower triangle is valid, as the Gram accumulator leaves it: the matrices here have NaN above the
// diagonal, so a solver that read the upper triangle would return NaN (OnlyTheLowerTriangleIsRead also
// tries finite garbage and the mirror image there).
#include "rankme/parallel/eigensolver.hpp"

#include <gtest/gtest.h>
#include <mpi.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <stdexcept>
#include <string>
#include <vector>

#include "rankme/parallel/communicator.hpp"
#include "rankme/parallel/process_grid.hpp"
#include "support/lapack_reference.hpp"
#include "support/mpi_fixtures.hpp"

namespace rankme {
namespace {

using testing::values_of_rank_zero;  // raw MPI, independent of the code under test

bool bitwise_equal(const std::vector<double>& a, const std::vector<double>& b) {
  return a.size() == b.size() && (a.empty() || std::memcmp(a.data(), b.data(), a.size() * sizeof(double)) == 0);
}

const double nan = std::numeric_limits<double>::quiet_NaN();

// Overwrites the strictly upper triangle of the column-major order x order `matrix` with NaN.
void poison_upper_triangle(std::vector<double>& matrix, std::uint64_t order) {
  for (std::uint64_t j = 1; j < order; ++j) {
    for (std::uint64_t i = 0; i < j; ++i) matrix[i + j * order] = nan;
  }
}

struct KnownSpectrum {
  std::vector<double> gram;      // order x order, column-major, lower triangle valid, NaN above it
  std::vector<double> expected;  // its eigenvalues s^2, ascending
};

// A Gram matrix with eigenvalues s_k^2 for s_k = 1 + k * 3 / order (a spread of 1 to 16 in eigenvalue,
// all distinct), made on rank 0 and broadcast so that every rank passes exactly the same bits.
KnownSpectrum known_spectrum(std::uint64_t order, std::uint64_t seed, MPI_Comm comm = MPI_COMM_WORLD) {
  std::vector<double> s(static_cast<std::size_t>(order));
  for (std::uint64_t k = 0; k < order; ++k) s[k] = 1.0 + 3.0 * static_cast<double>(k) / static_cast<double>(order);
  KnownSpectrum known;
  int rank = 0;
  MPI_Comm_rank(comm, &rank);
  if (rank == 0) {
    const std::uint64_t rows = order + 3;
    const auto z = testing::matrix_with_singular_values(rows, order, s, seed);
    known.gram.assign(static_cast<std::size_t>(order * order), nan);
    for (std::uint64_t j = 0; j < order; ++j) {
      for (std::uint64_t i = j; i < order; ++i) {
        long double sum = 0;
        for (std::uint64_t r = 0; r < rows; ++r) {
          sum += static_cast<long double>(z[r * order + i]) * static_cast<long double>(z[r * order + j]);
        }
        known.gram[i + j * order] = static_cast<double>(sum);
      }
    }
  }
  known.gram = values_of_rank_zero(known.gram, comm);
  for (double v : s) known.expected.push_back(v * v);
  std::sort(known.expected.begin(), known.expected.end());
  return known;
}

// The same matrix with its upper triangle filled in: the mirror of the lower one (a valid symmetric
// matrix) or, with `garbage`, large finite values unrelated to it.
std::vector<double> with_upper_triangle(std::vector<double> matrix, std::uint64_t order, bool garbage) {
  for (std::uint64_t j = 1; j < order; ++j) {
    for (std::uint64_t i = 0; i < j; ++i) {
      matrix[i + j * order] = garbage ? 1e6 + static_cast<double>(i * 7 + j) : matrix[j + i * order];
    }
  }
  return matrix;
}

// Checks `values` against `expected` to 1e-12 lambda_max and that they ascend; EXPECT only, so that a
// caller can still go on to a collective.
void expect_eigenvalues(const std::vector<double>& values, const std::vector<double>& expected) {
  EXPECT_EQ(values.size(), expected.size());
  EXPECT_TRUE(std::is_sorted(values.begin(), values.end())) << "eigenvalues must be ascending";
  const double lambda_max = expected.empty() ? 0.0 : expected.back();
  int mismatches = 0;
  for (std::size_t k = 0; k < std::min(values.size(), expected.size()); ++k) {
    const double error = std::fabs(values[k] - expected[k]);
    if (!(error <= 1e-12 * lambda_max) && ++mismatches <= 5) {
      ADD_FAILURE() << "eigenvalue " << k << ": got " << values[k] << ", expected " << expected[k] << " (error "
                    << error / lambda_max << " lambda_max)";
    }
  }
  EXPECT_EQ(mismatches, 0);
}

std::string expected_solver_name(SolverChoice choice, std::uint64_t order, int ranks) {
  if (resolve_solver(choice, order, ranks) == SolverChoice::lapack) {
    return std::string("lapack ") + name_of(fastest_lapack_driver(order));
  }
  const GridShape shape = GridShape::for_matrix(order, ranks);
  return "scalapack " + std::to_string(shape.rows) + "x" + std::to_string(shape.cols) + "/" + std::to_string(shape.block);
}

const char* name_of(SolverChoice choice) {
  switch (choice) {
    case SolverChoice::automatic: return "automatic";
    case SolverChoice::lapack: return "lapack";
    case SolverChoice::scalapack: return "scalapack";
  }
  return "?";
}

const LapackDriver every_driver[] = {LapackDriver::dsyevd, LapackDriver::dsyevd_2stage, LapackDriver::dsyevr_2stage};

// Solves `gram` (lower triangle valid) with `choice` on `comm` and checks: the eigenvalues are the
// expected ones to 1e-12 lambda_max, ascending, and bit-for-bit the same on every rank; the solver is
// named as documented. Returns them.
std::vector<double> expect_solves(const Communicator& comm, const std::vector<double>& gram,
                                  const std::vector<double>& expected, std::uint64_t order, SolverChoice choice) {
  SCOPED_TRACE(std::string(name_of(choice)) + ", order " + std::to_string(order));
  std::vector<double> copy = gram;
  const Eigenvalues result = symmetric_eigenvalues(comm, copy, order, choice);
  EXPECT_EQ(result.solver, expected_solver_name(choice, order, comm.size()));
  // EXPECT, not ASSERT, before the comparison with rank 0 below: a rank returning early would leave the
  // others waiting in that broadcast.
  expect_eigenvalues(result.values, expected);
  EXPECT_TRUE(bitwise_equal(result.values, values_of_rank_zero(result.values, comm.native())))
      << "the ranks hold different eigenvalues";
  return result.values;
}

void expect_solves(const Communicator& comm, const KnownSpectrum& known, std::uint64_t order, SolverChoice choice) {
  expect_solves(comm, known.gram, known.expected, order, choice);
}

TEST(Eigensolver, LapackAndScalapackFindTheKnownEigenvalues) {
  const Communicator comm = Communicator::world();
  // 20 at 3 ranks: a 1x2 grid, so rank 2 is outside it and must still receive the eigenvalues.
  for (std::uint64_t order : {1u, 2u, 5u, 20u, 31u, 64u, 300u}) {
    const KnownSpectrum known = known_spectrum(order, 100 + order);
    for (SolverChoice choice : {SolverChoice::lapack, SolverChoice::scalapack, SolverChoice::automatic}) {
      expect_solves(comm, known, order, choice);
    }
  }
}

TEST(Eigensolver, EveryLapackDriverFindsTheKnownEigenvalues) {
  // Each rank on its own (lapack_eigenvalues is not collective), with the upper triangle NaN.
  for (std::uint64_t order : {1u, 2u, 5u, 31u, 64u, 300u}) {
    const KnownSpectrum known = known_spectrum(order, 400 + order);
    for (LapackDriver driver : every_driver) {
      SCOPED_TRACE(std::string(name_of(driver)) + ", order " + std::to_string(order));
      std::vector<double> gram = known.gram;
      expect_eigenvalues(lapack_eigenvalues(driver, gram, order), known.expected);
    }
  }
}

TEST(Eigensolver, EveryLapackDriverOnOneByOneAndZeroMatrices) {
  for (LapackDriver driver : every_driver) {
    SCOPED_TRACE(name_of(driver));
    std::vector<double> one_by_one = {-2.5};
    EXPECT_EQ(lapack_eigenvalues(driver, one_by_one, 1), std::vector<double>{-2.5});
    for (std::uint64_t order : {1u, 2u, 40u}) {
      std::vector<double> zeros(order * order, 0.0);
      poison_upper_triangle(zeros, order);
      EXPECT_EQ(lapack_eigenvalues(driver, zeros, order), std::vector<double>(order, 0.0)) << order;
    }
  }
}

TEST(Eigensolver, AnOrderBeyondLapacksIntIsRefusedBeforeAnyWork) {
  std::vector<double> none;
  for (LapackDriver driver : every_driver) {
    EXPECT_THROW(lapack_eigenvalues(driver, none, std::uint64_t{1} << 31), std::length_error) << name_of(driver);
  }
}

TEST(Eigensolver, OnlyTheLowerTriangleIsRead) {
  // NaN, large finite garbage or the mirror of the lower triangle above the diagonal: every LAPACK driver
  // gives the same bits for all three, and both collective routes the right eigenvalues. (Not the same
  // bits from ScaLAPACK: at 3 ranks it varies in the last digits run to run, as BLACS sums in the order
  // messages arrive: README, "Accuracy".)
  const Communicator comm = Communicator::world();
  for (std::uint64_t order : {2u, 31u, 64u}) {
    const KnownSpectrum known = known_spectrum(order, 200 + order);
    const std::vector<double> garbage = with_upper_triangle(known.gram, order, true);
    const std::vector<double> symmetric = with_upper_triangle(known.gram, order, false);
    for (LapackDriver driver : every_driver) {
      SCOPED_TRACE(std::string(name_of(driver)) + ", order " + std::to_string(order));
      std::vector<double> a = known.gram, b = garbage, c = symmetric;
      const std::vector<double> from_nan = lapack_eigenvalues(driver, a, order);
      expect_eigenvalues(from_nan, known.expected);
      EXPECT_TRUE(bitwise_equal(from_nan, lapack_eigenvalues(driver, b, order))) << "finite garbage above";
      EXPECT_TRUE(bitwise_equal(from_nan, lapack_eigenvalues(driver, c, order))) << "symmetric";
    }
    for (SolverChoice choice : {SolverChoice::lapack, SolverChoice::scalapack}) {
      const std::vector<double> from_nan = expect_solves(comm, known.gram, known.expected, order, choice);
      const std::vector<double> from_garbage = expect_solves(comm, garbage, known.expected, order, choice);
      const std::vector<double> from_symmetric = expect_solves(comm, symmetric, known.expected, order, choice);
      if (choice == SolverChoice::lapack) {
        EXPECT_TRUE(bitwise_equal(from_nan, from_garbage)) << "order " << order;
        EXPECT_TRUE(bitwise_equal(from_nan, from_symmetric)) << "order " << order;
      }
    }
  }
}

TEST(Eigensolver, ZeroAndRankDeficientMatrices) {
  const Communicator comm = Communicator::world();
  for (std::uint64_t order : {1u, 40u}) {
    for (SolverChoice choice : {SolverChoice::lapack, SolverChoice::scalapack}) {
      SCOPED_TRACE(std::string(name_of(choice)) + ", order " + std::to_string(order));
      // All zeros (a collapsed embedding): every eigenvalue exactly zero.
      std::vector<double> zeros(order * order, 0.0);
      poison_upper_triangle(zeros, order);
      const Eigenvalues zero = symmetric_eigenvalues(comm, zeros, order, choice);
      EXPECT_EQ(zero.values, std::vector<double>(order, 0.0));

      // A diagonal matrix given in scrambled order: its diagonal, sorted (exactly: no rotation is needed).
      std::vector<double> diagonal(order * order, 0.0);
      poison_upper_triangle(diagonal, order);
      std::vector<double> expected;
      for (std::uint64_t i = 0; i < order; ++i) {
        const double value = static_cast<double>((i * 17) % order) * 0.5;  // 0, 8.5, ..., a permutation of k/2
        diagonal[i + i * order] = value;
        expected.push_back(value);
      }
      std::sort(expected.begin(), expected.end());
      const Eigenvalues diag = symmetric_eigenvalues(comm, diagonal, order, choice);
      EXPECT_EQ(diag.values.size(), order);
      for (std::size_t k = 0; k < std::min<std::size_t>(order, diag.values.size()); ++k) {
        EXPECT_NEAR(diag.values[k], expected[k], 1e-13 * expected.back()) << k;
      }
    }
  }
}

TEST(Eigensolver, ScalapackOnSeparateGroupsAtOnce) {
  // Each group of a split communicator gets a grid of its own (the BLACS context is made from the group,
  // not from MPI_COMM_WORLD), and both groups solve different matrices at the same time.
  const Communicator world = Communicator::world();
  const int colour = world.rank() % 2;
  const Communicator group = world.split(colour, world.rank());
  const std::uint64_t order = colour == 0 ? 48 : 33;
  const KnownSpectrum known = known_spectrum(order, 300 + order, group.native());
  expect_solves(group, known, order, SolverChoice::scalapack);
  expect_solves(group, known, order, SolverChoice::lapack);
  world.barrier();
}

TEST(Eigensolver, AutomaticChoiceFollowsRanksAndOrder) {
  // Fewer than scalapack_min_ranks ranks: always LAPACK (on 2 ranks it beat the 1x2 grid at every order
  // measured; a 1x1 grid would only add overhead).
  for (int ranks = 1; ranks < scalapack_min_ranks; ++ranks) {
    for (std::uint64_t order : {std::uint64_t{1}, std::uint64_t{64}, scalapack_crossover_order, std::uint64_t{100000}}) {
      EXPECT_EQ(resolve_solver(SolverChoice::automatic, order, ranks), SolverChoice::lapack) << ranks << " " << order;
    }
  }
  for (int ranks : {scalapack_min_ranks, 5, 64}) {
    EXPECT_EQ(resolve_solver(SolverChoice::automatic, 1, ranks), SolverChoice::lapack) << ranks;
    EXPECT_EQ(resolve_solver(SolverChoice::automatic, 300, ranks), SolverChoice::lapack) << ranks;
    EXPECT_EQ(resolve_solver(SolverChoice::automatic, scalapack_crossover_order - 1, ranks), SolverChoice::lapack) << ranks;
    EXPECT_EQ(resolve_solver(SolverChoice::automatic, scalapack_crossover_order, ranks), SolverChoice::scalapack) << ranks;
    EXPECT_EQ(resolve_solver(SolverChoice::automatic, 50000, ranks), SolverChoice::scalapack) << ranks;
  }
  // An explicit choice is kept whatever the size.
  for (int ranks : {1, 2, 4}) {
    for (std::uint64_t order : {std::uint64_t{1}, std::uint64_t{5000}}) {
      EXPECT_EQ(resolve_solver(SolverChoice::lapack, order, ranks), SolverChoice::lapack);
      EXPECT_EQ(resolve_solver(SolverChoice::scalapack, order, ranks), SolverChoice::scalapack);
    }
  }
}

TEST(Eigensolver, LapackRunsTheFasterDriverForTheOrder) {
  EXPECT_EQ(fastest_lapack_driver(1), LapackDriver::dsyevd);
  EXPECT_EQ(fastest_lapack_driver(lapack_2stage_order - 1), LapackDriver::dsyevd);
  EXPECT_EQ(fastest_lapack_driver(lapack_2stage_order), LapackDriver::dsyevd_2stage);
  EXPECT_EQ(fastest_lapack_driver(100000), LapackDriver::dsyevd_2stage);
}

TEST(Eigensolver, LapackSwitchesToTheTwoStageDriverAtItsOrder) {
  // End to end at lapack_2stage_order, where SolverChoice::lapack first runs dsyevd_2stage (about a second
  // of one core). The matrix is H diag(d) H for a Householder reflector H, dense, built in O(K^2) on every
  // rank alike (the same bits: no randomness, no threads).
  const Communicator comm = Communicator::world();
  const std::uint64_t order = lapack_2stage_order;
  KnownSpectrum known;
  std::vector<double> d(order), v(order), w(order);
  double vv = 0, vw = 0;
  for (std::uint64_t k = 0; k < order; ++k) {
    d[k] = std::pow(1.0 + 3.0 * static_cast<double>(k) / static_cast<double>(order), 2);
    v[k] = std::sin(0.7 * static_cast<double>(k) + 0.3) + 0.25;
    w[k] = d[k] * v[k];
    vv += v[k] * v[k];
    vw += v[k] * w[k];
  }
  const double beta = 2.0 / vv;
  known.gram.assign(order * order, nan);
  for (std::uint64_t j = 0; j < order; ++j) {
    for (std::uint64_t i = j; i < order; ++i) {
      known.gram[i + j * order] =
          (i == j ? d[i] : 0.0) - beta * (w[i] * v[j] + v[i] * w[j]) + beta * beta * vw * v[i] * v[j];
    }
  }
  known.expected = d;
  expect_solves(comm, known, order, SolverChoice::lapack);
}

TEST(ProcessGridShape, InvariantsHoldForManyOrdersAndRankCounts) {
  std::vector<std::uint64_t> orders;
  for (std::uint64_t order = 0; order <= 130; ++order) orders.push_back(order);
  for (std::uint64_t order : {255u, 256u, 257u, 300u, 511u, 1000u, 1024u, 4096u, 10007u, 100000u, 3000000u}) {
    orders.push_back(order);
  }
  for (int min_block : {1, 8, 16}) {
    for (int ranks = 1; ranks <= 70; ++ranks) {
      for (std::uint64_t order : orders) {
        const GridShape shape = GridShape::for_matrix(order, ranks, min_block);
        const std::string where = "order " + std::to_string(order) + ", ranks " + std::to_string(ranks) +
                                  ", min_block " + std::to_string(min_block) + ": grid " + std::to_string(shape.rows) +
                                  "x" + std::to_string(shape.cols) + "/" + std::to_string(shape.block);
        const int processes = shape.rows * shape.cols;
        ASSERT_GE(shape.rows, 1) << where;
        ASSERT_GE(shape.cols, 1) << where;
        ASSERT_LE(processes, ranks) << where;
        ASSERT_LE(shape.rows, shape.cols) << where << " (the most nearly square grid puts no more rows than columns)";
        ASSERT_GE(shape.block, 1) << where;
        ASSERT_LE(shape.block, 64) << where;
        const std::uint64_t per_process = order / static_cast<std::uint64_t>(std::max(shape.rows, shape.cols));
        ASSERT_LE(static_cast<std::uint64_t>(shape.block), std::max<std::uint64_t>(1, per_process)) << where;
        // A grid of several processes is only chosen when each still holds min_block columns.
        if (processes > 1) {
          ASSERT_GE(per_process, static_cast<std::uint64_t>(min_block)) << where;
        }
        // With enough columns for every rank even in a 1 x ranks grid, every rank is used.
        if (order / static_cast<std::uint64_t>(ranks) >= static_cast<std::uint64_t>(min_block)) {
          ASSERT_EQ(processes, ranks) << where;
        }
        // Most nearly square: no factorisation of the same process count is squarer.
        for (int rows = shape.rows + 1; rows * rows <= processes; ++rows) {
          ASSERT_NE(processes % rows, 0) << where << " (" << rows << "x" << processes / rows << " is squarer)";
        }
      }
    }
  }
  // Degenerate rank counts fall back to one process.
  const GridShape none = GridShape::for_matrix(100, 0);
  EXPECT_EQ(none.rows * none.cols, 1);
}

}  // namespace
}  // namespace rankme
