#include "rankme/parallel/collective_status.hpp"

namespace rankme {

AgreedOutcome agree(const Communicator& comm, const std::optional<std::string>& local_error, bool local_flag,
                    bool local_stop) {
  // The lowest failing rank speaks for all: deterministic, and one message however many ranks failed.
  // The flags travel in the same MIN reduction as 0 (raised) or 1 (not raised).
  int values[3] = {local_error ? comm.rank() : comm.size(), local_flag ? 0 : 1, local_stop ? 0 : 1};
  comm.min_in_place(values, 3);
  AgreedOutcome outcome;
  outcome.flag = values[1] == 0;
  outcome.stop = values[2] == 0;
  const int first_failing = values[0];
  if (first_failing == comm.size()) return outcome;
  std::string message = comm.rank() == first_failing ? *local_error : std::string();
  comm.broadcast(message, first_failing);
  if (comm.size() > 1) message = "rank " + std::to_string(first_failing) + ": " + message;
  outcome.error = message;
  return outcome;
}

std::optional<std::string> agree_on_failure(const Communicator& comm, const std::optional<std::string>& local_error) {
  return agree(comm, local_error, false).error;
}

}  // namespace rankme
