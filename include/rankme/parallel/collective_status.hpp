#pragma once
// Making every rank agree that something failed, before any rank acts on it. A rank that left a
// collective early would leave the others waiting in it forever; so each stage that can fail on some
// ranks ends with one Allreduce, and then either all ranks go on or all ranks stop with the same message.
#include <exception>
#include <optional>
#include <stdexcept>
#include <string>

#include "rankme/parallel/communicator.hpp"

namespace rankme {

// Thrown on every rank of a communicator at once, with the same message on every rank.
class CollectiveError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct AgreedOutcome {
  std::optional<std::string> error;  // the agreed failure, if any rank failed
  bool flag = false;                 // whether any rank raised its flag
  bool stop = false;                 // whether any rank was asked to stop (stop_request.hpp)
};

// One Allreduce that settles whether any rank failed (with the message of the lowest failing rank,
// prefixed "rank r: " when there are several ranks), whether any rank raised `local_flag`, and whether
// any rank raised `local_stop`. Collective: every rank must call it.
AgreedOutcome agree(const Communicator& comm, const std::optional<std::string>& local_error, bool local_flag,
                    bool local_stop = false);

// Returns the message of the lowest-numbered rank that reported one (prefixed "rank r: " when the
// communicator has several ranks), or nothing when no rank did. Collective: every rank must call it.
std::optional<std::string> agree_on_failure(const Communicator& comm, const std::optional<std::string>& local_error);

// Runs `stage` on every rank; if it throws on any rank, throws CollectiveError on all ranks.
// `stage` itself must not call collectives that other ranks could skip because it threw: its
// collectives belong after this call.
template <typename Stage>
void run_stage(const Communicator& comm, Stage&& stage) {
  std::optional<std::string> local_error;
  try {
    stage();
  } catch (const std::exception& error) {
    local_error = error.what();
  } catch (...) {
    local_error = "unknown error";
  }
  if (auto agreed = agree_on_failure(comm, local_error)) throw CollectiveError(*agreed);
}

}  // namespace rankme
