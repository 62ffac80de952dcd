#pragma once
// What the restricted unpickler (torch_pickle.hpp) makes of an allowed global when the pickle calls it
// (REDUCE, NEWOBJ) or names a storage (BINPERSID): the value torch would have built -- an OrderedDict, a
// set, a torch.Size, bytes from _codecs.encode, a tensor from _rebuild_tensor_v2/_v3, a Parameter as its
// tensor, a storage reference -- built from the arguments without running anything, once their count and
// kinds are checked. Kept apart from the stack machine, which only moves values between stack and memo.
#include <cstddef>
#include <string>

#include "rankme/formats/pickle_value.hpp"

namespace rankme {

// What the calls need from the machine that runs the pickle: new values (counted against its limit on
// values), a dict's items set as SETITEM sets them, and failures reported at the byte of the running opcode.
class UnpicklingContext {
 public:
  virtual ~UnpicklingContext() = default;
  virtual PickleValue* make(PickleValue::Kind kind) = 0;
  virtual void set_item(PickleValue* dict, const PickleValue* key, const PickleValue* value) = 0;
  // Where the opcode being run starts in the pickle.
  virtual std::size_t opcode_position() const = 0;

  // Throws std::runtime_error("<message> at byte <opcode_position()>"). Not virtual, so that the compiler
  // knows it does not return.
  [[noreturn]] void fail(const std::string& message) const;
};

// function(*arguments) for a value of kind callable (torch_pickle_allow_list.hpp's torch_callable names):
// the value it returns. Fails through `context` for anything else to call, arguments that are not a tuple,
// or arguments the function would not take.
PickleValue* call_torch_callable(const PickleValue* function, const PickleValue* arguments,
                                 UnpicklingContext& context);

// The storage a persistent id ('storage', torch.<Type>Storage, key, location, numel) names: a value of kind
// storage. Fails through `context` for any other persistent id.
PickleValue* load_torch_storage(const PickleValue* persistent_id, UnpicklingContext& context);

}  // namespace rankme
