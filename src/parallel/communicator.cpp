#include "rankme/parallel/communicator.hpp"

#include <algorithm>
#include <climits>
#include <cstdlib>
#include <thread>
#include <utility>

#include "rankme/parallel/mpi_error.hpp"

namespace rankme {

Communicator::Communicator(MPI_Comm comm, bool owned, std::uint64_t max_chunk_elements)
    : comm_(comm), owned_(owned), max_chunk_elements_(max_chunk_elements) {
  check_mpi(MPI_Comm_rank(comm_, &rank_), "MPI_Comm_rank");
  check_mpi(MPI_Comm_size(comm_, &size_), "MPI_Comm_size");
}

Communicator::Communicator(Communicator&& other) noexcept
    : comm_(std::exchange(other.comm_, MPI_COMM_NULL)),
      owned_(std::exchange(other.owned_, false)),
      rank_(other.rank_),
      size_(other.size_),
      max_chunk_elements_(other.max_chunk_elements_) {}

Communicator& Communicator::operator=(Communicator&& other) noexcept {
  if (this != &other) {
    if (owned_) MPI_Comm_free(&comm_);
    comm_ = std::exchange(other.comm_, MPI_COMM_NULL);
    owned_ = std::exchange(other.owned_, false);
    rank_ = other.rank_;
    size_ = other.size_;
    max_chunk_elements_ = other.max_chunk_elements_;
  }
  return *this;
}

Communicator::~Communicator() {
  // Unchecked: a destructor cannot throw, and a communicator that cannot be freed leaks nothing that
  // outlives MPI_Finalize.
  if (owned_ && comm_ != MPI_COMM_NULL) MPI_Comm_free(&comm_);
}

void Communicator::set_max_chunk_elements(std::uint64_t elements) {
  max_chunk_elements_ = std::clamp<std::uint64_t>(elements, 1, INT_MAX);
}

Communicator Communicator::split(int colour, int key) const {
  MPI_Comm result = MPI_COMM_NULL;
  check_mpi(MPI_Comm_split(comm_, colour, key, &result), "MPI_Comm_split");
  return Communicator(result, true, max_chunk_elements_);
}

Communicator Communicator::split_by_node() const {
  MPI_Comm result = MPI_COMM_NULL;
  check_mpi(MPI_Comm_split_type(comm_, MPI_COMM_TYPE_SHARED, rank_, MPI_INFO_NULL, &result), "MPI_Comm_split_type");
  return Communicator(result, true, max_chunk_elements_);
}

void Communicator::barrier() const { check_mpi(MPI_Barrier(comm_), "MPI_Barrier"); }

void Communicator::barrier_sleeping(std::chrono::microseconds poll) const {
  MPI_Request request = MPI_REQUEST_NULL;
  check_mpi(MPI_Ibarrier(comm_, &request), "MPI_Ibarrier");
  int done = 0;
  check_mpi(MPI_Test(&request, &done, MPI_STATUS_IGNORE), "MPI_Test");
  while (!done) {
    std::this_thread::sleep_for(poll);
    check_mpi(MPI_Test(&request, &done, MPI_STATUS_IGNORE), "MPI_Test");
  }
}

void Communicator::abort(int exit_code) const {
  // Unchecked: if even MPI_Abort returns, nothing is left but ending this process.
  MPI_Abort(comm_, exit_code);
  std::abort();
}

}  // namespace rankme
