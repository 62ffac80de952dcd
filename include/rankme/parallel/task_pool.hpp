#pragma once
// A few threads that run queued tasks for one owner thread, which runs tasks too while it waits: the
// decoding of compressed HDF5 chunks (io/hdf5_chunk_reader.hpp) spread over a rank's cores while the
// owner (the prefetching thread) reads the next chunks.
//
// Tasks must not call MPI or HDF5: only the owner does (MPI_THREAD_SERIALIZED, a non-thread-safe HDF5).
// Only the owner calls submit() and wait().
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <exception>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace rankme {

class TaskPool {
 public:
  // A task receives the index of the thread that runs it, in [0, threads()): 0 is the owner, the others
  // the pool's own threads; for per-thread scratch memory.
  using Task = std::function<void(int thread)>;

  // `threads` >= 1 counts the owner: threads - 1 threads are started. Throws std::invalid_argument for
  // fewer than 1, std::system_error when a thread cannot be started.
  explicit TaskPool(int threads);
  // Finishes the queued tasks, then stops the threads.
  ~TaskPool();
  TaskPool(const TaskPool&) = delete;
  TaskPool& operator=(const TaskPool&) = delete;

  int threads() const { return static_cast<int>(workers_.size()) + 1; }

  // How many of the threads take tasks from now on (the owner's included; clamped to [1, threads()]): the
  // others stay asleep. All of them at first.
  void set_active_threads(int threads);
  int active_threads() const;

  // Queues `task`; a pool thread may start it at once.
  void submit(Task task);

  // Runs queued tasks on the owner too until every task submitted so far has finished; then rethrows the
  // first exception a task threw since the last wait() (the tasks after it still ran).
  void wait();

 private:
  void work(int thread);
  // Takes the next task and runs it (the lock held on entry and on return, released while it runs).
  void run_one(std::unique_lock<std::mutex>& lock, int thread);

  mutable std::mutex mutex_;
  std::condition_variable queued_;    // a task was queued, or the pool is stopping
  std::condition_variable finished_;  // a task finished
  std::deque<Task> tasks_;
  std::size_t unfinished_ = 0;  // queued or running
  std::exception_ptr failure_;
  bool stopping_ = false;
  int active_ = 1;
  std::vector<std::thread> workers_;
};

}  // namespace rankme
