#include "rankme/os/pipe_draining.hpp"

#include <poll.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>

namespace rankme {

bool drain_pipe(int descriptor, double timeout_seconds, const PipeBytes& on_bytes) {
  const auto limit = std::chrono::duration<double>(timeout_seconds);
  auto deadline = std::chrono::steady_clock::now() + limit;
  for (;;) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) return true;
    pollfd readable{descriptor, POLLIN, 0};
    // Woken at least every second, so that the deadline is seen even when poll is interrupted often.
    const int ready = ::poll(&readable, 1, static_cast<int>(std::min<long long>(left.count(), 1000)));
    if (ready < 0 && errno != EINTR) return false;
    if (ready <= 0) continue;
    char chunk[65536];
    const ssize_t got = ::read(descriptor, chunk, sizeof chunk);
    if (got < 0 && errno == EINTR) continue;
    if (got <= 0) return false;  // end of file: the child is done, or dead
    if (on_bytes(chunk, static_cast<std::size_t>(got))) deadline = std::chrono::steady_clock::now() + limit;
  }
}

}  // namespace rankme
