#pragma once
// MPI initialisation and finalisation as an object: finalised on every path out of main().
namespace rankme {

// Whether MPI runs at MPI_THREAD_SERIALIZED or above, so that a second thread may make MPI calls while
// the main one makes none (block_prefetcher.hpp). MpiSession asks for it; false before MPI is initialised.
bool mpi_allows_serialized_threads();

// Before MPI_Init: when every rank of the job is on this node and nobody chose an OpenMPI PML, choose ob1
// (shared memory) rather than UCX, whose device probing doubles the start-up. MpiSession calls it.
void prefer_shared_memory_transport_within_one_node();

class MpiSession {
 public:
  MpiSession(int& argc, char**& argv);
  ~MpiSession();
  MpiSession(const MpiSession&) = delete;
  MpiSession& operator=(const MpiSession&) = delete;
};

}  // namespace rankme
