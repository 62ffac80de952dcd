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

namespace {
// MPICH 4.0 (ch4) ranks busy-poll while they wait and never yield the core, so with more ranks than cores
// every collective waits for a scheduler tick: 2000 MPI_Allreduce + MPI_Barrier pairs at 3 ranks on 2
// cores take 16-23 s on Debian's MPICH 4.0.2 against 0.02 s on OpenMPI, which yields when oversubscribed;
// the throttling CVARs of later MPICH releases (MPIR_CVAR_CH4_PROGRESS_THROTTLE) are not in 4.0. The MPICH
// registrations therefore set RANKME_TEST_OVERSUBSCRIBED_WATCHDOG_SCALE (tests/CMakeLists.txt): the limits
// are multiplied by it only when this run has more ranks than the machine has cores. A hang still ends
// the test, only later; at as many ranks as cores the limits stay as they are.
int oversubscription_scale() {
  const char* text = std::getenv("RANKME_TEST_OVERSUBSCRIBED_WATCHDOG_SCALE");
  if (text == nullptr) {
    return 1;
  }
  char* end = nullptr;
  const long scale = std::strtol(text, &end, 10);
  if (end == text || *end != '\0' || scale < 1 || scale > 100) {
    std::fprintf(stderr, "RANKME_TEST_OVERSUBSCRIBED_WATCHDOG_SCALE=%s is not a whole number in 1-100\n", text);
    std::exit(2);
  }
  int ranks = 1;
  MPI_Comm_size(MPI_COMM_WORLD, &ranks);
  const unsigned cores = std::thread::hardware_concurrency();
  return cores != 0 && static_cast<unsigned>(ranks) > cores ? static_cast<int>(scale) : 1;
}
}  // namespace

Watchdog::Watchdog(std::string what, std::chrono::seconds limit) {
  static const int scale = oversubscription_scale();
  limit *= watchdog_slowdown * scale;
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
