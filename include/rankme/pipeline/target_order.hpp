#pragma once
// The order of a sweep's datasets that every --shard task agrees on, and its shares.
#include <cstdint>
#include <vector>

#include "rankme/pipeline/dataset_target.hpp"

namespace rankme {

// Targets in the order every --shard task agrees on: by file path (as expanded), then dataset path,
// byte-wise; equal entries keep their relative order. Error targets sort like any other entry.
void sort_targets(std::vector<DatasetTarget>& targets);

// Drops repeats of the same (file as given, dataset) from a sorted list: a dataset named on the command
// line and reached again by a whole-file scan or a pattern is scored once.
void remove_repeated_targets(std::vector<DatasetTarget>& sorted_targets);

// --shard i/n: the entries at positions i, i + n, i + 2n, ... of an already sorted list, in order.
// Throws std::invalid_argument unless index < count.
std::vector<DatasetTarget> select_shard(const std::vector<DatasetTarget>& targets, std::uint64_t index,
                                        std::uint64_t count);

}  // namespace rankme
