#include "rankme/os/crash_isolation.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstring>

#include "rankme/os/child_program.hpp"
#include "rankme/os/file_descriptor.hpp"
#include "rankme/os/pipe_draining.hpp"

namespace rankme {

namespace {

bool write_all(int descriptor, const char* bytes, std::size_t size) {
  std::size_t written = 0;
  while (written < size) {
    const ssize_t count = ::write(descriptor, bytes + written, size - written);
    if (count < 0 && errno == EINTR) continue;
    if (count <= 0) return false;
    written += static_cast<std::size_t>(count);
  }
  return true;
}

// The child's side: each output as an 8-byte length and its bytes. _exit rather than exit, so that
// nothing of the parent's (stdio buffers, atexit handlers, MPI) is flushed or finalised twice.
[[noreturn]] void run_child(int output, std::size_t first, std::size_t count,
                            const std::function<std::string(std::size_t)>& work) {
  // A crash here is an expected outcome, reported by the parent in one line: not the backtrace that
  // OpenMPI's handlers print for a crashing rank.
  for (const int signal : {SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT}) ::signal(signal, SIG_DFL);
  for (std::size_t index = first; index < count; ++index) {
    std::string result;
    try {
      result = work(index);
    } catch (...) {
      ::_exit(3);
    }
    const std::uint64_t size = result.size();
    if (!write_all(output, reinterpret_cast<const char*>(&size), sizeof size) ||
        !write_all(output, result.data(), result.size())) {
      ::_exit(4);
    }
  }
  ::_exit(0);
}

// Takes every complete record off the front of `buffer`.
void take_records(std::string& buffer, std::vector<IsolatedOutcome>& outcomes, std::size_t& next) {
  for (;;) {
    std::uint64_t size = 0;
    if (buffer.size() < sizeof size) return;
    std::memcpy(&size, buffer.data(), sizeof size);
    if (buffer.size() - sizeof size < size) return;
    outcomes[next++].output = buffer.substr(sizeof size, static_cast<std::size_t>(size));
    buffer.erase(0, sizeof size + static_cast<std::size_t>(size));
  }
}

}  // namespace

std::vector<IsolatedOutcome> run_in_child_processes(std::size_t count, const std::function<std::string(std::size_t)>& work,
                                                    double timeout_seconds) {
  std::vector<IsolatedOutcome> outcomes(count);
  std::size_t next = 0;
  while (next < count) {
    // The pipe's two ends (none when no pipe can be had).
    FileDescriptor from_child, to_parent;
    if (int ends[2]; ::pipe2(ends, O_CLOEXEC) == 0) {
      from_child = FileDescriptor(ends[0]);
      to_parent = FileDescriptor(ends[1]);
    }
    const pid_t child = from_child ? ::fork() : -1;
    if (child < 0) {
      from_child.reset();
      to_parent.reset();
      for (; next < count; ++next) outcomes[next].output = work(next);  // no child to be had
      break;
    }
    if (child == 0) {
      from_child.reset();
      run_child(to_parent.get(), next, count, work);
    }
    to_parent.reset();  // the child's end: the parent must see end of file once the child is gone
    std::string buffer;
    const bool timed_out = drain_pipe(from_child.get(), timeout_seconds, [&](const char* bytes, std::size_t size) {
      buffer.append(bytes, size);
      const std::size_t before = next;
      take_records(buffer, outcomes, next);
      return next > before;  // each piece of work has its own time limit
    });
    from_child.reset();  // before waiting: a child still writing must not be left blocked on a full pipe
    if (timed_out) ::kill(child, SIGKILL);
    int status = 0;
    while (::waitpid(child, &status, 0) < 0 && errno == EINTR) {
    }
    if (next < count) {
      // The piece of work the child was on when it ended: its failure; the next child starts after it.
      outcomes[next++].failure = timed_out ? "did not finish within " + std::to_string(static_cast<long long>(timeout_seconds)) + " s"
                                           : describe_wait_status(status);
    }
  }
  return outcomes;
}

}  // namespace rankme
