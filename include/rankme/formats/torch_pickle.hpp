#pragma once
// A restricted unpickler for the data.pkl of a torch.save file. It runs no code: it is a small stack machine
// over the pickle opcodes torch.save emits (protocols 2 to 5), and the only globals it accepts are a fixed
// list of torch's rebuild functions, storage types and dtypes, collections.OrderedDict and a few builtins,
// which it interprets itself (pickle_value.hpp). Anything else -- a global such as os.system or
// builtins.eval, an opcode such as INST or OBJ, BUILD on an object that is not a tensor or an OrderedDict --
// is refused with a message naming what it met. The same idea as torch's own weights_only unpickler
// (torch/_weights_only_unpickler.py), without Python.
#include <memory>
#include <string_view>
#include <vector>

#include "rankme/formats/pickle_value.hpp"

namespace rankme {

// Every value the pickle made, and the one it returned. Values refer to each other by pointer (a pickle may
// share a value between containers, or even make a container hold itself), so they are owned here, together.
class UnpickledObject {
 public:
  const PickleValue& root() const { return *root_; }
  std::size_t value_count() const { return values_.size(); }

 private:
  friend class TorchPickleMachine;
  std::vector<std::unique_ptr<PickleValue>> values_;
  const PickleValue* root_ = nullptr;
};

// The most values one pickle may make (a bound on memory for a hostile pickle: each opcode byte could
// otherwise make a value). A torch.save of thousands of tensors makes about 20 per tensor.
inline constexpr std::size_t max_pickle_values = std::size_t{1} << 21;

// Runs the pickle `bytes` up to its STOP. Throws std::runtime_error("<what is wrong> at byte <n>") for
// anything refused or malformed: an opcode or global outside the allow-list, arguments of the wrong type for
// an allowed function, stack underflow, an undefined memo index, truncated data, more than
// max_pickle_values values. The caller adds the file's name.
UnpickledObject unpickle_torch_pickle(std::string_view bytes);

}  // namespace rankme
