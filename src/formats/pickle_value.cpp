#include "rankme/formats/pickle_value.hpp"

namespace rankme {

std::string describe(const PickleValue& value) {
  using Kind = PickleValue::Kind;
  switch (value.kind) {
    case Kind::none: return "None";
    case Kind::boolean: return "bool";
    case Kind::integer: return "int";
    case Kind::floating: return "float";
    case Kind::text: return "str";
    case Kind::bytes: return "bytes";
    case Kind::tuple: return "tuple";
    case Kind::list: return "list";
    case Kind::dict: return value.ordered_dict ? "OrderedDict" : "dict";
    case Kind::set: return "set";
    case Kind::callable: return "global " + value.text;
    case Kind::dtype: return "dtype torch." + value.text;
    case Kind::storage: return "storage";
    case Kind::tensor: return "tensor";
  }
  return "value";
}

}  // namespace rankme
