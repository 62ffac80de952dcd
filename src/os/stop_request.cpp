#include "rankme/os/stop_request.hpp"

#include <csignal>

namespace rankme {

namespace {
volatile std::sig_atomic_t stop_flag = 0;

extern "C" void on_stop_signal(int) { stop_flag = 1; }
}  // namespace

void install_stop_request_handlers() {
  struct sigaction action {};
  action.sa_handler = on_stop_signal;
  sigemptyset(&action.sa_mask);
  action.sa_flags = SA_RESTART;  // a read or MPI call in progress carries on; the flag is checked per block
  sigaction(SIGTERM, &action, nullptr);
  sigaction(SIGINT, &action, nullptr);
}

bool stop_requested() { return stop_flag != 0; }

void set_stop_requested(bool requested) { stop_flag = requested ? 1 : 0; }

}  // namespace rankme
