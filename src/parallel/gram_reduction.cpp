#include "rankme/parallel/gram_reduction.hpp"

#include <algorithm>
#include <cstring>

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
  // Only the lower triangle is valid: sum K (K + 1) / 2 values, not K^2. It is packed in place (no second
  // matrix), summed, and unpacked; the upper triangle is left zero, as the accumulator keeps it.
  auto& matrix = gram.matrix();
  const std::size_t order = static_cast<std::size_t>(gram.cols());
  if (comm.size() == 1 || order == 0) return;
  std::size_t packed = 0;
  for (std::size_t col = 0; col < order; ++col) {
    std::memmove(matrix.data() + packed, matrix.data() + col + col * order, (order - col) * sizeof(double));
    packed += order - col;
  }
  comm.sum_in_place(matrix.data(), packed, max_elements_per_call);
  for (std::size_t col = order; col-- > 0;) {
    packed -= order - col;
    std::memmove(matrix.data() + col + col * order, matrix.data() + packed, (order - col) * sizeof(double));
    std::fill(matrix.data() + col * order, matrix.data() + col + col * order, 0.0);
  }
}

}  // namespace rankme
