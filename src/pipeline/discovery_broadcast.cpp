#include "rankme/pipeline/discovery_broadcast.hpp"

#include <string>

#include "rankme/parallel/collective_status.hpp"
#include "rankme/pipeline/dataset_target_json.hpp"

namespace rankme {

Discovery discover_on_root(const Communicator& comm, const std::function<Discovery()>& discover, int root) {
  // Whatever happens on the root, it reaches the broadcast below (the only thing the other ranks wait
  // for): a failure becomes a CollectiveError everywhere.
  std::string serialised;
  if (comm.rank() == root) {
    try {
      serialised = serialise_discovery(discover());
    } catch (const std::exception& error) {
      serialised = serialise_discovery_failure(std::string("dataset discovery failed: ") + error.what());
    }
  }
  comm.broadcast(serialised, root);
  Discovery discovery;
  if (auto failure = deserialise_discovery(serialised, discovery)) throw CollectiveError(*failure);
  return discovery;
}

}  // namespace rankme
