// Checking what a launched rankme did: whether a process has ended, killing a job's whole tree, reading a
// JSONL results file independently of rankme's own reader, and the signs of a crash on stderr.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "support/child_process.hpp"

namespace rankme::testing {

bool contains(const std::string& text, const std::string& part);

double seconds_since(std::chrono::steady_clock::time_point start);

// Whether `pid` has ended (gone, or a zombie not yet reaped): checked without reaping it, so that
// ChildProcess::wait still collects its exit status.
bool has_ended(pid_t pid);

// SIGKILL to `root` (mpiexec) and all its descendants, as a node failure or scancel -s KILL would; waits
// until every one has ended, so that no writer of the killed run overlaps the next one.
void kill_process_tree(pid_t root);

// No abort, segfault, internal error or uncaught exception on stderr (gtest failures otherwise).
void expect_no_crash(const RunResult& result);

struct JsonlFile {
  std::vector<nlohmann::json> rows;  // the complete lines that are JSON objects
  std::vector<std::string> invalid;  // complete lines that are not
  bool ends_with_newline = true;
};

JsonlFile parse_jsonl_text(const std::string& text);
JsonlFile parse_jsonl_file(const std::string& path);

// Environment variables for one launch (e.g. RANKME_FAULT for rankme-with-faults): set or unset before the
// fork, and as they were again when this goes out of scope (a variable the machine sets, such as
// OPENBLAS_CORETYPE, gets its value back).
class ScopedEnvironment {
 public:
  ScopedEnvironment() = default;
  ScopedEnvironment(const ScopedEnvironment&) = delete;
  ScopedEnvironment& operator=(const ScopedEnvironment&) = delete;
  ~ScopedEnvironment();
  void set(const std::string& name, const std::string& value);
  void unset(const std::string& name);

 private:
  void remember(const std::string& name);
  std::vector<std::pair<std::string, std::optional<std::string>>> before_;  // in the order of the changes
};

// Waits until `path` exists (e.g. the ready file of a stalled rank): false if `child` ends first or
// `timeout_seconds` pass.
bool wait_for_file(const std::string& path, const ChildProcess& child, double timeout_seconds);

}  // namespace rankme::testing
