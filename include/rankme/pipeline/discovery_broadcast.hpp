#pragma once
// Discovery on one rank, its result on every rank: P ranks do not all walk the same files (and cannot see
// them change in between).
#include <functional>

#include "rankme/parallel/communicator.hpp"
#include "rankme/pipeline/dataset_target.hpp"

namespace rankme {

// Runs `discover` on rank `root` only and broadcasts what it found (the discovery message,
// dataset_target_json.hpp) to every rank of `comm`. Collective; an exception thrown by `discover` becomes
// a CollectiveError ("dataset discovery failed: ...") on every rank.
Discovery discover_on_root(const Communicator& comm, const std::function<Discovery()>& discover, int root = 0);

}  // namespace rankme
