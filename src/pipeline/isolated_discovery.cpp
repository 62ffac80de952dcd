#include "rankme/pipeline/isolated_discovery.hpp"

#include <cstdlib>
#include <stdexcept>
#include <string>

#include "rankme/os/crash_isolation.hpp"
#include "rankme/pipeline/dataset_target_json.hpp"

namespace rankme {

namespace {

// Metadata of even a large file lists in seconds; a child still busy with one input after this long is
// stuck in a loop of a damaged file's making.
constexpr double discovery_timeout_seconds = 600;

}  // namespace

Discovery discover_in_child_processes(const std::vector<InputSpec>& inputs,
                                      const std::function<Discovery(const InputSpec&)>& discover_input) {
  const std::vector<IsolatedOutcome> outcomes = run_in_child_processes(
      inputs.size(),
      [&](std::size_t index) {
        try {
          return serialise_discovery(discover_input(inputs[index]));
        } catch (const std::exception& error) {
          return serialise_discovery_failure(error.what());
        }
      },
      discovery_timeout_seconds);
  Discovery discovery;
  for (std::size_t index = 0; index < inputs.size(); ++index) {
    const InputSpec& input = inputs[index];
    if (outcomes[index].output) {
      if (auto failure = deserialise_discovery(*outcomes[index].output, discovery)) throw std::runtime_error(*failure);
      continue;
    }
    discovery.targets.push_back(failed_target(
        input.file, input.dataset.value_or(""),
        "HDF5 " + outcomes[index].failure + " while reading the metadata of '" + input.file +
            "': the file is damaged (or beyond this HDF5); not scored"));
  }
  return discovery;
}

bool discovery_isolation_enabled() {
  const char* setting = std::getenv("RANKME_ISOLATE_DISCOVERY");
  return setting == nullptr || std::string(setting) != "0";
}

}  // namespace rankme
