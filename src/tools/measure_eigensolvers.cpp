// Times rankme's eigensolvers on one random symmetric positive definite matrix, and checks each against
// LAPACK dsyevd (UPLO = 'U', the driver rankme used before) on the same matrix. Driven by
// scripts/measure_eigensolvers.sh; the numbers behind resolve_solver (include/rankme/parallel/eigensolver.hpp).
//
//   usage: rankme-measure-eigensolvers ORDER RUNS SOLVER...
//   SOLVER: dsyevd_U, dsyevd, dsyevd_2stage, dsyevr_2stage (LAPACK on rank 0 alone, timed on it),
//           lapack, scalapack, automatic (symmetric_eigenvalues on all ranks, as rankme runs them).
//
// Prints one line per solver: its median and smallest seconds over RUNS (on a shared machine the smallest
// is the run least disturbed by others), every run with rank 0's CPU seconds per wall second (a run
// that lost its cores to other processes shows less than its thread count), and the largest eigenvalue
// difference from the reference relative to lambda_max and relative to each eigenvalue itself.
#include <cblas.h>
#include <mpi.h>
#include <sys/resource.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <limits>
#include <random>
#include <stdexcept>
#include <string>
#include <vector>

#include "rankme/lapack/blas_int.hpp"
#include "rankme/lapack/syevd.hpp"
#include "rankme/lapack/triangle.hpp"
#include "rankme/parallel/communicator.hpp"
#include "rankme/parallel/eigensolver.hpp"
#include "rankme/parallel/blas_kernel_guard.hpp"
#include "rankme/parallel/mpi_session.hpp"

namespace {

using rankme::Communicator;

// A = X^T X for a random (order + 64) x order Gaussian X: symmetric positive definite with a
// Marchenko-Pastur spectrum (condition about (order / 32)^2), like the Gram matrix of an embedding with
// a few more rows than columns. Both triangles are filled.
std::vector<double> random_gram(std::uint64_t order) {
  const std::uint64_t rows = order + 64;
  std::mt19937_64 engine(12345 + order);
  std::normal_distribution<double> normal;
  std::vector<double> x(rows * order);
  for (double& v : x) v = normal(engine);
  std::vector<double> a(order * order, 0.0);
  const rankme::blas_int k = rankme::to_blas_int(order, "order"), n = rankme::to_blas_int(rows, "rows");
  cblas_dsyrk(CblasColMajor, CblasLower, CblasTrans, k, n, 1.0, x.data(), n, 0.0, a.data(), k);
  for (std::uint64_t j = 0; j < order; ++j) {
    for (std::uint64_t i = 0; i < j; ++i) a[i + j * order] = a[j + i * order];
  }
  return a;
}

// The old driver, kept here only as the baseline: dsyevd on the upper triangle.
std::vector<double> dsyevd_upper(std::vector<double>& a, std::uint64_t order) {
  std::vector<double> w(order);
  rankme::dsyevd_eigenvalues(rankme::Triangle::upper, order, a.data(), std::max<std::uint64_t>(order, 1), w.data());
  return w;
}

// The same matrix with NaN above the diagonal, for every solver that is documented to read the lower
// triangle only: a solver that read the upper one would return NaN.
std::vector<double> with_garbage_above_diagonal(const std::vector<double>& a, std::uint64_t order) {
  std::vector<double> copy = a;
  for (std::uint64_t j = 1; j < order; ++j) {
    for (std::uint64_t i = 0; i < j; ++i) copy[i + j * order] = std::numeric_limits<double>::quiet_NaN();
  }
  return copy;
}

// CPU seconds (user + system) this process has used so far, over all its threads.
double process_cpu_seconds() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return static_cast<double>(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) +
         1e-6 * static_cast<double>(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec);
}

struct Run {
  double seconds = 0;
  double cpu_per_second = 0;   // CPU seconds per wall second on rank 0: below the thread count when the
                               // process lost its cores to others (OpenBLAS threads spin, never sleep)
  std::vector<double> values;  // on rank 0
  std::string name;            // which driver or grid ran
};

