#pragma once
// The allow-list of the restricted unpickler (torch_pickle.hpp): the globals torch.save writes for tensors
// and their containers -- torch's dtypes, its storage types, its rebuild functions and a few plain
// containers. A pickle that names any other global is refused when it names it, so nothing outside this
// list can be called.
#include <string>

namespace rankme {

// Whether torch.<name> is one of torch's element types, aliases included ("float32", "float", "uint16",
// "float8_e4m3fn", ...): the dtype globals a pickle may name (_rebuild_tensor_v3's dtype argument).
bool is_torch_dtype_name(const std::string& name);

// Whether torch.<name> is a storage class torch.save names in persistent ids ("FloatStorage", ...,
// "UntypedStorage"), readable or not: an unreadable dtype is reported by the reader of the file, not
// refused by the unpickler.
bool is_torch_storage_name(const std::string& name);

// The functions and classes a pickle may call (REDUCE, NEWOBJ), by "module.name".
namespace torch_callable {
inline constexpr const char* ordered_dict = "collections.OrderedDict";
inline constexpr const char* set = "builtins.set";
inline constexpr const char* frozenset = "builtins.frozenset";
inline constexpr const char* codecs_encode = "_codecs.encode";
inline constexpr const char* size = "torch.Size";
inline constexpr const char* rebuild_tensor = "torch._utils._rebuild_tensor";
inline constexpr const char* rebuild_tensor_v2 = "torch._utils._rebuild_tensor_v2";
inline constexpr const char* rebuild_tensor_v3 = "torch._utils._rebuild_tensor_v3";
inline constexpr const char* rebuild_parameter = "torch._utils._rebuild_parameter";
inline constexpr const char* rebuild_parameter_with_state = "torch._utils._rebuild_parameter_with_state";
inline constexpr const char* rebuild_from_type_v2 = "torch._tensor._rebuild_from_type_v2";
// Types only: _rebuild_from_type_v2's new_type.
inline constexpr const char* tensor_type = "torch.Tensor";
inline constexpr const char* parameter_type = "torch.nn.parameter.Parameter";
}  // namespace torch_callable

// Whether `full_name` ("module.name") is one of torch_callable's names.
bool is_allowed_torch_callable(const std::string& full_name);

}  // namespace rankme
