#include "rankme/gram_reduction.hpp"

namespace rankme {

void sum_gram_over_ranks(const Communicator& comm, GramAccumulator& gram, std::uint64_t max_elements_per_call) {
  gram.rescale_for_max_abs(comm.max(gram.max_abs()));
  auto& matrix = gram.matrix();
  comm.sum_in_place(matrix.data(), matrix.size(), max_elements_per_call);
}

}  // namespace rankme
