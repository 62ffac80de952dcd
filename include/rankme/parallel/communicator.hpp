#pragma once
// A thin, typed view of an MPI communicator, and the only way rankme talks MPI. Owns (and frees) the
// communicator only when made by split() or split_by_node().
//
// Counts are 64-bit everywhere: MPI's are int, and a K x K matrix passes 2^31 elements at K = 46,341, so
// every transfer goes to MPI in chunks of at most max_chunk_elements() elements. Every MPI return code is
// checked (check_mpi, mpi_error.hpp): a failure is an MpiError naming the call.
#include <mpi.h>

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace rankme {

class Communicator {
 public:
  static Communicator world() { return Communicator(MPI_COMM_WORLD, false); }
  // This process alone (the Python module scores an array it holds, whatever the job around it).
  static Communicator self() { return Communicator(MPI_COMM_SELF, false); }

  Communicator(const Communicator&) = delete;
  Communicator& operator=(const Communicator&) = delete;
  Communicator(Communicator&& other) noexcept;
  Communicator& operator=(Communicator&& other) noexcept;
  ~Communicator();

  // MPI_Comm_split: ranks with the same colour form one new communicator, ordered by key.
  Communicator split(int colour, int key) const;
  // MPI_Comm_split_type(MPI_COMM_TYPE_SHARED): the ranks of this communicator on this rank's node.
  Communicator split_by_node() const;

  // The handle itself, only for libraries that take a communicator: BLACS (Csys2blacs_handle) and HDF5's
  // MPI-IO file access. rankme's own traffic goes through the methods below.
  MPI_Comm native() const { return comm_; }
  int rank() const { return rank_; }
  int size() const { return size_; }
  bool is_root() const { return rank_ == 0; }

  // The most elements one MPI call moves: 2^30 by default, well inside int whatever the element type.
  std::uint64_t max_chunk_elements() const { return max_chunk_elements_; }
  // For tests only: a small chunk (say 7 elements) exercises the splitting without 2^31-element buffers.
  // Every rank must set the same value: a receiver expects the chunks its sender sends. Clamped to
  // [1, INT_MAX]. Communicators made by split() inherit it.
  void set_max_chunk_elements(std::uint64_t elements);

  // ---- Collectives (communicator_collectives.cpp): every rank of the communicator must call them.
  double max(double value) const;
  bool any(bool value) const;
  // In-place element-wise minimum, maximum or sum over all ranks.
  void min_in_place(int* values, std::uint64_t count) const;
  void max_in_place(double* values, std::uint64_t count) const;
  // The sum also in pieces of at most max_elements_per_call (if fewer than max_chunk_elements()).
  void sum_in_place(double* values, std::uint64_t count,
                    std::uint64_t max_elements_per_call = std::uint64_t{1} << 28) const;
  void broadcast(std::vector<double>& values, int root) const;         // resized on receivers
  void broadcast(std::string& text, int root) const;                   // resized on receivers
  void broadcast(std::vector<std::uint64_t>& values, int root) const;  // resized on receivers
  void broadcast(int& value, int root) const;
  void broadcast(std::int64_t& value, int root) const;
  void broadcast(int* values, std::uint64_t count, int root) const;  // `count` known on every rank
  void barrier() const;
  // A barrier whose waiting ranks sleep between polls instead of spinning: while one rank computes alone
  // (rank 0's LAPACK eigensolve), the others would otherwise each burn a core in MPI's busy-wait, the cores
  // that rank's BLAS threads could use.
  void barrier_sleeping(std::chrono::microseconds poll = std::chrono::microseconds(500)) const;

  // ---- Point to point (communicator_point_to_point.cpp). The receiver names the count it expects; a
  // message of another length is an MpiError, not a silent short read.
  void send(const double* values, std::uint64_t count, int destination, int tag) const;
  void receive(double* values, std::uint64_t count, int source, int tag) const;
  void send(const std::int64_t* values, std::uint64_t count, int destination, int tag) const;
  void receive(std::int64_t* values, std::uint64_t count, int source, int tag) const;
  // A message whose receiver does not know its length: the length goes first, then the bytes, all with
  // `tag`. MPI keeps messages from one sender with one tag in order, so a receiver that takes the length
  // and then the bytes from the same source gets them together.
  void send_message(const std::vector<std::uint8_t>& bytes, int destination, int tag) const;
  std::vector<std::uint8_t> receive_message(int source, int tag) const;
  // The rank whose message with `tag` (a send_message, or a send) is waiting to be received, if any.
  // Never blocks.
  std::optional<int> waiting_sender(int tag) const;

  // MPI_Abort: ends every rank of the job with `exit_code`. For an error on one rank that the others
  // cannot be told about (they may be waiting in a collective).
  [[noreturn]] void abort(int exit_code) const;

 private:
  Communicator(MPI_Comm comm, bool owned, std::uint64_t max_chunk_elements = std::uint64_t{1} << 30);

  template <typename T>
  void send_chunks(const T* values, std::uint64_t count, MPI_Datatype type, int destination, int tag) const;
  template <typename T>
  void receive_chunks(T* values, std::uint64_t count, MPI_Datatype type, int source, int tag) const;
  template <typename T>
  void broadcast_chunks(T* values, std::uint64_t count, MPI_Datatype type, int root) const;
  template <typename T>
  void reduce_chunks_in_place(T* values, std::uint64_t count, std::uint64_t limit, MPI_Datatype type, MPI_Op op,
                              const char* call) const;

  MPI_Comm comm_ = MPI_COMM_NULL;
  bool owned_ = false;
  int rank_ = 0;
  int size_ = 1;
  std::uint64_t max_chunk_elements_ = std::uint64_t{1} << 30;
};

}  // namespace rankme
