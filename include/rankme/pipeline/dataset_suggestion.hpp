#pragma once
// What to say when FILE:DATASET names nothing in FILE: the file's nearest dataset names (by edit distance),
// the few a misspelling most likely meant, instead of a bare "no such dataset".
#include <string>
#include <vector>

namespace rankme {

// "the nearest of its 24 datasets: '/run1/embeddings', '/run2/embeddings', '/run1/labels'" (at most 3,
// nearest first), or "it holds no dataset". `names` are the file's datasets (HDF5 paths, or array names).
std::string nearest_datasets_text(const std::string& wanted, const std::vector<std::string>& names);

}  // namespace rankme
