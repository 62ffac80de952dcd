#include "rankme/parallel/mpi_session.hpp"

#include <mpi.h>

#include <cstdlib>
#include <cstring>

#include "rankme/parallel/mpi_error.hpp"

namespace rankme {

bool mpi_allows_serialized_threads() {
  int initialised = 0, finalised = 0;
  MPI_Initialized(&initialised);
  MPI_Finalized(&finalised);
  if (!initialised || finalised) return false;
  int provided = MPI_THREAD_SINGLE;
  MPI_Query_thread(&provided);
  return provided >= MPI_THREAD_SERIALIZED;
}

namespace {

// Whether every process of this job runs on this node, as far as the launcher's environment tells before
// MPI_Init: mpirun's OMPI_COMM_WORLD_SIZE and _LOCAL_SIZE, srun's SLURM_STEP_NUM_NODES, or no launcher at
// all (a singleton). Unknown counts as no. Every rank reads the same answer from its environment.
bool whole_job_on_this_node() {
  const char* world = std::getenv("OMPI_COMM_WORLD_SIZE");
  const char* local = std::getenv("OMPI_COMM_WORLD_LOCAL_SIZE");
  if (world != nullptr && local != nullptr) return std::strcmp(world, local) == 0;
  if (const char* nodes = std::getenv("SLURM_STEP_NUM_NODES")) return std::strcmp(nodes, "1") == 0;
  return world == nullptr && std::getenv("PMIX_RANK") == nullptr && std::getenv("PMI_RANK") == nullptr;
}

}  // namespace

void prefer_shared_memory_transport_within_one_node() {
  // OpenMPI's UCX PML probes every network device in MPI_Init: 0.2 s of a 0.4 s start-up here, for a job
  // whose ranks then talk through shared memory anyway (ob1 with the vader BTL). A PML set by the user or
  // the launcher (OMPI_MCA_pml, mpirun --mca pml) is left alone, as is every job that spans nodes, where
  // UCX is what the interconnect wants. RANKME_MPI_DEFAULTS=1 turns this off.
  if (std::getenv("OMPI_MCA_pml") != nullptr || std::getenv("RANKME_MPI_DEFAULTS") != nullptr) return;
  if (whole_job_on_this_node()) setenv("OMPI_MCA_pml", "ob1", 0);
}

MpiSession::MpiSession(int& argc, char**& argv) {
  int initialised = 0;
  MPI_Initialized(&initialised);
  if (initialised) return;
  prefer_shared_memory_transport_within_one_node();
  // SERIALIZED lets the block prefetcher's worker read (MPI-IO) while the main thread multiplies; an MPI
  // that offers less still works, reading in the foreground.
  int provided = MPI_THREAD_SINGLE;
  check_mpi(MPI_Init_thread(&argc, &argv, MPI_THREAD_SERIALIZED, &provided), "MPI_Init_thread");
}

MpiSession::~MpiSession() {
  int finalised = 0;
  MPI_Finalized(&finalised);
  if (!finalised) MPI_Finalize();
}

}  // namespace rankme
