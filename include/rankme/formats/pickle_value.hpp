#pragma once
// The values the restricted unpickler (torch_pickle.hpp) builds from a torch.save pickle: Python's plain
// values and containers, and, in place of the objects torch would construct, descriptions of them: a
// storage (which zip member holds its bytes) and a tensor (a view of a storage). Nothing here can run code;
// a pickle that names anything else is refused before a value is made.
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace rankme {

struct PickleValue;

// A persistent id ('storage', torch.<Type>Storage, key, location, numel): the storage's bytes are the zip
// member <prefix>/data/<key>.
struct TorchStorageReference {
  std::string type_name;  // "FloatStorage", ..., or "UntypedStorage" (bytes; the tensor names the dtype)
  std::string key;
  std::string location;   // "cpu", "cuda:0", ...: where torch would load it; the bytes are the same
  std::uint64_t numel = 0;  // elements of type_name (bytes for UntypedStorage)
};

// What torch._utils._rebuild_tensor_v2/_v3 would build: a strided view of a storage.
struct TorchTensorReference {
  const PickleValue* storage = nullptr;  // kind storage
  std::uint64_t storage_offset = 0;      // in elements
  std::vector<std::uint64_t> size;
  std::vector<std::uint64_t> stride;     // in elements, one per axis
  std::string dtype;  // _rebuild_tensor_v3's dtype ("uint16", "float8_e4m3fn"); empty: the storage type's
};

struct PickleValue {
  enum class Kind {
    none, boolean, integer, floating, text, bytes,
    tuple, list, dict, set,
    callable,  // an allowed global (text = "module.name"): a function, a class, or a storage type
    dtype,     // torch.<dtype> (text = "float32", ...)
    storage,   // a persistent id
    tensor,
  };
  Kind kind = Kind::none;
  std::int64_t integer = 0;  // integer; boolean (0 or 1)
  double floating = 0;
  std::string text;          // text (UTF-8), bytes, callable, dtype
  // tuple, list, set: the items; dict: key, value, key, value, ... in insertion order (a key set twice keeps
  // its first place and its last value, as in Python).
  std::vector<const PickleValue*> items;
  bool ordered_dict = false;  // a dict made by collections.OrderedDict (BUILD may set its attributes)
  std::unique_ptr<TorchStorageReference> storage;
  std::unique_ptr<TorchTensorReference> tensor;
};

// "dict", "tensor", "global torch.FloatStorage", ...: what a value is, for error messages.
std::string describe(const PickleValue& value);

}  // namespace rankme
