#include "rankme/formats/torch_pickle.hpp"

#include <cstdint>
#include <cstring>
#include <limits>
#include <stdexcept>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <utility>

namespace rankme {

namespace {

using Kind = PickleValue::Kind;

// The pickle opcodes, by byte, with pickletools' names: those the machine runs and those it names when it
// refuses them.
const char* opcode_name(unsigned char opcode) {
  switch (opcode) {
    case '(': return "MARK";
    case '.': return "STOP";
    case '0': return "POP";
    case '1': return "POP_MARK";
    case '2': return "DUP";
    case 'F': return "FLOAT";
    case 'I': return "INT";
    case 'J': return "BININT";
    case 'K': return "BININT1";
    case 'L': return "LONG";
    case 'M': return "BININT2";
    case 'N': return "NONE";
    case 'P': return "PERSID";
    case 'Q': return "BINPERSID";
    case 'R': return "REDUCE";
    case 'S': return "STRING";
    case 'T': return "BINSTRING";
    case 'U': return "SHORT_BINSTRING";
    case 'V': return "UNICODE";
    case 'X': return "BINUNICODE";
    case 'a': return "APPEND";
    case 'b': return "BUILD";
    case 'c': return "GLOBAL";
    case 'd': return "DICT";
    case '}': return "EMPTY_DICT";
    case 'e': return "APPENDS";
    case 'g': return "GET";
    case 'h': return "BINGET";
    case 'i': return "INST";
    case 'j': return "LONG_BINGET";
    case 'l': return "LIST";
    case ']': return "EMPTY_LIST";
    case 'o': return "OBJ";
    case 'p': return "PUT";
    case 'q': return "BINPUT";
    case 'r': return "LONG_BINPUT";
    case 's': return "SETITEM";
    case 't': return "TUPLE";
    case ')': return "EMPTY_TUPLE";
    case 'u': return "SETITEMS";
    case 'G': return "BINFLOAT";
    case 0x80: return "PROTO";
    case 0x81: return "NEWOBJ";
    case 0x82: return "EXT1";
    case 0x83: return "EXT2";
    case 0x84: return "EXT4";
    case 0x85: return "TUPLE1";
    case 0x86: return "TUPLE2";
    case 0x87: return "TUPLE3";
    case 0x88: return "NEWTRUE";
    case 0x89: return "NEWFALSE";
    case 0x8a: return "LONG1";
    case 0x8b: return "LONG4";
    case 'B': return "BINBYTES";
    case 'C': return "SHORT_BINBYTES";
    case 0x8c: return "SHORT_BINUNICODE";
    case 0x8d: return "BINUNICODE8";
    case 0x8e: return "BINBYTES8";
    case 0x8f: return "EMPTY_SET";
    case 0x90: return "ADDITEMS";
    case 0x91: return "FROZENSET";
    case 0x92: return "NEWOBJ_EX";
    case 0x93: return "STACK_GLOBAL";
    case 0x94: return "MEMOIZE";
    case 0x95: return "FRAME";
    case 0x96: return "BYTEARRAY8";
    case 0x97: return "NEXT_BUFFER";
    case 0x98: return "READONLY_BUFFER";
    default: return nullptr;
  }
}

std::string hex_byte(unsigned char byte) {
  static const char digits[] = "0123456789abcdef";
  return std::string("0x") + digits[byte >> 4] + digits[byte & 15];
}

// torch's element types by the names torch.<name> gives them (aliases included): the dtype globals a
// pickle may name (_rebuild_tensor_v3's dtype argument).
const std::unordered_set<std::string>& torch_dtype_names() {
  static const std::unordered_set<std::string> names = {
      "float32", "float", "float64", "double", "float16", "half", "bfloat16", "int64", "long", "int32", "int",
      "int16", "short", "int8", "uint8", "uint16", "uint32", "uint64", "bool", "complex32", "chalf",
      "complex64", "cfloat", "complex128", "cdouble", "float8_e4m3fn", "float8_e5m2", "float8_e4m3fnuz",
      "float8_e5m2fnuz", "float8_e8m0fnu", "float4_e2m1fn_x2", "bits8", "bits16", "bits1x8", "bits2x4",
      "bits4x2", "qint8", "quint8", "qint32", "quint4x2", "quint2x4"};
  return names;
}

// The storage classes torch.save names in persistent ids (torch.<Type>Storage), readable or not: an
// unreadable dtype is reported by the reader of the file, not refused here.
const std::unordered_set<std::string>& torch_storage_names() {
  static const std::unordered_set<std::string> names = {
      "FloatStorage", "DoubleStorage", "HalfStorage", "BFloat16Storage", "LongStorage", "IntStorage",
      "ShortStorage", "CharStorage", "ByteStorage", "BoolStorage", "ComplexFloatStorage",
      "ComplexDoubleStorage", "QInt8Storage", "QUInt8Storage", "QInt32Storage", "QUInt4x2Storage",
      "QUInt2x4Storage", "UntypedStorage"};
  return names;
}

// The functions and classes a pickle may call (REDUCE, NEWOBJ), by "module.name".
namespace callable {
const char* const ordered_dict = "collections.OrderedDict";
const char* const set = "builtins.set";
const char* const frozenset = "builtins.frozenset";
const char* const codecs_encode = "_codecs.encode";
const char* const size = "torch.Size";
const char* const rebuild_tensor = "torch._utils._rebuild_tensor";
const char* const rebuild_tensor_v2 = "torch._utils._rebuild_tensor_v2";
const char* const rebuild_tensor_v3 = "torch._utils._rebuild_tensor_v3";
const char* const rebuild_parameter = "torch._utils._rebuild_parameter";
const char* const rebuild_parameter_with_state = "torch._utils._rebuild_parameter_with_state";
const char* const rebuild_from_type_v2 = "torch._tensor._rebuild_from_type_v2";
// Types only: _rebuild_from_type_v2's new_type.
const char* const tensor_type = "torch.Tensor";
const char* const parameter_type = "torch.nn.parameter.Parameter";
}  // namespace callable

bool is_allowed_callable(const std::string& name) {
  static const std::unordered_set<std::string> names = {
      callable::ordered_dict, callable::set, callable::frozenset, callable::codecs_encode, callable::size,
      callable::rebuild_tensor, callable::rebuild_tensor_v2, callable::rebuild_tensor_v3,
      callable::rebuild_parameter, callable::rebuild_parameter_with_state, callable::rebuild_from_type_v2,
      callable::tensor_type, callable::parameter_type};
  return names.count(name) != 0;
}

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

// A dict key as a string that is equal for keys Python finds equal: scalars by value (True == 1, as in
// Python), anything else by identity (containers are not keys in torch files, and tuples of scalars compare
// well enough by identity for a reader that only walks the values).
std::string key_identity(const PickleValue& key) {
  switch (key.kind) {
    case Kind::none: return "n";
    case Kind::boolean:
    case Kind::integer: return "i" + std::to_string(key.integer);
    case Kind::floating: {
      std::uint64_t bits;
      std::memcpy(&bits, &key.floating, sizeof bits);
      return "f" + std::to_string(bits);
    }
    case Kind::text: return "s" + key.text;
    case Kind::bytes: return "b" + key.text;
    default: return "@" + std::to_string(reinterpret_cast<std::uintptr_t>(&key));
  }
}

}  // namespace

std::string describe(const PickleValue& value) {
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

// The stack machine (see the header). Each run method consumes one opcode's arguments from the input.
class TorchPickleMachine {
 public:
  explicit TorchPickleMachine(std::string_view bytes) : bytes_(bytes) {}

  UnpickledObject run() {
    while (true) {
      opcode_position_ = position_;
      const unsigned char opcode = take_byte();
      if (opcode == '.') {
        result_.root_ = pop();
        return std::move(result_);
      }
      run_opcode(opcode);
    }
  }

 private:
  [[noreturn]] void fail(const std::string& message) const {
    throw std::runtime_error(message + " at byte " + std::to_string(opcode_position_));
  }

  // --- the input
  std::size_t remaining() const { return bytes_.size() - position_; }
  std::string_view take(std::uint64_t count) {
    if (count > remaining()) {
      fail(std::string(opcode_name(static_cast<unsigned char>(bytes_[opcode_position_]))) + " needs " +
           std::to_string(count) + " bytes but the pickle has " + std::to_string(remaining()) +
           " left (truncated, or a length that lies)");
    }
    const std::string_view taken = bytes_.substr(position_, static_cast<std::size_t>(count));
    position_ += static_cast<std::size_t>(count);
    return taken;
  }
  unsigned char take_byte() {
    if (remaining() == 0) {
      throw std::runtime_error("the pickle ends at byte " + std::to_string(position_) +
                               " before its STOP opcode (truncated)");
    }
    return static_cast<unsigned char>(bytes_[position_++]);
  }
  std::uint64_t take_unsigned(int count) {  // little-endian
    const std::string_view raw = take(static_cast<std::uint64_t>(count));
    std::uint64_t value = 0;
    for (int i = count; i-- > 0;) value = (value << 8) | static_cast<unsigned char>(raw[static_cast<std::size_t>(i)]);
    return value;
  }
  std::string take_line() {  // GLOBAL's "module\n" and "name\n"
    const std::size_t end = bytes_.find('\n', position_);
    if (end == std::string_view::npos) fail("GLOBAL without its newline-terminated names (truncated)");
    std::string line(bytes_.substr(position_, end - position_));
    position_ = end + 1;
    return line;
  }

  // --- values
  PickleValue* make(Kind kind) {
    if (result_.values_.size() >= max_pickle_values) {
      fail("the pickle makes more than " + std::to_string(max_pickle_values) +
           " values, more than a torch.save of tensors needs");
    }
    result_.values_.push_back(std::make_unique<PickleValue>());
    result_.values_.back()->kind = kind;
    return result_.values_.back().get();
  }
  PickleValue* make_integer(std::int64_t value) {
    PickleValue* made = make(Kind::integer);
    made->integer = value;
    return made;
  }
  PickleValue* make_text(Kind kind, std::string_view text) {
    PickleValue* made = make(kind);
    made->text = std::string(text);
    return made;
  }

  // --- the stack; a MARK opens a frame, and nothing but the opcodes that close it may reach below it
  std::size_t frame_start() const { return marks_.empty() ? 0 : marks_.back(); }
  void push(PickleValue* value) {
    if (stack_.size() >= max_pickle_values) {
      fail("the pickle's stack grows beyond " + std::to_string(max_pickle_values) + " values");
    }
    stack_.push_back(value);
  }
  PickleValue* top() {
    if (stack_.size() <= frame_start()) fail("stack underflow");
    return stack_.back();
  }
  PickleValue* pop() {
    PickleValue* value = top();
    stack_.pop_back();
    return value;
  }
  std::vector<PickleValue*> pop_mark() {
    if (marks_.empty()) fail(std::string(opcode_name(static_cast<unsigned char>(bytes_[opcode_position_]))) +
                             " without a MARK");
    std::vector<PickleValue*> items(stack_.begin() + static_cast<std::ptrdiff_t>(marks_.back()), stack_.end());
    stack_.resize(marks_.back());
    marks_.pop_back();
    return items;
  }
  PickleValue* make_sequence(Kind kind, std::vector<PickleValue*> items) {
    PickleValue* made = make(kind);
    made->items.assign(items.begin(), items.end());
    return made;
  }

  // --- containers
  void set_item(PickleValue* dict, const PickleValue* key, const PickleValue* value) {
    if (dict->kind != Kind::dict) fail("SETITEM on a " + describe(*dict) + ", not a dict");
    // A hash index per dict: a pickle may set millions of items, so no linear search for the key.
    const auto [where, inserted] = dict_keys_[dict].emplace(key_identity(*key), dict->items.size());
    if (!inserted) {
      dict->items[where->second + 1] = value;
      return;
    }
    dict->items.push_back(key);
    dict->items.push_back(value);
  }
  void append(PickleValue* list, PickleValue* item) {
    if (list->kind != Kind::list) fail("APPEND on a " + describe(*list) + ", not a list");
    list->items.push_back(item);
  }

  // --- globals: resolved against the allow-list as soon as they are named
  PickleValue* resolve_global(std::string module, const std::string& name) {
    if (module == "__builtin__") module = "builtins";  // protocol 2 writes Python 2's module names
    const std::string full = module + "." + name;
    // A hostile name may be megabytes long: messages show its start.
    const std::string shown = full.size() > 200 ? full.substr(0, 200) + "..." : full;
    if (module == "torch" && torch_dtype_names().count(name) != 0) return make_text(Kind::dtype, name);
    if ((module == "torch" && torch_storage_names().count(name) != 0) || is_allowed_callable(full)) {
      return make_text(Kind::callable, full);
    }
    fail("refuses global '" + shown +
         "': a torch file of tensors names only torch's tensor and storage types, its rebuild functions and "
         "plain containers (rankme never runs code from a pickle; load and re-save the object without it)");
  }

  // --- calling an allowed global (REDUCE, NEWOBJ): builds the value torch would have built
  static bool is_integer(const PickleValue* value) { return value->kind == Kind::integer; }
  std::uint64_t non_negative(const PickleValue* value, const std::string& function, const std::string& what) {
    if (!is_integer(value) || value->integer < 0) {
      fail(function + ": " + what + " must be an int >= 0, not " + describe(*value));
    }
    return static_cast<std::uint64_t>(value->integer);
  }
  std::vector<std::uint64_t> extents(const PickleValue* value, const std::string& function, const std::string& what) {
    if (value->kind != Kind::tuple && value->kind != Kind::list) {
      fail(function + ": " + what + " must be a tuple of ints, not " + describe(*value));
    }
    std::vector<std::uint64_t> numbers;
    for (const PickleValue* item : value->items) numbers.push_back(non_negative(item, function, what));
    return numbers;
  }
  void expect_argument_count(const std::string& function, const std::vector<const PickleValue*>& args,
                             std::size_t least, std::size_t most) {
    if (args.size() < least || args.size() > most) {
      fail(function + " called with " + std::to_string(args.size()) + " arguments, expected " +
           std::to_string(least) + (most != least ? " to " + std::to_string(most) : std::string()));
    }
  }
  const PickleValue* expect_tensor(const PickleValue* value, const std::string& function) {
    if (value->kind != Kind::tensor) fail(function + ": expected a tensor, not " + describe(*value));
    return value;
  }

  PickleValue* rebuild_tensor(const std::string& function, const std::vector<const PickleValue*>& args) {
    const bool v3 = function == callable::rebuild_tensor_v3;
    if (function == callable::rebuild_tensor) {
      expect_argument_count(function, args, 4, 4);
    } else {
      expect_argument_count(function, args, v3 ? 7 : 6, v3 ? 8 : 7);
    }
    if (args[0]->kind != Kind::storage) fail(function + ": expected a storage, not " + describe(*args[0]));
    auto tensor = std::make_unique<TorchTensorReference>();
    tensor->storage = args[0];
    tensor->storage_offset = non_negative(args[1], function, "storage_offset");
    tensor->size = extents(args[2], function, "size");
    tensor->stride = extents(args[3], function, "stride");
    if (tensor->size.size() != tensor->stride.size()) {
      fail(function + ": " + std::to_string(tensor->size.size()) + " sizes but " +
           std::to_string(tensor->stride.size()) + " strides");
    }
    if (args.size() > 4 && args[4]->kind != Kind::boolean) {
      fail(function + ": requires_grad must be a bool, not " + describe(*args[4]));
    }
    if (v3) {
      if (args[6]->kind != Kind::dtype) fail(function + ": expected a dtype, not " + describe(*args[6]));
      tensor->dtype = args[6]->text;
    }
    PickleValue* made = make(Kind::tensor);
    made->tensor = std::move(tensor);
    return made;
  }

  PickleValue* call(const PickleValue* function_value, const PickleValue* arguments) {
    if (function_value->kind != Kind::callable) fail("REDUCE calls a " + describe(*function_value));
    if (arguments->kind != Kind::tuple) fail("REDUCE with " + describe(*arguments) + " for arguments, not a tuple");
    const std::string& function = function_value->text;
    const std::vector<const PickleValue*>& args = arguments->items;
    if (function == callable::ordered_dict) {
      expect_argument_count(function, args, 0, 1);
      PickleValue* dict = make(Kind::dict);
      dict->ordered_dict = true;
      if (!args.empty()) {  // OrderedDict([(key, value), ...])
        if (args[0]->kind != Kind::list && args[0]->kind != Kind::tuple) fail(function + ": expected a list of pairs");
        for (const PickleValue* pair : args[0]->items) {
          if ((pair->kind != Kind::tuple && pair->kind != Kind::list) || pair->items.size() != 2) {
            fail(function + ": expected a list of pairs, not of " + describe(*pair));
          }
          set_item(dict, pair->items[0], pair->items[1]);
        }
      }
      return dict;
    }
    if (function == callable::set || function == callable::frozenset || function == callable::size) {
      expect_argument_count(function, args, 0, 1);
      PickleValue* made = make(function == callable::size ? Kind::tuple : Kind::set);
      if (!args.empty()) {
        if (args[0]->kind != Kind::list && args[0]->kind != Kind::tuple) {
          fail(function + ": expected a list, not " + describe(*args[0]));
        }
        made->items = args[0]->items;
      }
      return made;
    }
    if (function == callable::codecs_encode) {
      expect_argument_count(function, args, 2, 2);
      if (args[0]->kind != Kind::text || args[1]->kind != Kind::text ||
          (args[1]->text != "latin1" && args[1]->text != "latin-1")) {
        fail(function + ": expected (str, 'latin1'), as pickle writes bytes");
      }
      try {
        return make_text(Kind::bytes, latin1_bytes(args[0]->text));
      } catch (const std::runtime_error& error) {
        fail(error.what());
      }
    }
    if (function == callable::rebuild_tensor || function == callable::rebuild_tensor_v2 ||
        function == callable::rebuild_tensor_v3) {
      return rebuild_tensor(function, args);
    }
    if (function == callable::rebuild_parameter || function == callable::rebuild_parameter_with_state) {
      // A Parameter is its tensor (requires_grad, hooks and Python state do not change the values).
      const bool with_state = function == callable::rebuild_parameter_with_state;
      expect_argument_count(function, args, with_state ? 4 : 3, with_state ? 4 : 3);
      // Every value lives in result_.values_, made non-const: handing this one back as mutable is sound.
      return const_cast<PickleValue*>(expect_tensor(args[0], function));
    }
    if (function == callable::rebuild_from_type_v2) {
      // (func, new_type, args, state): how torch pickles a tensor with Python state; only plain tensors and
      // Parameters are accepted as new_type, and func must itself be an allowed rebuild function.
      expect_argument_count(function, args, 4, 4);
      if (args[1]->kind != Kind::callable ||
          (args[1]->text != callable::tensor_type && args[1]->text != callable::parameter_type)) {
        fail(function + ": refuses tensor type " + describe(*args[1]) + " (only torch.Tensor and Parameter)");
      }
      if (args[0]->kind != Kind::callable || args[0]->text.rfind("torch._utils._rebuild_", 0) != 0) {
        fail(function + ": refuses to call " + describe(*args[0]));
      }
      PickleValue* tensor = call(args[0], args[2]);
      expect_tensor(tensor, function);
      return tensor;
    }
    fail("refuses to call " + function + " (it is a type name, not a function the pickle may call)");
  }

  // Persistent id: ('storage', storage_type, key, location, numel).
  PickleValue* load_persistent(const PickleValue* id) {
    const auto& items = id->items;
    if (id->kind != Kind::tuple || items.size() != 5 || items[0]->kind != Kind::text || items[0]->text != "storage") {
      fail("BINPERSID: expected ('storage', type, key, location, numel), not a " + describe(*id) +
           (id->kind == Kind::tuple ? " of " + std::to_string(items.size()) : std::string()));
    }
    const PickleValue* type = items[1];
    if (type->kind != Kind::callable || type->text.rfind("torch.", 0) != 0 ||
        torch_storage_names().count(type->text.substr(6)) == 0) {
      fail("BINPERSID: expected a torch storage type, not " + describe(*type));
    }
    if (items[2]->kind != Kind::text || items[3]->kind != Kind::text) {
      fail("BINPERSID: the storage's key and location must be strings");
    }
    auto storage = std::make_unique<TorchStorageReference>();
    storage->type_name = type->text.substr(6);
    storage->key = items[2]->text;
    storage->location = items[3]->text;
    storage->numel = non_negative(items[4], "BINPERSID", "numel");
    PickleValue* made = make(Kind::storage);
    made->storage = std::move(storage);
    return made;
  }

  void memo_put(std::uint64_t index) {
    PickleValue* value = top();
    if (memo_.size() >= max_pickle_values && memo_.count(index) == 0) {
      fail("the pickle memoizes more than " + std::to_string(max_pickle_values) + " values");
    }
    memo_[index] = value;
  }
  PickleValue* memo_get(std::uint64_t index) {
    const auto found = memo_.find(index);
    if (found == memo_.end()) fail("memo index " + std::to_string(index) + " is not defined");
    return found->second;
  }

  void run_opcode(unsigned char opcode) {
    switch (opcode) {
      case 0x80: {  // PROTO
        const unsigned char protocol = take_byte();
        if (protocol > 5) fail("pickle protocol " + std::to_string(protocol) + " is newer than 5");
        return;
      }
      case 0x95:  // FRAME: a length hint; the framed opcodes follow inline
        take(8);
        return;
      case '(':
        if (marks_.size() >= max_marks) fail("more than " + std::to_string(max_marks) + " nested MARKs");
        marks_.push_back(stack_.size());
        return;
      case '0': pop(); return;
      case '1': pop_mark(); return;
      case '2': push(top()); return;
      case 'N': push(make(Kind::none)); return;
      case 0x88:
      case 0x89: {
        PickleValue* made = make(Kind::boolean);
        made->integer = opcode == 0x88 ? 1 : 0;
        push(made);
        return;
      }
      case 'J': push(make_integer(static_cast<std::int32_t>(static_cast<std::uint32_t>(take_unsigned(4))))); return;
      case 'K': push(make_integer(static_cast<std::int64_t>(take_unsigned(1)))); return;
      case 'M': push(make_integer(static_cast<std::int64_t>(take_unsigned(2)))); return;
      case 0x8a:
      case 0x8b: {  // LONG1, LONG4: little-endian two's complement
        const std::uint64_t length = take_unsigned(opcode == 0x8a ? 1 : 4);
        if (length > 8) {
          fail(std::string(opcode_name(opcode)) + " of " + std::to_string(length) + " bytes: an integer beyond 64 bits");
        }
        std::uint64_t value = length == 0 ? 0 : take_unsigned(static_cast<int>(length));
        if (length > 0 && length < 8 && (value >> (8 * length - 1)) != 0) value |= ~std::uint64_t{0} << (8 * length);
        push(make_integer(static_cast<std::int64_t>(value)));
        return;
      }
      case 'G': {  // BINFLOAT: big-endian double
        const std::string_view raw = take(8);
        std::uint64_t bits = 0;
        for (char byte : raw) bits = (bits << 8) | static_cast<unsigned char>(byte);
        PickleValue* made = make(Kind::floating);
        std::memcpy(&made->floating, &bits, sizeof bits);
        push(made);
        return;
      }
      case 'X': push(make_text(Kind::text, take(take_unsigned(4)))); return;
      case 0x8c: push(make_text(Kind::text, take(take_unsigned(1)))); return;
      case 0x8d: push(make_text(Kind::text, take(take_unsigned(8)))); return;
      case 'T': {  // BINSTRING: a signed length
        const auto length = static_cast<std::int32_t>(static_cast<std::uint32_t>(take_unsigned(4)));
        if (length < 0) fail("BINSTRING of negative length");
        push(make_text(Kind::text, take(static_cast<std::uint64_t>(length))));
        return;
      }
      case 'U': push(make_text(Kind::text, take(take_unsigned(1)))); return;
      case 'B': push(make_text(Kind::bytes, take(take_unsigned(4)))); return;
      case 'C': push(make_text(Kind::bytes, take(take_unsigned(1)))); return;
      case 0x8e:
      case 0x96: push(make_text(Kind::bytes, take(take_unsigned(8)))); return;
      case '}': push(make(Kind::dict)); return;
      case ']': push(make(Kind::list)); return;
      case ')': push(make(Kind::tuple)); return;
      case 0x8f: push(make(Kind::set)); return;
      case 't': push(make_sequence(Kind::tuple, pop_mark())); return;
      case 'l': push(make_sequence(Kind::list, pop_mark())); return;
      case 0x91: push(make_sequence(Kind::set, pop_mark())); return;
      case 0x85:
      case 0x86:
      case 0x87: {
        const std::size_t count = opcode - 0x84u;
        if (stack_.size() - frame_start() < count) fail("stack underflow");
        std::vector<PickleValue*> items(stack_.end() - static_cast<std::ptrdiff_t>(count), stack_.end());
        stack_.resize(stack_.size() - count);
        push(make_sequence(Kind::tuple, std::move(items)));
        return;
      }
      case 'd': {
        const std::vector<PickleValue*> items = pop_mark();
        if (items.size() % 2 != 0) fail("DICT with an odd number of items");
        PickleValue* dict = make(Kind::dict);
        for (std::size_t i = 0; i < items.size(); i += 2) set_item(dict, items[i], items[i + 1]);
        push(dict);
        return;
      }
      case 's': {
        PickleValue* value = pop();
        PickleValue* key = pop();
        set_item(top(), key, value);
        return;
      }
      case 'u': {
        const std::vector<PickleValue*> items = pop_mark();
        if (items.size() % 2 != 0) fail("SETITEMS with an odd number of items");
        PickleValue* dict = top();
        for (std::size_t i = 0; i < items.size(); i += 2) set_item(dict, items[i], items[i + 1]);
        return;
      }
      case 'a': {
        PickleValue* item = pop();
        append(top(), item);
        return;
      }
      case 'e': {
        const std::vector<PickleValue*> items = pop_mark();
        PickleValue* list = top();
        for (PickleValue* item : items) append(list, item);
        return;
      }
      case 0x90: {  // ADDITEMS
        const std::vector<PickleValue*> items = pop_mark();
        PickleValue* set = top();
        if (set->kind != Kind::set) fail("ADDITEMS on a " + describe(*set) + ", not a set");
        set->items.insert(set->items.end(), items.begin(), items.end());
        return;
      }
      case 'q': memo_put(take_unsigned(1)); return;
      case 'r': memo_put(take_unsigned(4)); return;
      case 0x94: memo_put(memo_.size()); return;
      case 'h': push(memo_get(take_unsigned(1))); return;
      case 'j': push(memo_get(take_unsigned(4))); return;
      case 'c': {
        std::string module = take_line();
        const std::string name = take_line();
        push(resolve_global(std::move(module), name));
        return;
      }
      case 0x93: {  // STACK_GLOBAL
        const PickleValue* name = pop();
        const PickleValue* module = pop();
        if (name->kind != Kind::text || module->kind != Kind::text) fail("STACK_GLOBAL needs two strings");
        push(resolve_global(module->text, name->text));
        return;
      }
      case 'R': {
        const PickleValue* arguments = pop();
        const PickleValue* function = pop();
        push(call(function, arguments));
        return;
      }
      case 0x81: {  // NEWOBJ: cls.__new__(cls, *args), for the allowed containers only
        const PickleValue* arguments = pop();
        const PickleValue* cls = pop();
        if (cls->kind != Kind::callable ||
            (cls->text != callable::ordered_dict && cls->text != callable::set && cls->text != callable::frozenset)) {
          fail("NEWOBJ of " + describe(*cls) + " (only OrderedDict and set)");
        }
        push(call(cls, arguments));
        return;
      }
      case 'b': {  // BUILD: sets the attributes of an OrderedDict (a state_dict's _metadata) or a tensor
        const PickleValue* state = pop();
        const PickleValue* object = top();
        if (!(object->kind == Kind::dict && object->ordered_dict) && object->kind != Kind::tensor) {
          fail("BUILD on a " + describe(*object) + " (only an OrderedDict's or a tensor's attributes may be set)");
        }
        (void)state;  // attributes do not change the values
        return;
      }
      case 'Q': push(load_persistent(pop())); return;
      default: {
        const char* name = opcode_name(opcode);
        fail("refuses opcode " + hex_byte(opcode) +
             (name != nullptr ? std::string(" (") + name + ")" : std::string(" (not a pickle opcode)")) +
             ": not one torch.save writes for tensors and containers");
      }
    }
  }

  static constexpr std::size_t max_marks = 4096;

  std::string_view bytes_;
  std::size_t position_ = 0;
  std::size_t opcode_position_ = 0;
  std::vector<PickleValue*> stack_;
  std::vector<std::size_t> marks_;  // where each open MARK's frame starts on stack_
  std::unordered_map<std::uint64_t, PickleValue*> memo_;
  // Per dict: key_identity of each key -> its index in items.
  std::unordered_map<const PickleValue*, std::unordered_map<std::string, std::size_t>> dict_keys_;
  UnpickledObject result_;
};

UnpickledObject unpickle_torch_pickle(std::string_view bytes) { return TorchPickleMachine(bytes).run(); }

}  // namespace rankme
