#pragma once
// Running pieces of work in a forked child process, so that a crash inside a library (HDF5 1.10
// segfaults on some damaged files: tests/fuzz/hdf5_crashes) costs that piece of work, not the job. Every
// --resume of a job killed that way would otherwise die on the same file again, and the sweep never end.
// Dataset discovery lists every input this way on rank 0 (metadata only, before any scoring); the child
// makes no MPI call.
#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace rankme {

struct IsolatedOutcome {
  std::optional<std::string> output;  // what the work returned, when it finished normally
  std::string failure;                // otherwise why not: "crashed (signal 11: Segmentation fault)", ...
};

// Runs work(0) ... work(count - 1) in order in one child process, which hands each output back as it is
// done. A child that crashes, exits early or spends more than `timeout_seconds` on one piece of work (it is
// then killed) costs that piece only: a new child goes on with the next. One fork for the whole list when
// nothing crashes. Runs the work in this process when no child can be made (no fork, no pipe).
std::vector<IsolatedOutcome> run_in_child_processes(std::size_t count, const std::function<std::string(std::size_t)>& work,
                                                    double timeout_seconds);

}  // namespace rankme
