#include "rankme/parallel/task_pool.hpp"

#include <algorithm>
#include <stdexcept>
#include <string>
#include <utility>

namespace rankme {

TaskPool::TaskPool(int threads) {
  if (threads < 1) throw std::invalid_argument("a task pool needs at least 1 thread, not " + std::to_string(threads));
  active_ = threads;
  workers_.reserve(static_cast<std::size_t>(threads - 1));
  try {
    for (int thread = 1; thread < threads; ++thread) workers_.emplace_back([this, thread] { work(thread); });
  } catch (...) {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      stopping_ = true;
    }
    queued_.notify_all();
    for (std::thread& worker : workers_) worker.join();
    throw;
  }
}

TaskPool::~TaskPool() {
  {
    std::unique_lock<std::mutex> lock(mutex_);
    while (!tasks_.empty()) run_one(lock, 0);
    finished_.wait(lock, [this] { return unfinished_ == 0; });
    stopping_ = true;
  }
  queued_.notify_all();
  for (std::thread& worker : workers_) worker.join();
}

void TaskPool::set_active_threads(int threads) {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    active_ = std::clamp(threads, 1, this->threads());
  }
  queued_.notify_all();  // threads woken to take tasks again
}

int TaskPool::active_threads() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return active_;
}

void TaskPool::submit(Task task) {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    tasks_.push_back(std::move(task));
    ++unfinished_;
  }
  queued_.notify_one();
}

void TaskPool::run_one(std::unique_lock<std::mutex>& lock, int thread) {
  Task task = std::move(tasks_.front());
  tasks_.pop_front();
  lock.unlock();
  std::exception_ptr failure;
  try {
    task(thread);
  } catch (...) {
    failure = std::current_exception();
  }
  lock.lock();
  if (failure && !failure_) failure_ = failure;
  if (--unfinished_ == 0) finished_.notify_all();
}

void TaskPool::wait() {
  std::unique_lock<std::mutex> lock(mutex_);
  // The owner takes tasks as long as there are queued ones, then waits for the running ones to finish.
  while (!tasks_.empty()) run_one(lock, 0);
  finished_.wait(lock, [this] { return unfinished_ == 0; });
  if (failure_) std::rethrow_exception(std::exchange(failure_, nullptr));
}

void TaskPool::work(int thread) {
  std::unique_lock<std::mutex> lock(mutex_);
  for (;;) {
    queued_.wait(lock, [this, thread] { return stopping_ || (!tasks_.empty() && thread < active_); });
    if (stopping_ && (tasks_.empty() || thread >= active_)) return;  // what is left is the owner's
    run_one(lock, thread);
  }
}

}  // namespace rankme
