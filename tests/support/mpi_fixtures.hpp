// Plumbing shared by the MPI tests: test files are written by rank 0 and read by every rank, results
// are compared across ranks, and a hang becomes a named failure. Raw MPI only, independent of the code
// under test (a fixture that used the product's Communicator could not catch its mistakes).
#pragma once

#include <gtest/gtest.h>
#include <mpi.h>

#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "support/temporary_directory.hpp"

namespace rankme::testing {

bool is_root(MPI_Comm comm = MPI_COMM_WORLD);

// Rank 0's value, on every rank of `comm`.
std::string text_of_rank_zero(std::string text, MPI_Comm comm = MPI_COMM_WORLD);
std::vector<double> values_of_rank_zero(std::vector<double> values, MPI_Comm comm = MPI_COMM_WORLD);

// A temporary directory made by rank 0 whose path every rank knows. It is removed only after every rank
// has passed the destructor's barrier, so it outlives all readers of a test. path() is empty on every
// rank if rank 0 could not make it.
class SharedDirectory {
 public:
  explicit SharedDirectory(const std::string& prefix = "rankme-mpi-test-");
  ~SharedDirectory();
  SharedDirectory(const SharedDirectory&) = delete;
  SharedDirectory& operator=(const SharedDirectory&) = delete;

  const std::string& path() const { return path_; }
  std::string file(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::optional<TemporaryDirectory> owner_;
  std::string path_;
};

// Runs `write` on rank 0 only; every rank gets rank 0's error message (empty when it worked) once the
// write has finished, so that no rank reads a half-written file.
std::string write_on_root(const std::function<void()>& write);

// Ends this process with a message when a test has not finished in time. A collective that some rank
// never enters hangs forever; without this the test would sit until CTest's timeout and say nothing
// about where it stopped. (Runs in its own thread; touches no MPI.)
class Watchdog {
 public:
  Watchdog(std::string what, std::chrono::seconds limit);
  ~Watchdog();
  Watchdog(const Watchdog&) = delete;
  Watchdog& operator=(const Watchdog&) = delete;

 private:
  std::mutex mutex_;
  std::condition_variable finished_;
  bool done_ = false;
  std::thread thread_;
};

// A test fixture whose every test runs under a 10 s watchdog (each takes well under a second, even at 4
// ranks on 2 cores with OpenMPI; MPICH's longer limit when oversubscribed: mpi_fixtures.cpp).
class WatchedTest : public ::testing::Test {
 private:
  Watchdog watchdog_;

 protected:
  WatchedTest();
};

}  // namespace rankme::testing
