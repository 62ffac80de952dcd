#pragma once
// Reading a child's pipe to its end under a time limit: what both ways of running a child (crash_isolation.hpp,
// child_program.hpp) do while the child runs, so that a child that hangs is killed and one that writes much
// never blocks on a full pipe.
#include <cstddef>
#include <functional>

namespace rankme {

// Called with every piece read; returns true when the piece was progress that restarts the time limit.
using PipeBytes = std::function<bool(const char* bytes, std::size_t size)>;

// Reads `descriptor` until end of file (every writer gone), a read error, or `timeout_seconds` without
// progress. Returns true when the time ran out (the caller kills the child). Retries EINTR.
bool drain_pipe(int descriptor, double timeout_seconds, const PipeBytes& on_bytes);

}  // namespace rankme
