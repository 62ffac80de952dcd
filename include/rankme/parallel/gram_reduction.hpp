#pragma once
// Summing the ranks' Gram contributions.
#include <cstdint>

#include "rankme/numerics/gram_accumulator.hpp"
#include "rankme/parallel/communicator.hpp"

namespace rankme {

// Brings every rank's accumulator to the common power-of-two scale (from the largest |value| on any rank)
// and sums them with MPI_Allreduce in pieces of at most max_elements_per_call, the lower triangle only
// (packed in place: half the volume of the whole matrix, no extra memory). Afterwards every rank holds the
// whole Gram matrix (lower triangle; the upper one is zero). Collective.
void sum_gram_over_ranks(const Communicator& comm, GramAccumulator& gram,
                         std::uint64_t max_elements_per_call = std::uint64_t{1} << 28);

}  // namespace rankme
