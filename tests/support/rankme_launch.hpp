// Launching the rankme binary from a binary test: through mpiexec at n ranks, or directly (singleton MPI),
// with a timeout that fails the calling test, and a cache for a launch that several tests check.
// Header-only because the paths come from the test target: rankme_add_binary_test defines RANKME_BINARY
// and RANKME_MPIEXEC (cmake/RankmeAddMpiTest.cmake).
#pragma once

#include <gtest/gtest.h>

#include <map>
#include <string>
#include <utility>
#include <vector>

#include "support/child_process.hpp"

#if !defined(RANKME_BINARY) || !defined(RANKME_MPIEXEC)
#error "support/rankme_launch.hpp is for tests registered with rankme_add_binary_test"
#endif

namespace rankme::testing {

inline constexpr double run_timeout_seconds = 60;

inline std::vector<std::string> rankme_command(int ranks, const std::vector<std::string>& args) {
  return mpiexec_command(RANKME_MPIEXEC, ranks, RANKME_BINARY, args);
}

// rankme through mpiexec at `ranks` ranks. A run that exceeds the timeout fails the calling test.
inline RunResult run_rankme(int ranks, const std::vector<std::string>& args) {
  RunResult result = run_command(rankme_command(ranks, args), run_timeout_seconds);
  if (result.hung) ADD_FAILURE() << "hung: no exit within " << run_timeout_seconds << " s" << result;
  return result;
}

// rankme started directly, without mpiexec: MPI initialises as a singleton.
inline RunResult run_rankme_directly(const std::vector<std::string>& args) {
  std::vector<std::string> argv = {RANKME_BINARY};
  argv.insert(argv.end(), args.begin(), args.end());
  RunResult result = run_command(argv, run_timeout_seconds);
  if (result.hung) ADD_FAILURE() << "hung: no exit within " << run_timeout_seconds << " s" << result;
  return result;
}

// The same launch checked by several tests is made once (ranks 0: started without mpiexec).
inline const RunResult& run_rankme_cached(int ranks, const std::vector<std::string>& args) {
  static std::map<std::pair<int, std::vector<std::string>>, RunResult> cache;
  const auto key = std::make_pair(ranks, args);
  auto found = cache.find(key);
  if (found == cache.end()) found = cache.emplace(key, ranks > 0 ? run_rankme(ranks, args) : run_rankme_directly(args)).first;
  return found->second;
}

}  // namespace rankme::testing
