#pragma once
// Listing each input in a child process (os/crash_isolation.hpp), so that HDF5 crashing (or looping) on a
// damaged file makes that input an error target, and the others are still listed and scored.
#include <functional>
#include <vector>

#include "rankme/pipeline/dataset_target.hpp"
#include "rankme/pipeline/input_spec.hpp"

namespace rankme {

// discover_input(input) for every input in order, in child processes; what each found comes back through
// the discovery message (dataset_target_json.hpp). An input whose child crashed, exited or did not finish
// within 600 s becomes one error target naming its file. An exception thrown by discover_input is a failure
// of the discovery itself: thrown here as std::runtime_error with its message.
Discovery discover_in_child_processes(const std::vector<InputSpec>& inputs,
                                      const std::function<Discovery(const InputSpec&)>& discover_input);

// RANKME_ISOLATE_DISCOVERY=0 turns the isolation off (for an MPI stack that forbids fork()).
bool discovery_isolation_enabled();

}  // namespace rankme
