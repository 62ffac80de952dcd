// MPI as an object: MpiSession initialises MPI (asking for MPI_THREAD_SERIALIZED) and finalises it when it
// goes; before MPI_Init it picks the shared-memory transport only for a job that is all on this node and
// only when nobody chose one. A plain gtest main: the test starts and ends MPI itself (at one rank).
#include "rankme/parallel/mpi_session.hpp"

#include <gtest/gtest.h>
#include <mpi.h>
#include <stdlib.h>
#if defined(__SANITIZE_ADDRESS__)
#include <sanitizer/lsan_interface.h>
#endif

#include <map>
#include <optional>
#include <string>

namespace rankme {
namespace {

// The environment variables the transport choice reads, restored after each test.
class LauncherEnvironment : public ::testing::Test {
 protected:
  void SetUp() override {
    for (const char* name : names) {
      if (const char* value = std::getenv(name)) saved_[name] = value;
      unsetenv(name);
    }
  }
  void TearDown() override {
    for (const char* name : names) {
      const auto found = saved_.find(name);
      if (found != saved_.end()) {
        setenv(name, found->second.c_str(), 1);
      } else {
        unsetenv(name);
      }
    }
  }
  static std::optional<std::string> pml() {
    const char* value = std::getenv("OMPI_MCA_pml");
    return value ? std::optional<std::string>(value) : std::nullopt;
  }

  static constexpr const char* names[] = {"OMPI_MCA_pml", "RANKME_MPI_DEFAULTS", "OMPI_COMM_WORLD_SIZE",
                                          "OMPI_COMM_WORLD_LOCAL_SIZE", "SLURM_STEP_NUM_NODES", "PMIX_RANK",
                                          "PMI_RANK"};

 private:
  std::map<std::string, std::string> saved_;
};

TEST_F(LauncherEnvironment, ASingletonOrAOneNodeJobGetsSharedMemory) {
  prefer_shared_memory_transport_within_one_node();
  EXPECT_EQ(pml(), "ob1") << "no launcher at all: a singleton";
  unsetenv("OMPI_MCA_pml");
  setenv("OMPI_COMM_WORLD_SIZE", "4", 1);
  setenv("OMPI_COMM_WORLD_LOCAL_SIZE", "4", 1);
  prefer_shared_memory_transport_within_one_node();
  EXPECT_EQ(pml(), "ob1") << "mpirun, every rank on this node";
  unsetenv("OMPI_MCA_pml");
  unsetenv("OMPI_COMM_WORLD_SIZE");
  unsetenv("OMPI_COMM_WORLD_LOCAL_SIZE");
  setenv("SLURM_STEP_NUM_NODES", "1", 1);
  prefer_shared_memory_transport_within_one_node();
  EXPECT_EQ(pml(), "ob1") << "srun on one node";
}

TEST_F(LauncherEnvironment, AJobAcrossNodesOrUnknownKeepsTheDefault) {
  setenv("OMPI_COMM_WORLD_SIZE", "8", 1);
  setenv("OMPI_COMM_WORLD_LOCAL_SIZE", "4", 1);
  prefer_shared_memory_transport_within_one_node();
  EXPECT_EQ(pml(), std::nullopt) << "mpirun across two nodes";
  unsetenv("OMPI_COMM_WORLD_SIZE");
  unsetenv("OMPI_COMM_WORLD_LOCAL_SIZE");
  setenv("SLURM_STEP_NUM_NODES", "2", 1);
  prefer_shared_memory_transport_within_one_node();
  EXPECT_EQ(pml(), std::nullopt) << "srun across two nodes";
  unsetenv("SLURM_STEP_NUM_NODES");
  setenv("PMIX_RANK", "0", 1);
  prefer_shared_memory_transport_within_one_node();
  EXPECT_EQ(pml(), std::nullopt) << "a launcher that does not say where its ranks are";
}

TEST_F(LauncherEnvironment, AChosenTransportOrRankmeMpiDefaultsIsLeftAlone) {
  setenv("OMPI_MCA_pml", "ucx", 1);
  prefer_shared_memory_transport_within_one_node();
  EXPECT_EQ(pml(), "ucx");
  unsetenv("OMPI_MCA_pml");
  setenv("RANKME_MPI_DEFAULTS", "1", 1);
  prefer_shared_memory_transport_within_one_node();
  EXPECT_EQ(pml(), std::nullopt);
}

// MPI can be initialised once per process: the whole life of a session in one test.
TEST(MpiSession, InitialisesWithSerializedThreadsAndFinalisesWhenItGoes) {
  EXPECT_FALSE(mpi_allows_serialized_threads()) << "before MPI_Init";
  int argc = 1;
  char name[] = "test_mpi_session";
  char* arguments[] = {name, nullptr};
  char** argv = arguments;
  {
    const MpiSession session(argc, argv);
    int initialised = 0;
    MPI_Initialized(&initialised);
    EXPECT_TRUE(initialised);
    int size = 0;
    MPI_Comm_size(MPI_COMM_WORLD, &size);
    EXPECT_EQ(size, 1);
    EXPECT_TRUE(mpi_allows_serialized_threads());
    // Sanitised builds check for leaks here, as the shared MPI test main does before MPI_Finalize: once
    // it dlclose()s OpenMPI's components, their leftover blocks have no module name for
    // tests/sanitizers/lsan.supp to match. The check runs once; none runs at exit after it.
#if defined(__SANITIZE_ADDRESS__)
    __lsan_do_leak_check();
#endif
  }
  int finalised = 0;
  MPI_Finalized(&finalised);
  EXPECT_TRUE(finalised);
  EXPECT_FALSE(mpi_allows_serialized_threads()) << "after MPI_Finalize";
}

}  // namespace
}  // namespace rankme
