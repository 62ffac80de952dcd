#include "support/mpi_fixtures.hpp"

#include <cstdio>
#include <cstdlib>

namespace rankme::testing {

bool is_root(MPI_Comm comm) {
  int rank = 0;
  MPI_Comm_rank(comm, &rank);
  return rank == 0;
}

std::string text_of_rank_zero(std::string text, MPI_Comm comm) {
  long long length = static_cast<long long>(text.size());
  MPI_Bcast(&length, 1, MPI_LONG_LONG, 0, comm);
  text.resize(static_cast<std::size_t>(length));
  MPI_Bcast(text.data(), static_cast<int>(length), MPI_CHAR, 0, comm);
  return text;
}

std::vector<double> values_of_rank_zero(std::vector<double> values, MPI_Comm comm) {
  long long count = static_cast<long long>(values.size());
  MPI_Bcast(&count, 1, MPI_LONG_LONG, 0, comm);
  values.resize(static_cast<std::size_t>(count));
  MPI_Bcast(values.data(), static_cast<int>(count), MPI_DOUBLE, 0, comm);
  return values;
}

SharedDirectory::SharedDirectory(const std::string& prefix) {
  std::string path;
  if (is_root()) {
    try {
      owner_.emplace(prefix);
      path = owner_->path().string();
    } catch (const std::exception&) {
      path.clear();
    }
  }
  path_ = text_of_rank_zero(path);
}

SharedDirectory::~SharedDirectory() { MPI_Barrier(MPI_COMM_WORLD); }

std::string write_on_root(const std::function<void()>& write) {
  std::string error;
  if (is_root()) {
    try {
      write();
    } catch (const std::exception& failure) {
      error = std::string("fixture: ") + failure.what();
    }
  }
  error = text_of_rank_zero(error);
  MPI_Barrier(MPI_COMM_WORLD);
  return error;
}

// AddressSanitizer (the asan preset) makes the tests two to three times slower; a hang still ends the
// test, only later.
#if defined(__SANITIZE_ADDRESS__)
constexpr int watchdog_slowdown = 3;
#else
constexpr int watchdog_slowdown = 1;
#endif

Watchdog::Watchdog(std::string what, std::chrono::seconds limit) {
  limit *= watchdog_slowdown;
  int rank = 0;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  thread_ = std::thread([this, what = std::move(what), limit, rank] {
    std::unique_lock<std::mutex> lock(mutex_);
    if (!finished_.wait_for(lock, limit, [this] { return done_; })) {
      std::fprintf(stderr,
                   "\n[  HANG    ] %s: rank %d still running after %lld s (a collective some rank never "
                   "entered?); ending the process\n",
                   what.c_str(), rank, static_cast<long long>(limit.count()));
      std::fflush(stdout);
      std::fflush(stderr);
      std::_Exit(3);
    }
  });
}

Watchdog::~Watchdog() {
  {
    const std::lock_guard<std::mutex> lock(mutex_);
    done_ = true;
  }
  finished_.notify_all();
  thread_.join();
}

namespace {
std::string current_test_name() {
  const ::testing::TestInfo* info = ::testing::UnitTest::GetInstance()->current_test_info();
  return info ? std::string(info->test_suite_name()) + "." + info->name() : "?";
}
}  // namespace

WatchedTest::WatchedTest() : watchdog_(current_test_name(), std::chrono::seconds(10)) {}

}  // namespace rankme::testing
