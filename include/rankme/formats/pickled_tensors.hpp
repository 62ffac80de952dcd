#pragma once
// The tensors an unpickled torch.save object holds, each named by its path: a bare tensor is "/", and the
// keys and indices of nested dicts, OrderedDicts, lists and tuples are joined by "/" ({"feats": [t0, t1]}
// holds "/feats/0" and "/feats/1"). Other values (numbers, strings, None, sets, storages) are not tensors
// and are passed over.
#include <cstddef>
#include <string>
#include <vector>

#include "rankme/formats/pickle_value.hpp"

namespace rankme {

struct PickledTensor {
  std::string name;
  const TorchTensorReference* tensor = nullptr;  // owned by the UnpickledObject
};

// How deep containers may nest (a hostile pickle may nest them without end, or make one hold itself).
inline constexpr std::size_t max_pickle_nesting = 64;

// In the order the containers hold them (dict insertion order). Throws std::runtime_error when containers
// nest deeper than max_pickle_nesting, when sharing makes the walk visit more than max_pickle_values
// values, or when two tensors would get the same name (a key that contains "/").
std::vector<PickledTensor> pickled_tensors(const PickleValue& root);

// A dict key as it appears in a tensor's name: a string as is, an int in decimal, others as Python prints them.
std::string pickle_key_text(const PickleValue& key);

}  // namespace rankme
