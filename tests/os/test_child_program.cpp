// Running a program to completion: its stdout, its environment, how it ended (code, signal, time limit),
// a program that cannot start.
#include "rankme/os/child_program.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <cstdlib>
#include <string>

namespace rankme {
namespace {

ChildProgramOutcome shell(const std::string& script, const std::vector<std::pair<std::string, std::string>>& environment = {},
                          double timeout_seconds = 30) {
  return run_child_program("/bin/sh", {"sh", "-c", script}, environment, timeout_seconds);
}

TEST(ChildProgram, CapturesStdoutAndTheExitCode) {
  const ChildProgramOutcome ok = shell("echo one; echo two >&2; echo three");
  EXPECT_TRUE(ok.exited);
  EXPECT_EQ(ok.exit_code, 0);
  EXPECT_EQ(ok.output, "one\nthree\n") << "stderr is not captured";
  EXPECT_EQ(ok.failure, "");

  const ChildProgramOutcome three = shell("printf partial; exit 3");
  EXPECT_TRUE(three.exited);
  EXPECT_EQ(three.exit_code, 3);
  EXPECT_EQ(three.output, "partial");
  EXPECT_EQ(three.failure, "stopped with exit code 3");
}

TEST(ChildProgram, ChangesOnlyTheChildsEnvironment) {
  ::setenv("RANKME_TEST_CHILD_PROGRAM", "parent", 1);
  const ChildProgramOutcome replaced = shell("echo \"$RANKME_TEST_CHILD_PROGRAM $RANKME_TEST_CHILD_ADDED\"",
                                             {{"RANKME_TEST_CHILD_PROGRAM", "child"}, {"RANKME_TEST_CHILD_ADDED", "too"}});
  EXPECT_EQ(replaced.output, "child too\n");
  const ChildProgramOutcome inherited = shell("echo \"$RANKME_TEST_CHILD_PROGRAM\"");
  EXPECT_EQ(inherited.output, "parent\n");
  EXPECT_STREQ(std::getenv("RANKME_TEST_CHILD_PROGRAM"), "parent");
  EXPECT_EQ(std::getenv("RANKME_TEST_CHILD_ADDED"), nullptr);
  ::unsetenv("RANKME_TEST_CHILD_PROGRAM");
}

TEST(ChildProgram, StdinIsEmpty) {
  const ChildProgramOutcome cat = run_child_program("/bin/cat", {"cat"}, {}, 30);
  EXPECT_EQ(cat.exit_code, 0) << cat.failure;
  EXPECT_EQ(cat.output, "");
}

TEST(ChildProgram, ACrashIsNamedBySignal) {
  const ChildProgramOutcome crashed = shell("echo before; kill -SEGV $$");
  EXPECT_FALSE(crashed.exited);
  EXPECT_EQ(crashed.output, "before\n");
  EXPECT_EQ(crashed.failure, "crashed (signal 11: Segmentation fault)");
}

TEST(ChildProgram, AChildPastItsTimeLimitIsKilled) {
  const auto start = std::chrono::steady_clock::now();
  const ChildProgramOutcome slow = shell("echo started; exec sleep 30", {}, 0.3);
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  EXPECT_FALSE(slow.exited);
  EXPECT_EQ(slow.output, "started\n");
  EXPECT_EQ(slow.failure, "did not finish within 0.3 s");
  EXPECT_LT(seconds, 10.0);
}

TEST(ChildProgram, AProgramThatCannotStartSaysWhy) {
  const ChildProgramOutcome missing = run_child_program("/nonexistent/program", {"program"}, {}, 30);
  EXPECT_FALSE(missing.exited);
  EXPECT_EQ(missing.output, "");
  EXPECT_EQ(missing.failure, "could not be started: No such file or directory");
}

}  // namespace
}  // namespace rankme
