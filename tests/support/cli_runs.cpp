#include "support/cli_runs.hpp"

#include <signal.h>
#include <stdlib.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <algorithm>
#include <thread>

namespace rankme::testing {

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

bool has_ended(pid_t pid) {
  const std::string stat = read_whole_file("/proc/" + std::to_string(pid) + "/stat");
  const std::size_t paren = stat.rfind(')');
  if (paren == std::string::npos || paren + 2 >= stat.size()) return true;
  const char state = stat[paren + 2];
  return state == 'Z' || state == 'X';
}

void kill_process_tree(pid_t root) {
  // mpiexec is stopped first so that it starts nothing new while its tree is listed; each rank is in a
  // process group of its own, so the whole list is killed one by one.
  kill(root, SIGSTOP);
  const std::vector<pid_t> descendants = descendants_of(root);
  for (const pid_t pid : descendants) kill(pid, SIGKILL);
  kill(-root, SIGKILL);
  kill(root, SIGKILL);
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (!std::all_of(descendants.begin(), descendants.end(), has_ended)) {
    if (std::chrono::steady_clock::now() > deadline) {
      ADD_FAILURE() << "processes below pid " << root << " still alive 10 s after SIGKILL";
      return;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
}

void expect_no_crash(const RunResult& result) {
  for (const char* sign : {"Abort", "ABORT", "Segmentation", "internal error", "terminate called"}) {
    EXPECT_FALSE(contains(result.err, sign)) << "stderr mentions '" << sign << "'" << result;
  }
}

JsonlFile parse_jsonl_file(const std::string& path) { return parse_jsonl_text(read_whole_file(path)); }

JsonlFile parse_jsonl_text(const std::string& text) {
  JsonlFile parsed;
  parsed.ends_with_newline = text.empty() || text.back() == '\n';
  std::size_t begin = 0;
  for (std::size_t newline; (newline = text.find('\n', begin)) != std::string::npos; begin = newline + 1) {
    const std::string line = text.substr(begin, newline - begin);
    if (line.empty()) continue;
    try {
      nlohmann::json row = nlohmann::json::parse(line);
      if (row.is_object()) {
        parsed.rows.push_back(std::move(row));
        continue;
      }
    } catch (const nlohmann::json::exception&) {
    }
    parsed.invalid.push_back(line);
  }
  return parsed;
}

ScopedEnvironment::~ScopedEnvironment() {
  // Latest change first, so that a variable changed twice gets its value from before the first change.
  for (auto change = before_.rbegin(); change != before_.rend(); ++change) {
    if (change->second) {
      ::setenv(change->first.c_str(), change->second->c_str(), 1);
    } else {
      ::unsetenv(change->first.c_str());
    }
  }
}

void ScopedEnvironment::remember(const std::string& name) {
  const char* value = std::getenv(name.c_str());
  before_.emplace_back(name, value ? std::optional<std::string>(value) : std::nullopt);
}

void ScopedEnvironment::set(const std::string& name, const std::string& value) {
  remember(name);
  ::setenv(name.c_str(), value.c_str(), 1);
}

void ScopedEnvironment::unset(const std::string& name) {
  remember(name);
  ::unsetenv(name.c_str());
}

bool wait_for_file(const std::string& path, const ChildProcess& child, double timeout_seconds) {
  const auto started = std::chrono::steady_clock::now();
  while (::access(path.c_str(), F_OK) != 0) {
    if (has_ended(child.pid()) || seconds_since(started) > timeout_seconds) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  return true;
}

}  // namespace rankme::testing
