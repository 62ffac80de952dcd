#include "rankme/parallel/communicator.hpp"

#include <algorithm>
#include <climits>
#include <cstdlib>
#include <cstring>
#include <stdexcept>
#include <thread>
#include <utility>

#include "rankme/parallel/mpi_session.hpp"

namespace rankme {

namespace {
// MPI errors are fatal (MPI_ERRORS_ARE_FATAL) on the communicators rankme uses, so a failed call never
// returns; this check only guards against a changed error handler.
void check(int code, const char* call) {
  if (code != MPI_SUCCESS) throw std::runtime_error(std::string("MPI call failed: ") + call);
}
}  // namespace

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
  check(MPI_Init_thread(&argc, &argv, MPI_THREAD_SERIALIZED, &provided), "MPI_Init_thread");
}

MpiSession::~MpiSession() {
  int finalised = 0;
  MPI_Finalized(&finalised);
  if (!finalised) MPI_Finalize();
}

Communicator::Communicator(MPI_Comm comm, bool owned) : comm_(comm), owned_(owned) {
  check(MPI_Comm_rank(comm_, &rank_), "MPI_Comm_rank");
  check(MPI_Comm_size(comm_, &size_), "MPI_Comm_size");
}

Communicator::Communicator(Communicator&& other) noexcept
    : comm_(std::exchange(other.comm_, MPI_COMM_NULL)),
      owned_(std::exchange(other.owned_, false)),
      rank_(other.rank_),
      size_(other.size_) {}

Communicator& Communicator::operator=(Communicator&& other) noexcept {
  if (this != &other) {
    if (owned_) MPI_Comm_free(&comm_);
    comm_ = std::exchange(other.comm_, MPI_COMM_NULL);
    owned_ = std::exchange(other.owned_, false);
    rank_ = other.rank_;
    size_ = other.size_;
  }
  return *this;
}

Communicator::~Communicator() {
  if (owned_ && comm_ != MPI_COMM_NULL) MPI_Comm_free(&comm_);
}

Communicator Communicator::split(int colour, int key) const {
  MPI_Comm result = MPI_COMM_NULL;
  check(MPI_Comm_split(comm_, colour, key, &result), "MPI_Comm_split");
  return Communicator(result, true);
}

double Communicator::max(double value) const {
  double result = 0;
  check(MPI_Allreduce(&value, &result, 1, MPI_DOUBLE, MPI_MAX, comm_), "MPI_Allreduce(max)");
  return result;
}

bool Communicator::any(bool value) const {
  int local = value ? 1 : 0;
  int result = 0;
  check(MPI_Allreduce(&local, &result, 1, MPI_INT, MPI_LOR, comm_), "MPI_Allreduce(lor)");
  return result != 0;
}

void Communicator::min_in_place(int* values, int count) const {
  check(MPI_Allreduce(MPI_IN_PLACE, values, count, MPI_INT, MPI_MIN, comm_), "MPI_Allreduce(min)");
}

void Communicator::max_in_place(double* values, int count) const {
  check(MPI_Allreduce(MPI_IN_PLACE, values, count, MPI_DOUBLE, MPI_MAX, comm_), "MPI_Allreduce(max)");
}

void Communicator::sum_in_place(double* values, std::uint64_t count, std::uint64_t max_elements_per_call) const {
  const std::uint64_t piece_limit = std::clamp<std::uint64_t>(max_elements_per_call, 1, INT_MAX);
  for (std::uint64_t offset = 0; offset < count; offset += piece_limit) {
    const auto piece = static_cast<int>(std::min(piece_limit, count - offset));
    check(MPI_Allreduce(MPI_IN_PLACE, values + offset, piece, MPI_DOUBLE, MPI_SUM, comm_),
          "MPI_Allreduce(sum)");
  }
}

void Communicator::broadcast(int& value, int root) const {
  check(MPI_Bcast(&value, 1, MPI_INT, root, comm_), "MPI_Bcast(int)");
}

void Communicator::broadcast(std::vector<double>& values, int root) const {
  auto count = static_cast<long long>(values.size());
  check(MPI_Bcast(&count, 1, MPI_LONG_LONG, root, comm_), "MPI_Bcast(size)");
  values.resize(static_cast<std::size_t>(count));
  for (long long offset = 0; offset < count; offset += INT_MAX) {
    const auto piece = static_cast<int>(std::min<long long>(INT_MAX, count - offset));
    check(MPI_Bcast(values.data() + offset, piece, MPI_DOUBLE, root, comm_), "MPI_Bcast(doubles)");
  }
}

void Communicator::broadcast(std::vector<std::uint64_t>& values, int root) const {
  auto count = static_cast<long long>(values.size());
  check(MPI_Bcast(&count, 1, MPI_LONG_LONG, root, comm_), "MPI_Bcast(size)");
  if (count > INT_MAX) throw std::length_error("broadcast: more than 2^31 values");
  values.resize(static_cast<std::size_t>(count));
  check(MPI_Bcast(values.data(), static_cast<int>(count), MPI_UINT64_T, root, comm_), "MPI_Bcast(uint64)");
}

void Communicator::broadcast(std::string& text, int root) const {
  auto length = static_cast<long long>(text.size());
  check(MPI_Bcast(&length, 1, MPI_LONG_LONG, root, comm_), "MPI_Bcast(size)");
  if (length > INT_MAX) throw std::length_error("broadcast: text longer than 2 GiB");
  text.resize(static_cast<std::size_t>(length));
  check(MPI_Bcast(text.data(), static_cast<int>(length), MPI_CHAR, root, comm_), "MPI_Bcast(text)");
}

void Communicator::barrier() const { check(MPI_Barrier(comm_), "MPI_Barrier"); }

void Communicator::barrier_sleeping(std::chrono::microseconds poll) const {
  MPI_Request request = MPI_REQUEST_NULL;
  check(MPI_Ibarrier(comm_, &request), "MPI_Ibarrier");
  int done = 0;
  check(MPI_Test(&request, &done, MPI_STATUS_IGNORE), "MPI_Test");
  while (!done) {
    std::this_thread::sleep_for(poll);
    check(MPI_Test(&request, &done, MPI_STATUS_IGNORE), "MPI_Test");
  }
}

}  // namespace rankme
