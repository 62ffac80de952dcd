// The decoding threads' pool (task_pool.hpp): every task runs once, on a thread index in range, the owner
// takes part, a task's exception reaches wait() without stopping the others, and only the active threads
// take tasks.
#include "rankme/parallel/task_pool.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <mutex>
#include <set>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

namespace rankme {
namespace {

TEST(TaskPool, RunsEveryTaskOnceOnAThreadInRange) {
  for (int threads : {1, 2, 4}) {
    SCOPED_TRACE("threads = " + std::to_string(threads));
    TaskPool pool(threads);
    EXPECT_EQ(pool.threads(), threads);
    EXPECT_EQ(pool.active_threads(), threads);
    constexpr int tasks = 200;
    std::vector<std::atomic<int>> runs(tasks);
    std::mutex mutex;
    std::set<int> seen;
    for (int round = 0; round < 3; ++round) {  // the pool is reused after each wait()
      for (int task = 0; task < tasks; ++task) {
        pool.submit([&, task](int thread) {
          runs[static_cast<std::size_t>(task)]++;
          std::lock_guard<std::mutex> lock(mutex);
          seen.insert(thread);
        });
      }
      pool.wait();
    }
    for (const std::atomic<int>& count : runs) EXPECT_EQ(count.load(), 3);
    for (const int thread : seen) {
      EXPECT_GE(thread, 0);
      EXPECT_LT(thread, threads);
    }
  }
}

TEST(TaskPool, TheOwnerRunsTasksWhileItWaits) {
  // With one thread there is no pool thread: everything runs in wait(), on the owner, as thread 0.
  TaskPool alone(1);
  std::vector<int> order;
  for (int task = 0; task < 5; ++task) alone.submit([&, task](int thread) { order.push_back(thread == 0 ? task : -1); });
  EXPECT_TRUE(order.empty()) << "a task ran before wait() with no thread to run it";
  alone.wait();
  EXPECT_EQ(order, (std::vector<int>{0, 1, 2, 3, 4}));

  // With two, the owner takes queued tasks too rather than only waiting: the pool's thread is held up by a
  // task that waits until the owner has run one.
  TaskPool pair(2);
  std::atomic<bool> owner_ran{false};
  std::atomic<bool> worker_ran{false};
  pair.submit([&](int thread) {
    if (thread == 0) {
      owner_ran = true;
      return;
    }
    worker_ran = true;
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    while (!owner_ran && std::chrono::steady_clock::now() < deadline) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(50));  // the pool's thread has taken the first
  pair.submit([&](int thread) {
    if (thread == 0) owner_ran = true;
  });
  pair.wait();
  EXPECT_TRUE(owner_ran.load());
}

TEST(TaskPool, WaitRethrowsTheFirstFailureAfterEveryTaskRan) {
  TaskPool pool(3);
  std::atomic<int> ran{0};
  for (int task = 0; task < 50; ++task) {
    pool.submit([&, task](int) {
      ++ran;
      if (task == 7) throw std::runtime_error("task 7 failed");
    });
  }
  try {
    pool.wait();
    FAIL() << "wait() did not rethrow";
  } catch (const std::runtime_error& error) {
    EXPECT_STREQ(error.what(), "task 7 failed");
  }
  EXPECT_EQ(ran.load(), 50);
  // The failure is reported once: the next round starts clean.
  pool.submit([&](int) { ++ran; });
  EXPECT_NO_THROW(pool.wait());
  EXPECT_EQ(ran.load(), 51);
}

TEST(TaskPool, OnlyActiveThreadsTakeTasks) {
  TaskPool pool(4);
  pool.set_active_threads(1);
  EXPECT_EQ(pool.active_threads(), 1);
  std::set<int> seen;
  std::mutex mutex;
  for (int task = 0; task < 100; ++task) {
    pool.submit([&](int thread) {
      std::lock_guard<std::mutex> lock(mutex);
      seen.insert(thread);
    });
  }
  pool.wait();
  EXPECT_EQ(seen, (std::set<int>{0}));
  // Clamped to [1, threads()], and active again when raised.
  pool.set_active_threads(0);
  EXPECT_EQ(pool.active_threads(), 1);
  pool.set_active_threads(99);
  EXPECT_EQ(pool.active_threads(), 4);
  pool.set_active_threads(2);
  seen.clear();
  for (int task = 0; task < 200; ++task) {
    pool.submit([&](int thread) {
      std::this_thread::sleep_for(std::chrono::microseconds(200));
      std::lock_guard<std::mutex> lock(mutex);
      seen.insert(thread);
    });
  }
  pool.wait();
  for (const int thread : seen) EXPECT_LT(thread, 2);
}

TEST(TaskPool, DestructionFinishesQueuedTasksAndBadSizesAreRefused) {
  std::atomic<int> ran{0};
  {
    TaskPool pool(2);
    for (int task = 0; task < 20; ++task) pool.submit([&](int) { ++ran; });
  }
  EXPECT_EQ(ran.load(), 20);
  EXPECT_THROW(TaskPool(0), std::invalid_argument);
  EXPECT_THROW(TaskPool(-3), std::invalid_argument);
}

}  // namespace
}  // namespace rankme