Run run_once(const Communicator& comm, const std::string& solver, const std::vector<double>& a, std::uint64_t order) {
  Run run;
  const bool on_rank_zero_alone = solver.rfind("dsy", 0) == 0;
  std::vector<double> work = solver == "dsyevd_U" ? a : with_garbage_above_diagonal(a, order);
  comm.barrier();
  const double start = MPI_Wtime(), cpu_start = process_cpu_seconds();
  if (on_rank_zero_alone) {
    if (comm.is_root()) {
      if (solver == "dsyevd_U") {
        run.values = dsyevd_upper(work, order);
      } else if (solver == "dsyevd") {
        run.values = rankme::lapack_eigenvalues(rankme::LapackDriver::dsyevd, work, order);
      } else if (solver == "dsyevd_2stage") {
        run.values = rankme::lapack_eigenvalues(rankme::LapackDriver::dsyevd_2stage, work, order);
      } else if (solver == "dsyevr_2stage") {
        run.values = rankme::lapack_eigenvalues(rankme::LapackDriver::dsyevr_2stage, work, order);
      } else {
        throw std::invalid_argument("unknown solver " + solver);
      }
    }
    run.name = solver;
  } else {
    rankme::SolverChoice choice = rankme::SolverChoice::automatic;
    if (solver == "lapack") choice = rankme::SolverChoice::lapack;
    else if (solver == "scalapack") choice = rankme::SolverChoice::scalapack;
    else if (solver != "automatic") throw std::invalid_argument("unknown solver " + solver);
    const rankme::Eigenvalues result = rankme::symmetric_eigenvalues(comm, work, order, choice);
    run.values = result.values;
    run.name = result.solver;
  }
  run.seconds = MPI_Wtime() - start;
  run.cpu_per_second = (process_cpu_seconds() - cpu_start) / run.seconds;
  return run;
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[(v.size() - 1) / 2];
}

}  // namespace

int main(int argc, char** argv) {
  // The kernel rankme would run (the guard), so that these timings stand for rankme's.
  const rankme::GuardedKernel blas = rankme::guard_blas_kernel(argv);
  rankme::MpiSession session(argc, argv);
  const Communicator comm = Communicator::world();
  if (argc < 4) {
    if (comm.is_root()) std::fprintf(stderr, "usage: %s ORDER RUNS SOLVER...\n", argv[0]);
    return 2;
  }
  const std::uint64_t order = std::stoull(argv[1]);
  const int runs = std::stoi(argv[2]);
  std::vector<double> a;
  if (comm.is_root()) a = random_gram(order);
  comm.broadcast(a, 0);

  std::vector<double> reference;  // dsyevd 'U' on rank 0, the first time it is needed
  if (comm.is_root()) {
    std::printf("K = %llu, %d ranks, %d OpenBLAS threads per rank, %d runs, %s\n",
                static_cast<unsigned long long>(order), comm.size(), openblas_get_num_threads(), runs,
                rankme::describe_blas_kernel(blas.report).c_str());
    for (const std::string& warning : blas.warnings) std::fprintf(stderr, "warning: %s\n", warning.c_str());
  }
  // Round robin (run 1 of every solver, then run 2, ...), so that a change in the load of a shared
  // machine falls on all solvers alike rather than on whichever ran then.
  const std::vector<std::string> solvers(argv + 3, argv + argc);
  std::vector<std::vector<double>> seconds(solvers.size()), cpu(solvers.size());
  std::vector<Run> first(solvers.size());
  for (int r = 0; r < runs; ++r) {
    for (std::size_t s = 0; s < solvers.size(); ++s) {
      Run run = run_once(comm, solvers[s], a, order);
      seconds[s].push_back(run.seconds);
      cpu[s].push_back(run.cpu_per_second);
      if (r == 0) first[s] = std::move(run);
    }
  }
  for (std::size_t s = 0; s < solvers.size(); ++s) {
    const std::string& solver = solvers[s];
    if (!comm.is_root()) continue;
    if (reference.empty()) {
      if (solver == "dsyevd_U") {
        reference = first[s].values;
      } else {
        std::vector<double> copy = a;
        reference = dsyevd_upper(copy, order);
      }
    }
    const double lambda_max = reference.back();
    double vs_max = 0, vs_own = 0;
    for (std::size_t k = 0; k < order; ++k) {
      const double difference = std::fabs(first[s].values[k] - reference[k]);
      vs_max = std::max(vs_max, difference / lambda_max);
      vs_own = std::max(vs_own, difference / std::fabs(reference[k]));
      if (std::isnan(first[s].values[k])) vs_max = vs_own = std::numeric_limits<double>::quiet_NaN();
    }
    std::printf("%-24s median %8.3f s  min %8.3f s  runs", first[s].name.c_str(), median(seconds[s]),
                *std::min_element(seconds[s].begin(), seconds[s].end()));
    for (double t : seconds[s]) std::printf(" %.3f", t);
    std::printf("  cpu/wall");
    for (double c : cpu[s]) std::printf(" %.2f", c);
    std::printf("  max|dl|/lmax %.1e  max|dl|/l %.1e  lmin/lmax %.1e\n", vs_max, vs_own, reference.front() / lambda_max);
    std::fflush(stdout);
  }
  return 0;
}
