// Work run in child processes: a crash, a hang or an exception costs the piece of work it happened in,
// and the pieces after it still run, in order.
#include <signal.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <thread>

#include "rankme/os/crash_isolation.hpp"

namespace rankme {
namespace {

TEST(CrashIsolation, ACrashAHangOrAnExitCostsOnlyThatPieceOfWork) {
  const pid_t parent = ::getpid();
  const auto outcomes = run_in_child_processes(
      7,
      [&](std::size_t index) -> std::string {
        if (::getpid() == parent) return "ran in the parent";
        if (index == 1) ::raise(SIGSEGV);
        if (index == 3) std::this_thread::sleep_for(std::chrono::seconds(30));
        if (index == 4) throw std::runtime_error("thrown");
        if (index == 5) ::_exit(7);
        return std::string(index == 6 ? 200000 : 3, static_cast<char>('a' + index));  // 6: more than a pipe holds
      },
      1.0);
  ASSERT_EQ(outcomes.size(), 7u);
  EXPECT_EQ(outcomes[0].output.value_or("none"), "aaa");
  EXPECT_FALSE(outcomes[1].output.has_value());
  EXPECT_EQ(outcomes[1].failure, "crashed (signal 11: Segmentation fault)");
  EXPECT_EQ(outcomes[2].output.value_or("none"), "ccc");
  EXPECT_FALSE(outcomes[3].output.has_value());
  EXPECT_EQ(outcomes[3].failure, "did not finish within 1 s");
  EXPECT_EQ(outcomes[4].failure, "stopped with exit code 3");
  EXPECT_EQ(outcomes[5].failure, "stopped with exit code 7");
  EXPECT_EQ(outcomes[6].output.value_or("none"), std::string(200000, 'g'));
}

TEST(CrashIsolation, NoWorkNoChild) { EXPECT_TRUE(run_in_child_processes(0, [](std::size_t) { return std::string(); }, 1).empty()); }

}  // namespace
}  // namespace rankme
