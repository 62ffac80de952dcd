#pragma once
// A thin, typed view of an MPI communicator. Owns (and frees) the communicator only when made by split().
#include <mpi.h>

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

namespace rankme {

class Communicator {
 public:
  static Communicator world() { return Communicator(MPI_COMM_WORLD, false); }

  Communicator(const Communicator&) = delete;
  Communicator& operator=(const Communicator&) = delete;
  Communicator(Communicator&& other) noexcept;
  Communicator& operator=(Communicator&& other) noexcept;
  ~Communicator();

  // MPI_Comm_split: ranks with the same colour form one new communicator, ordered by key.
  Communicator split(int colour, int key) const;

  MPI_Comm native() const { return comm_; }
  int rank() const { return rank_; }
  int size() const { return size_; }
  bool is_root() const { return rank_ == 0; }

  double max(double value) const;
  bool any(bool value) const;
  void min_in_place(int* values, int count) const;
  void max_in_place(double* values, int count) const;
  // In-place element-wise sum over all ranks, in pieces: MPI counts are int, and a K x K Gram passes
  // 2^31 elements at K = 46,341.
  void sum_in_place(double* values, std::uint64_t count,
                    std::uint64_t max_elements_per_call = std::uint64_t{1} << 28) const;
  void broadcast(std::vector<double>& values, int root) const;   // resized on receivers
  void broadcast(std::string& text, int root) const;             // resized on receivers
  void broadcast(std::vector<std::uint64_t>& values, int root) const;  // resized on receivers
  void broadcast(int& value, int root) const;
  void barrier() const;
  // A barrier whose waiting ranks sleep between polls instead of spinning: while one rank computes alone
  // (rank 0's LAPACK eigensolve), the others would otherwise each burn a core in MPI's busy-wait, the cores
  // that rank's BLAS threads could use.
  void barrier_sleeping(std::chrono::microseconds poll = std::chrono::microseconds(500)) const;

 private:
  Communicator(MPI_Comm comm, bool owned);
  MPI_Comm comm_ = MPI_COMM_NULL;
  bool owned_ = false;
  int rank_ = 0;
  int size_ = 1;
};

}  // namespace rankme
