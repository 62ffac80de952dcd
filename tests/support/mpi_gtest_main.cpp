// The gtest main of every MPI test: initialises MPI, lets only rank 0 print gtest's report, sends every
// other rank's failures to rank 0 after each test (printed under [ RANK n ]), and makes every rank exit
// non-zero when any rank failed, so that mpiexec, and CTest, see the failure.
#include <gtest/gtest.h>
#include <mpi.h>

#if defined(__SANITIZE_ADDRESS__)
#include <sanitizer/lsan_interface.h>
#endif

#include <sstream>
#include <string>
#include <vector>

namespace {

class RankFailureListener : public testing::EmptyTestEventListener {
 public:
  RankFailureListener(int rank, int ranks) : rank_(rank), ranks_(ranks) {}

  void OnTestPartResult(const testing::TestPartResult& result) override {
    if (!result.failed()) return;
    std::ostringstream text;
    text << (result.file_name() ? result.file_name() : "?") << ":" << result.line_number() << ": " << result.summary()
         << "\n";
    failures_ += text.str();
  }

  // Every rank runs the same tests in the same order, so this gather is matched on all ranks.
  void OnTestEnd(const testing::TestInfo& info) override {
    int length = static_cast<int>(failures_.size());
    std::vector<int> lengths(static_cast<std::size_t>(ranks_));
    MPI_Gather(&length, 1, MPI_INT, lengths.data(), 1, MPI_INT, 0, MPI_COMM_WORLD);
    std::vector<int> offsets(static_cast<std::size_t>(ranks_), 0);
    int total = 0;
    for (int r = 0; r < ranks_; ++r) {
      offsets[static_cast<std::size_t>(r)] = total;
      total += lengths[static_cast<std::size_t>(r)];
    }
    std::string all(static_cast<std::size_t>(rank_ == 0 ? total : 0), '\0');
    MPI_Gatherv(failures_.data(), length, MPI_CHAR, all.data(), lengths.data(), offsets.data(), MPI_CHAR, 0,
                MPI_COMM_WORLD);
    if (rank_ == 0) {
      for (int r = 1; r < ranks_; ++r) {
        const auto index = static_cast<std::size_t>(r);
        if (lengths[index] == 0) continue;
        std::printf("[ RANK %d ] FAILED %s.%s\n%s", r, info.test_suite_name(), info.name(),
                    all.substr(static_cast<std::size_t>(offsets[index]), static_cast<std::size_t>(lengths[index])).c_str());
        std::fflush(stdout);
      }
    }
    failures_.clear();
  }

 private:
  int rank_;
  int ranks_;
  std::string failures_;
};

}  // namespace

int main(int argc, char** argv) {
  int provided = MPI_THREAD_SINGLE;  // as the tool: the block prefetcher needs SERIALIZED
  MPI_Init_thread(&argc, &argv, MPI_THREAD_SERIALIZED, &provided);
  testing::InitGoogleTest(&argc, argv);
  int rank = 0, ranks = 1;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  MPI_Comm_size(MPI_COMM_WORLD, &ranks);
  auto& listeners = testing::UnitTest::GetInstance()->listeners();
  if (rank != 0) delete listeners.Release(listeners.default_result_printer());
  listeners.Append(new RankFailureListener(rank, ranks));
  const int local = RUN_ALL_TESTS();
  int any = 0;
  MPI_Allreduce(&local, &any, 1, MPI_INT, MPI_MAX, MPI_COMM_WORLD);
  if (rank == 0 && any != 0 && local == 0) std::printf("[  FAILED  ] on another rank (see [ RANK n ] above)\n");
  // Sanitised builds (the asan preset) check for leaks here, once the tests are done but before
  // MPI_Finalize dlclose()s OpenMPI's components: their leftover blocks then still have a module name
  // that tests/sanitizers/lsan.supp can match. Leaks end the process non-zero; the check runs only once.
#if defined(__SANITIZE_ADDRESS__)
  __lsan_do_leak_check();
#endif
  MPI_Finalize();
  return any != 0 ? 1 : 0;
}
