// Communicator's point-to-point messages, each in chunks of at most max_chunk_elements() elements: the
// receiver takes the same chunks in the same order (MPI does not reorder messages between one pair of
// ranks with one tag), so both sides must use the same limit.
#include <algorithm>
#include <stdexcept>
#include <string>

#include "rankme/parallel/communicator.hpp"
#include "rankme/parallel/mpi_error.hpp"

namespace rankme {

template <typename T>
void Communicator::send_chunks(const T* values, std::uint64_t count, MPI_Datatype type, int destination,
                               int tag) const {
  for (std::uint64_t offset = 0; offset < count; offset += max_chunk_elements_) {
    const auto piece = static_cast<int>(std::min(max_chunk_elements_, count - offset));
    check_mpi(MPI_Send(values + offset, piece, type, destination, tag, comm_), "MPI_Send");
  }
}

template <typename T>
void Communicator::receive_chunks(T* values, std::uint64_t count, MPI_Datatype type, int source, int tag) const {
  for (std::uint64_t offset = 0; offset < count; offset += max_chunk_elements_) {
    const auto piece = static_cast<int>(std::min(max_chunk_elements_, count - offset));
    MPI_Status status;
    check_mpi(MPI_Recv(values + offset, piece, type, source, tag, comm_, &status), "MPI_Recv");
    int received = 0;
    check_mpi(MPI_Get_count(&status, type, &received), "MPI_Get_count");
    // A longer message is MPI's truncation error; a shorter one would leave the rest of the buffer stale.
    if (received != piece) {
      throw std::runtime_error("MPI_Recv from rank " + std::to_string(source) + " (tag " + std::to_string(tag) +
                               "): expected " + std::to_string(piece) + " elements, received " +
                               std::to_string(received));
    }
  }
}

void Communicator::send(const double* values, std::uint64_t count, int destination, int tag) const {
  send_chunks(values, count, MPI_DOUBLE, destination, tag);
}

void Communicator::receive(double* values, std::uint64_t count, int source, int tag) const {
  receive_chunks(values, count, MPI_DOUBLE, source, tag);
}

void Communicator::send(const std::int64_t* values, std::uint64_t count, int destination, int tag) const {
  send_chunks(values, count, MPI_INT64_T, destination, tag);
}

void Communicator::receive(std::int64_t* values, std::uint64_t count, int source, int tag) const {
  receive_chunks(values, count, MPI_INT64_T, source, tag);
}

void Communicator::send_message(const std::vector<std::uint8_t>& bytes, int destination, int tag) const {
  const std::uint64_t length = bytes.size();
  send_chunks(&length, 1, MPI_UINT64_T, destination, tag);
  send_chunks(bytes.data(), length, MPI_BYTE, destination, tag);
}

std::vector<std::uint8_t> Communicator::receive_message(int source, int tag) const {
  std::uint64_t length = 0;
  receive_chunks(&length, 1, MPI_UINT64_T, source, tag);
  std::vector<std::uint8_t> bytes(static_cast<std::size_t>(length));
  receive_chunks(bytes.data(), length, MPI_BYTE, source, tag);
  return bytes;
}

std::optional<int> Communicator::waiting_sender(int tag) const {
  int waiting = 0;
  MPI_Status status;
  check_mpi(MPI_Iprobe(MPI_ANY_SOURCE, tag, comm_, &waiting, &status), "MPI_Iprobe");
  if (!waiting) return std::nullopt;
  return status.MPI_SOURCE;
}

}  // namespace rankme
