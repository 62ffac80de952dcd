#include "rankme/gram_reduction.hpp"

namespace rankme {

void sum_gram_over_ranks(const Communicator& comm, GramAccumulator& gram, std::uint64_t max_elements_per_call) {
  gram.rescale_for_max_abs(comm.max(gram.max_abs()));
  if (gram.centred()) {
    // The global mean from every rank's (count, mean), then each rank moves its centred matrix onto it
    // (the parallel-axis term); the plain sum below is then the centred matrix of all rows.
    std::vector<double> weighted(gram.mean().size() + 1);
    for (std::size_t col = 0; col < gram.mean().size(); ++col) weighted[col] = gram.mean()[col] * static_cast<double>(gram.count());
    weighted.back() = static_cast<double>(gram.count());
    comm.sum_in_place(weighted.data(), weighted.size(), max_elements_per_call);
    const double total = weighted.back();
    weighted.pop_back();
    if (total > 0) {
      for (double& value : weighted) value /= total;
    }
    gram.recentre_on(weighted);
  }
  auto& matrix = gram.matrix();
  comm.sum_in_place(matrix.data(), matrix.size(), max_elements_per_call);
}

}  // namespace rankme
