#include "rankme/os/child_program.hpp"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <sstream>

#include "rankme/os/file_descriptor.hpp"
#include "rankme/os/pipe_draining.hpp"

extern char** environ;

namespace rankme {

namespace {

// This process's environment with `changes` applied, as "name=value" strings.
std::vector<std::string> changed_environment(const std::vector<std::pair<std::string, std::string>>& changes) {
  std::vector<std::string> entries;
  for (char** entry = environ; entry && *entry; ++entry) {
    const std::string text = *entry;
    const std::string name = text.substr(0, text.find('='));
    const bool replaced = std::any_of(changes.begin(), changes.end(), [&](const auto& change) { return change.first == name; });
    if (!replaced) entries.push_back(text);
  }
  for (const auto& [name, value] : changes) entries.push_back(name + "=" + value);
  return entries;
}

std::vector<char*> pointers_to(std::vector<std::string>& texts) {
  std::vector<char*> pointers;
  for (std::string& text : texts) pointers.push_back(text.data());
  pointers.push_back(nullptr);
  return pointers;
}

// posix_spawn's file actions, destroyed on every path.
class SpawnActions {
 public:
  SpawnActions() { ok_ = ::posix_spawn_file_actions_init(&actions_) == 0; }
  ~SpawnActions() {
    if (ok_) ::posix_spawn_file_actions_destroy(&actions_);
  }
  SpawnActions(const SpawnActions&) = delete;
  SpawnActions& operator=(const SpawnActions&) = delete;
  bool ok() const { return ok_; }
  posix_spawn_file_actions_t* get() { return &actions_; }

 private:
  posix_spawn_file_actions_t actions_{};
  bool ok_ = false;
};

}  // namespace

std::string describe_wait_status(int status) {
  if (WIFSIGNALED(status)) {
    const int signal = WTERMSIG(status);
    return "crashed (signal " + std::to_string(signal) + ": " + ::strsignal(signal) + ")";
  }
  if (WIFEXITED(status)) return "stopped with exit code " + std::to_string(WEXITSTATUS(status));
  return "ended abnormally";
}

ChildProgramOutcome run_child_program(const std::string& program, const std::vector<std::string>& arguments,
                                      const std::vector<std::pair<std::string, std::string>>& environment,
                                      double timeout_seconds) {
  ChildProgramOutcome outcome;
  FileDescriptor from_child, to_parent;
  if (int ends[2]; ::pipe2(ends, O_CLOEXEC) == 0) {
    from_child = FileDescriptor(ends[0]);
    to_parent = FileDescriptor(ends[1]);
  } else {
    outcome.failure = std::string("could not be started: no pipe: ") + std::strerror(errno);
    return outcome;
  }
  SpawnActions actions;
  // dup2 onto 1 clears close-on-exec on the copy: the child writes its stdout into the pipe, and no other
  // descriptor of this process's pipe leaks into it.
  if (!actions.ok() || ::posix_spawn_file_actions_addopen(actions.get(), 0, "/dev/null", O_RDONLY, 0) != 0 ||
      ::posix_spawn_file_actions_adddup2(actions.get(), to_parent.get(), 1) != 0 ||
      ::posix_spawn_file_actions_addopen(actions.get(), 2, "/dev/null", O_WRONLY, 0) != 0) {
    outcome.failure = "could not be started: posix_spawn file actions failed";
    return outcome;
  }
  std::vector<std::string> argument_texts = arguments;
  std::vector<std::string> environment_texts = changed_environment(environment);
  std::vector<char*> argv = pointers_to(argument_texts);
  std::vector<char*> envp = pointers_to(environment_texts);
  pid_t child = -1;
  if (const int error = ::posix_spawn(&child, program.c_str(), actions.get(), nullptr, argv.data(), envp.data());
      error != 0) {
    outcome.failure = "could not be started: " + std::string(std::strerror(error));
    return outcome;
  }
  to_parent.reset();  // the parent sees end of file once the child (and anything it started) is gone

  const bool timed_out = drain_pipe(from_child.get(), timeout_seconds, [&](const char* bytes, std::size_t size) {
    outcome.output.append(bytes, size);
    return false;  // one time limit for the whole run
  });
  from_child.reset();  // a child still writing must not block on a full pipe while it is waited for
  if (timed_out) ::kill(child, SIGKILL);
  int status = 0;
  while (::waitpid(child, &status, 0) < 0 && errno == EINTR) {
  }
  outcome.exited = WIFEXITED(status) && !timed_out;
  outcome.exit_code = outcome.exited ? WEXITSTATUS(status) : -1;
  if (timed_out) {
    std::ostringstream limit;
    limit << timeout_seconds;
    outcome.failure = "did not finish within " + limit.str() + " s";
  } else if (!outcome.exited || outcome.exit_code != 0) {
    outcome.failure = describe_wait_status(status);
  }
  return outcome;
}

}  // namespace rankme
