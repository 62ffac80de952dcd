#include "rankme/formats/torch_pickle_allow_list.hpp"

#include <unordered_set>

namespace rankme {

bool is_torch_dtype_name(const std::string& name) {
  static const std::unordered_set<std::string> names = {
      "float32", "float", "float64", "double", "float16", "half", "bfloat16", "int64", "long", "int32", "int",
      "int16", "short", "int8", "uint8", "uint16", "uint32", "uint64", "bool", "complex32", "chalf",
      "complex64", "cfloat", "complex128", "cdouble", "float8_e4m3fn", "float8_e5m2", "float8_e4m3fnuz",
      "float8_e5m2fnuz", "float8_e8m0fnu", "float4_e2m1fn_x2", "bits8", "bits16", "bits1x8", "bits2x4",
      "bits4x2", "qint8", "quint8", "qint32", "quint4x2", "quint2x4"};
  return names.count(name) != 0;
}

bool is_torch_storage_name(const std::string& name) {
  static const std::unordered_set<std::string> names = {
      "FloatStorage", "DoubleStorage", "HalfStorage", "BFloat16Storage", "LongStorage", "IntStorage",
      "ShortStorage", "CharStorage", "ByteStorage", "BoolStorage", "ComplexFloatStorage",
      "ComplexDoubleStorage", "QInt8Storage", "QUInt8Storage", "QInt32Storage", "QUInt4x2Storage",
      "QUInt2x4Storage", "UntypedStorage"};
  return names.count(name) != 0;
}

bool is_allowed_torch_callable(const std::string& full_name) {
  using namespace torch_callable;
  static const std::unordered_set<std::string> names = {
      ordered_dict, set, frozenset, codecs_encode, size, rebuild_tensor, rebuild_tensor_v2, rebuild_tensor_v3,
      rebuild_parameter, rebuild_parameter_with_state, rebuild_from_type_v2, tensor_type, parameter_type};
  return names.count(full_name) != 0;
}

}  // namespace rankme
