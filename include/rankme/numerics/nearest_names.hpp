#pragma once
// Which known names a misspelt one most likely meant: a misspelt option (--centre: --center) or dataset path
// (/run1/embedding: /run1/embeddings). A string metric, not a spectral one, but the one piece of arithmetic
// both the command line (app) and discovery (pipeline) need, so it sits in the lowest area without MPI or HDF5.
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace rankme {

// Edit distance counting insertions, deletions, substitutions and swaps of two neighbours (optimal string
// alignment), one each: "centre" -> "center" is 1 swap, "samples" -> "sample" 1 deletion.
std::size_t edit_distance(std::string_view a, std::string_view b);

// Up to `count` of `candidates`, nearest first (ties in the candidates' order). A candidate that begins with
// `word` (--out: --output) counts as distance 1. With `plausible_only`, only candidates close enough to be a
// misspelling: distance at most max(2, a third of the word's length).
std::vector<std::string> nearest_names(std::string_view word, const std::vector<std::string>& candidates,
                                       std::size_t count, bool plausible_only);

}  // namespace rankme
