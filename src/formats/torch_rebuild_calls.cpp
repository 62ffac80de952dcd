#include "rankme/formats/torch_rebuild_calls.hpp"

#include <cstdint>
#include <memory>
#include <stdexcept>
#include <utility>
#include <vector>

#include "rankme/formats/torch_pickle_allow_list.hpp"

namespace rankme {

namespace {

using Kind = PickleValue::Kind;
using Arguments = std::vector<const PickleValue*>;

// Decodes UTF-8 `text` as code points below 256 (what _codecs.encode(text, "latin1") does: protocol 2's
// way of pickling Python 3 bytes). Throws for anything else.
std::string latin1_bytes(const std::string& text) {
  std::string bytes;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const auto byte = static_cast<unsigned char>(text[i]);
    if (byte < 0x80) {
      bytes.push_back(static_cast<char>(byte));
    } else if ((byte == 0xc2 || byte == 0xc3) && i + 1 < text.size() &&
               (static_cast<unsigned char>(text[i + 1]) & 0xc0) == 0x80) {
      bytes.push_back(static_cast<char>(((byte & 0x03) << 6) | (static_cast<unsigned char>(text[i + 1]) & 0x3f)));
      ++i;
    } else {
      throw std::runtime_error("_codecs.encode: text that is not latin-1");
    }
  }
  return bytes;
}

std::uint64_t non_negative(const PickleValue* value, const std::string& function, const std::string& what,
                           UnpicklingContext& context) {
  if (value->kind != Kind::integer || value->integer < 0) {
    context.fail(function + ": " + what + " must be an int >= 0, not " + describe(*value));
  }
  return static_cast<std::uint64_t>(value->integer);
}

std::vector<std::uint64_t> extents(const PickleValue* value, const std::string& function, const std::string& what,
                                   UnpicklingContext& context) {
  if (value->kind != Kind::tuple && value->kind != Kind::list) {
    context.fail(function + ": " + what + " must be a tuple of ints, not " + describe(*value));
  }
  std::vector<std::uint64_t> numbers;
  for (const PickleValue* item : value->items) numbers.push_back(non_negative(item, function, what, context));
  return numbers;
}

void expect_argument_count(const std::string& function, const Arguments& args, std::size_t least,
                           std::size_t most, UnpicklingContext& context) {
  if (args.size() < least || args.size() > most) {
    context.fail(function + " called with " + std::to_string(args.size()) + " arguments, expected " +
                 std::to_string(least) + (most != least ? " to " + std::to_string(most) : std::string()));
  }
}

const PickleValue* expect_tensor(const PickleValue* value, const std::string& function, UnpicklingContext& context) {
  if (value->kind != Kind::tensor) context.fail(function + ": expected a tensor, not " + describe(*value));
  return value;
}

// collections.OrderedDict() or OrderedDict([(key, value), ...]).
PickleValue* ordered_dict(const std::string& function, const Arguments& args, UnpicklingContext& context) {
  expect_argument_count(function, args, 0, 1, context);
  PickleValue* dict = context.make(Kind::dict);
  dict->ordered_dict = true;
  if (!args.empty()) {
    if (args[0]->kind != Kind::list && args[0]->kind != Kind::tuple) {
      context.fail(function + ": expected a list of pairs");
    }
    for (const PickleValue* pair : args[0]->items) {
      if ((pair->kind != Kind::tuple && pair->kind != Kind::list) || pair->items.size() != 2) {
        context.fail(function + ": expected a list of pairs, not of " + describe(*pair));
      }
      context.set_item(dict, pair->items[0], pair->items[1]);
    }
  }
  return dict;
}

// set(items), frozenset(items) or torch.Size(items) (a tuple).
PickleValue* sequence(const std::string& function, const Arguments& args, UnpicklingContext& context) {
  expect_argument_count(function, args, 0, 1, context);
  PickleValue* made = context.make(function == torch_callable::size ? Kind::tuple : Kind::set);
  if (!args.empty()) {
    if (args[0]->kind != Kind::list && args[0]->kind != Kind::tuple) {
      context.fail(function + ": expected a list, not " + describe(*args[0]));
    }
    made->items = args[0]->items;
  }
  return made;
}

// _codecs.encode(text, "latin1"): bytes, as protocol 2 pickles them.
PickleValue* codecs_encode(const std::string& function, const Arguments& args, UnpicklingContext& context) {
  expect_argument_count(function, args, 2, 2, context);
  if (args[0]->kind != Kind::text || args[1]->kind != Kind::text ||
      (args[1]->text != "latin1" && args[1]->text != "latin-1")) {
    context.fail(function + ": expected (str, 'latin1'), as pickle writes bytes");
  }
  // Only the decoding is caught: make() reports its own failures (the value cap) with their position.
  std::string bytes;
  try {
    bytes = latin1_bytes(args[0]->text);
  } catch (const std::runtime_error& error) {
    context.fail(error.what());
  }
  PickleValue* made = context.make(Kind::bytes);
  made->text = std::move(bytes);
  return made;
}

// _rebuild_tensor(storage, offset, size, stride), _v2 (+ requires_grad, hooks[, metadata]) and _v3 (+ dtype).
PickleValue* rebuild_tensor(const std::string& function, const Arguments& args, UnpicklingContext& context) {
  const bool v3 = function == torch_callable::rebuild_tensor_v3;
  if (function == torch_callable::rebuild_tensor) {
    expect_argument_count(function, args, 4, 4, context);
  } else {
    expect_argument_count(function, args, v3 ? 7 : 6, v3 ? 8 : 7, context);
  }
  if (args[0]->kind != Kind::storage) context.fail(function + ": expected a storage, not " + describe(*args[0]));
  auto tensor = std::make_unique<TorchTensorReference>();
  tensor->storage = args[0];
  tensor->storage_offset = non_negative(args[1], function, "storage_offset", context);
  tensor->size = extents(args[2], function, "size", context);
  tensor->stride = extents(args[3], function, "stride", context);
  if (tensor->size.size() != tensor->stride.size()) {
    context.fail(function + ": " + std::to_string(tensor->size.size()) + " sizes but " +
                 std::to_string(tensor->stride.size()) + " strides");
  }
  if (args.size() > 4 && args[4]->kind != Kind::boolean) {
    context.fail(function + ": requires_grad must be a bool, not " + describe(*args[4]));
  }
  if (v3) {
    if (args[6]->kind != Kind::dtype) context.fail(function + ": expected a dtype, not " + describe(*args[6]));
    tensor->dtype = args[6]->text;
  }
  PickleValue* made = context.make(Kind::tensor);
  made->tensor = std::move(tensor);
  return made;
}

}  // namespace

