// Communicator's collectives: reductions, broadcasts and barriers, each in chunks of at most
// max_chunk_elements() elements.
#include <algorithm>

#include "rankme/parallel/communicator.hpp"
#include "rankme/parallel/mpi_error.hpp"

namespace rankme {

template <typename T>
void Communicator::reduce_chunks_in_place(T* values, std::uint64_t count, std::uint64_t limit, MPI_Datatype type,
                                          MPI_Op op, const char* call) const {
  const std::uint64_t piece_limit = std::clamp<std::uint64_t>(limit, 1, max_chunk_elements_);
  for (std::uint64_t offset = 0; offset < count; offset += piece_limit) {
    const auto piece = static_cast<int>(std::min(piece_limit, count - offset));
    check_mpi(MPI_Allreduce(MPI_IN_PLACE, values + offset, piece, type, op, comm_), call);
  }
}

template <typename T>
void Communicator::broadcast_chunks(T* values, std::uint64_t count, MPI_Datatype type, int root) const {
  for (std::uint64_t offset = 0; offset < count; offset += max_chunk_elements_) {
    const auto piece = static_cast<int>(std::min(max_chunk_elements_, count - offset));
    check_mpi(MPI_Bcast(values + offset, piece, type, root, comm_), "MPI_Bcast");
  }
}

namespace {
// The root's length, on every rank.
std::uint64_t broadcast_length(const Communicator& comm, std::size_t length, int root) {
  auto value = static_cast<std::int64_t>(length);
  comm.broadcast(value, root);
  return static_cast<std::uint64_t>(value);
}
}  // namespace

double Communicator::max(double value) const {
  double result = 0;
  check_mpi(MPI_Allreduce(&value, &result, 1, MPI_DOUBLE, MPI_MAX, comm_), "MPI_Allreduce(max)");
  return result;
}

bool Communicator::any(bool value) const {
  int local = value ? 1 : 0;
  int result = 0;
  check_mpi(MPI_Allreduce(&local, &result, 1, MPI_INT, MPI_LOR, comm_), "MPI_Allreduce(lor)");
  return result != 0;
}

void Communicator::min_in_place(int* values, std::uint64_t count) const {
  reduce_chunks_in_place(values, count, max_chunk_elements_, MPI_INT, MPI_MIN, "MPI_Allreduce(min)");
}

void Communicator::max_in_place(double* values, std::uint64_t count) const {
  reduce_chunks_in_place(values, count, max_chunk_elements_, MPI_DOUBLE, MPI_MAX, "MPI_Allreduce(max)");
}

void Communicator::sum_in_place(double* values, std::uint64_t count, std::uint64_t max_elements_per_call) const {
  reduce_chunks_in_place(values, count, max_elements_per_call, MPI_DOUBLE, MPI_SUM, "MPI_Allreduce(sum)");
}

void Communicator::broadcast(int& value, int root) const { broadcast_chunks(&value, 1, MPI_INT, root); }

void Communicator::broadcast(std::int64_t& value, int root) const { broadcast_chunks(&value, 1, MPI_INT64_T, root); }

void Communicator::broadcast(int* values, std::uint64_t count, int root) const {
  broadcast_chunks(values, count, MPI_INT, root);
}

void Communicator::broadcast(std::vector<double>& values, int root) const {
  values.resize(static_cast<std::size_t>(broadcast_length(*this, values.size(), root)));
  broadcast_chunks(values.data(), values.size(), MPI_DOUBLE, root);
}

void Communicator::broadcast(std::vector<std::uint64_t>& values, int root) const {
  values.resize(static_cast<std::size_t>(broadcast_length(*this, values.size(), root)));
  broadcast_chunks(values.data(), values.size(), MPI_UINT64_T, root);
}

void Communicator::broadcast(std::string& text, int root) const {
  text.resize(static_cast<std::size_t>(broadcast_length(*this, text.size(), root)));
  broadcast_chunks(text.data(), text.size(), MPI_CHAR, root);
}

}  // namespace rankme
