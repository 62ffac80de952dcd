#pragma once
// How the ranks of a sweep split into groups that each score one dataset at a time.
#include <cstdint>
#include <vector>

#include "rankme/pipeline/dataset_target.hpp"

namespace rankme {

// Floating-point operations to score one dataset: the Gram matrix (N K^2) plus the eigensolve (about
// 4/3 K^3, the tridiagonal reduction). 0 for a target that will not be read.
double scoring_cost(const DatasetTarget& target);

// Ranks per group. Many small datasets want groups of one rank (no communication at all); one huge
// dataset wants every rank on it. The choice is the smallest divisor g of `ranks` such that
//   - there are no more groups than datasets (g >= ranks / datasets), and
//   - the costliest dataset, scored by g ranks, takes no longer than a perfectly balanced share of the
//     whole sweep (g >= ranks * max cost / total cost), so that it does not become the tail of the run.
// `forced` > 0 (--group-size) wins, capped at `ranks`.
int choose_group_size(const std::vector<DatasetTarget>& targets, int ranks, int forced = 0);

// The order in which datasets are handed out: costliest first (longest processing time first keeps the
// groups' finishing times close), ties in list order. Indices into `targets`, scorable ones only.
std::vector<std::size_t> handout_order(const std::vector<DatasetTarget>& targets);

}  // namespace rankme
