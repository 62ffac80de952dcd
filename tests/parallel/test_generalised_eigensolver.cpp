// generalised_eigenvalues (LiDAR's pencil) with LAPACK (rank 0: Cholesky reduction and dsyevd, broadcast) and ScaLAPACK PDSYGVX (the
// pdsygvx.hpp wrapper on a process grid), at 1-4 ranks: a pencil of known eigenvalues (built with plain
// loops, support/known_matrices.hpp) with NaN above both diagonals, the same answer on every rank, and B
// not positive definite as one agreed CollectiveError.
#include "rankme/parallel/generalised_eigensolver.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "rankme/parallel/collective_status.hpp"
#include "rankme/parallel/communicator.hpp"
#include "support/known_matrices.hpp"
#include "support/mpi_fixtures.hpp"

namespace rankme {
namespace {

const double nan = std::numeric_limits<double>::quiet_NaN();

std::vector<double> known_values(std::uint64_t n) {
  std::vector<double> values(n);
  for (std::uint64_t k = 0; k < n; ++k) values[k] = 1e-3 + 5.0 * static_cast<double>((k * 7) % n) / static_cast<double>(n);
  return values;
}

TEST(GeneralisedEigensolver, LapackAndScalapackFindTheKnownEigenvaluesFromTheLowerTriangles) {
  const Communicator comm = Communicator::world();
  for (const SolverChoice choice : {SolverChoice::lapack, SolverChoice::scalapack}) {
    for (std::uint64_t n : {1u, 5u, 37u, 130u}) {
      const std::vector<double> values = known_values(n);
      testing::KnownPencil pencil = testing::known_pencil(values);
      testing::fill_upper_triangle(pencil.a, n, nan);
      testing::fill_upper_triangle(pencil.b, n, nan);
      const Eigenvalues found = generalised_eigenvalues(comm, pencil.a, pencil.b, n, choice);
      EXPECT_EQ(found.solver.rfind(choice == SolverChoice::lapack ? "lapack dpotrf+" : "scalapack pdsygvx", 0), 0u)
          << found.solver;
      std::vector<double> expected = values;
      std::sort(expected.begin(), expected.end());
      ASSERT_EQ(found.values.size(), n);
      for (std::size_t k = 0; k < n; ++k) EXPECT_NEAR(found.values[k], expected[k], 1e-11 * 5) << n << " " << k;
      // Every rank holds rank 0's answer, bit for bit.
      EXPECT_EQ(testing::values_of_rank_zero(found.values), found.values);
    }
  }
}

TEST(GeneralisedEigensolver, BNotPositiveDefiniteFailsOnEveryRank) {
  const Communicator comm = Communicator::world();
  for (const SolverChoice choice : {SolverChoice::lapack, SolverChoice::scalapack}) {
    const std::uint64_t n = 12;
    testing::KnownPencil pencil = testing::known_pencil(known_values(n));
    for (std::uint64_t j = 0; j < n; ++j)
      for (std::uint64_t i = 0; i < n; ++i) pencil.b[i + j * n] = i == j ? (j == 5 ? -1.0 : 1.0) : 0.0;
    try {
      generalised_eigenvalues(comm, pencil.a, pencil.b, n, choice);
      ADD_FAILURE() << "no exception";
    } catch (const CollectiveError& error) {
      const std::string message = error.what();
      EXPECT_NE(message.find(choice == SolverChoice::lapack ? "dpotrf" : "pdsygvx"), std::string::npos) << message;
    }
  }
}

}  // namespace
}  // namespace rankme
