#pragma once
// Running another program (or this one again) to completion and reading what it printed: a child with its
// own environment, stdin and stderr on /dev/null, a time limit after which it is killed. The BLAS kernel
// guard runs rankme itself this way, as a probe with another OPENBLAS_CORETYPE (OpenBLAS reads that once,
// as it loads, so only a new process can try another kernel).

#include <string>
#include <utility>
#include <vector>

namespace rankme {

struct ChildProgramOutcome {
  bool exited = false;  // ended by exit(): exit_code is its code
  int exit_code = -1;
  std::string output;   // what it wrote to stdout
  // Unless it exited with 0: what happened, e.g. "stopped with exit code 3", "crashed (signal 4: Illegal
  // instruction)", "did not finish within 30 s", "could not be started: No such file or directory".
  std::string failure;
};

// Starts `program` (a path; argv[0] is `arguments[0]`) with this process's environment, where each of
// `environment` (name, value) replaces or adds a variable, and waits for it, killing it (SIGKILL) after
// `timeout_seconds`. Never throws for what the child does; throws std::bad_alloc only.
ChildProgramOutcome run_child_program(const std::string& program, const std::vector<std::string>& arguments,
                                      const std::vector<std::pair<std::string, std::string>>& environment,
                                      double timeout_seconds);

// A waitpid status in words: "stopped with exit code 3", "crashed (signal 11: Segmentation fault)".
std::string describe_wait_status(int status);

}  // namespace rankme