void UnpicklingContext::fail(const std::string& message) const {
  throw std::runtime_error(message + " at byte " + std::to_string(opcode_position()));
}

PickleValue* call_torch_callable(const PickleValue* function_value, const PickleValue* arguments,
                                 UnpicklingContext& context) {
  if (function_value->kind != Kind::callable) context.fail("REDUCE calls a " + describe(*function_value));
  if (arguments->kind != Kind::tuple) {
    context.fail("REDUCE with " + describe(*arguments) + " for arguments, not a tuple");
  }
  const std::string& function = function_value->text;
  const Arguments& args = arguments->items;
  if (function == torch_callable::ordered_dict) return ordered_dict(function, args, context);
  if (function == torch_callable::set || function == torch_callable::frozenset || function == torch_callable::size) {
    return sequence(function, args, context);
  }
  if (function == torch_callable::codecs_encode) return codecs_encode(function, args, context);
  if (function == torch_callable::rebuild_tensor || function == torch_callable::rebuild_tensor_v2 ||
      function == torch_callable::rebuild_tensor_v3) {
    return rebuild_tensor(function, args, context);
  }
  if (function == torch_callable::rebuild_parameter || function == torch_callable::rebuild_parameter_with_state) {
    // A Parameter is its tensor (requires_grad, hooks and Python state do not change the values).
    const bool with_state = function == torch_callable::rebuild_parameter_with_state;
    expect_argument_count(function, args, with_state ? 4 : 3, with_state ? 4 : 3, context);
    // Every value is made by context.make, non-const: handing this one back as mutable is sound.
    return const_cast<PickleValue*>(expect_tensor(args[0], function, context));
  }
  if (function == torch_callable::rebuild_from_type_v2) {
    // (func, new_type, args, state): how torch pickles a tensor with Python state; only plain tensors and
    // Parameters are accepted as new_type, and func must itself be an allowed rebuild function.
    expect_argument_count(function, args, 4, 4, context);
    if (args[1]->kind != Kind::callable ||
        (args[1]->text != torch_callable::tensor_type && args[1]->text != torch_callable::parameter_type)) {
      context.fail(function + ": refuses tensor type " + describe(*args[1]) + " (only torch.Tensor and Parameter)");
    }
    if (args[0]->kind != Kind::callable || args[0]->text.rfind("torch._utils._rebuild_", 0) != 0) {
      context.fail(function + ": refuses to call " + describe(*args[0]));
    }
    PickleValue* tensor = call_torch_callable(args[0], args[2], context);
    expect_tensor(tensor, function, context);
    return tensor;
  }
  context.fail("refuses to call " + function + " (it is a type name, not a function the pickle may call)");
}

PickleValue* load_torch_storage(const PickleValue* id, UnpicklingContext& context) {
  const auto& items = id->items;
  if (id->kind != Kind::tuple || items.size() != 5 || items[0]->kind != Kind::text || items[0]->text != "storage") {
    context.fail("BINPERSID: expected ('storage', type, key, location, numel), not a " + describe(*id) +
                 (id->kind == Kind::tuple ? " of " + std::to_string(items.size()) : std::string()));
  }
  const PickleValue* type = items[1];
  if (type->kind != Kind::callable || type->text.rfind("torch.", 0) != 0 ||
      !is_torch_storage_name(type->text.substr(6))) {
    context.fail("BINPERSID: expected a torch storage type, not " + describe(*type));
  }
  if (items[2]->kind != Kind::text || items[3]->kind != Kind::text) {
    context.fail("BINPERSID: the storage's key and location must be strings");
  }
  auto storage = std::make_unique<TorchStorageReference>();
  storage->type_name = type->text.substr(6);
  storage->key = items[2]->text;
  storage->location = items[3]->text;
  storage->numel = non_negative(items[4], "BINPERSID", "numel", context);
  PickleValue* made = context.make(Kind::storage);
  made->storage = std::move(storage);
  return made;
}

}  // namespace rankme
