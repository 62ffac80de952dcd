// The guard's announcement at 1-3 ranks: rank 0 alone prints the warnings and, with --verbose, the kernel and
// who chose it; a rank whose kernel differs from rank 0's says so itself. And what observe_blas_kernel reports
// for this process. (The probes and the re-execution need the rankme binary: tests/app/test_cli_blas_guard.cpp.)
#include "rankme/parallel/blas_kernel_guard.hpp"

#include <gtest/gtest.h>

#include <cstdlib>
#include <sstream>
#include <string>

#include "rankme/lapack/blas_library.hpp"
#include "rankme/parallel/communicator.hpp"

namespace rankme {
namespace {

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

GuardedKernel guarded(const std::string& kernel, KernelChooser chooser) {
  GuardedKernel result;
  result.report = {"OpenBLAS", "0.3.21", kernel, chooser, chooser == KernelChooser::rankme ? "Prescott" : ""};
  result.reason = "the reason";
  result.warnings = {"the warning"};
  result.notes = {"the note"};
  return result;
}

TEST(BlasKernelGuard, RankZeroAnnouncesOnceWhenEveryRankAgrees) {
  const Communicator world = Communicator::world();
  std::ostringstream err;
  announce_blas_kernel(world, guarded("Cooperlake", KernelChooser::rankme), true, err);
  if (!world.is_root()) {
    EXPECT_EQ(err.str(), "") << "only rank 0 speaks when the ranks agree";
    return;
  }
  const std::string expected_kernel = "rankme: BLAS: OpenBLAS 0.3.21, kernel Cooperlake (chosen by rankme; the library "
                                      "picked Prescott)" + std::string(world.size() > 1 ? ", on every rank" : "") + "\n";
  EXPECT_EQ(err.str(), "rankme: warning: the warning\n" + expected_kernel +
                           "rankme: BLAS kernel: the reason\nrankme: note: the note\n");
}

TEST(BlasKernelGuard, WithoutVerboseOnlyTheWarnings) {
  const Communicator world = Communicator::world();
  std::ostringstream err;
  announce_blas_kernel(world, guarded("Cooperlake", KernelChooser::library), false, err);
  EXPECT_EQ(err.str(), world.is_root() ? "rankme: warning: the warning\n" : "");
}

TEST(BlasKernelGuard, ARankWhoseKernelDiffersSaysSo) {
  const Communicator world = Communicator::world();
  if (world.size() < 2) GTEST_SKIP() << "needs 2 ranks";
  const bool odd = world.rank() == world.size() - 1;  // the last rank runs another kernel
  std::ostringstream err;
  announce_blas_kernel(world, odd ? guarded("Prescott", KernelChooser::library) : guarded("Cooperlake", KernelChooser::rankme),
                       true, err);
  if (odd) {
    EXPECT_TRUE(contains(err.str(), "rankme: warning: rank " + std::to_string(world.rank()) +
                                        " runs OpenBLAS 0.3.21, kernel Prescott (chosen by the library), but rank 0 "
                                        "runs OpenBLAS 0.3.21, kernel Cooperlake (chosen by rankme"))
        << err.str();
  } else if (world.is_root()) {
    EXPECT_TRUE(contains(err.str(), "kernel Cooperlake (chosen by rankme; the library picked Prescott), not on every rank\n"))
        << err.str();
  } else {
    EXPECT_EQ(err.str(), "");
  }
}

TEST(BlasKernelGuard, ObservingReportsThisProcesssLibraryAndWhoChose) {
  const GuardedKernel observed = observe_blas_kernel();
  const BlasLibrary library = loaded_blas_library();
  EXPECT_EQ(observed.report.library, "OpenBLAS");
  EXPECT_EQ(observed.report.version, library.version);
  EXPECT_EQ(observed.report.kernel, library.kernel);
  // Nothing rankme chose here; the test's environment may set OPENBLAS_CORETYPE (some machines do).
  const KernelChooser expected = std::getenv("OPENBLAS_CORETYPE") ? KernelChooser::user : KernelChooser::library;
  if (!std::getenv("RANKME_BLAS_GUARD_CHOSE")) {
    EXPECT_EQ(observed.report.chosen_by, expected);
  }
  EXPECT_TRUE(observed.warnings.empty());
}

}  // namespace
}  // namespace rankme
