#pragma once
// SIGTERM and SIGINT as a request to stop: SLURM sends SIGTERM at the time limit and on preemption, some
// seconds before SIGKILL. rankme then takes no new dataset, abandons the current one at the next block
// (agreed by its group), and exits with exit_interrupted once every finished result is written.

namespace rankme {

// Installs the handlers (idempotent). The handler only sets a flag: nothing else is async-signal-safe.
void install_stop_request_handlers();

// Whether SIGTERM or SIGINT has arrived at this process.
bool stop_requested();

// For tests: set or clear the flag as if a signal had (not) arrived.
void set_stop_requested(bool requested);

}  // namespace rankme
