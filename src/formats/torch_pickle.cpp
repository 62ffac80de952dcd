#include "rankme/formats/torch_pickle.hpp"

#include <cstdint>
#include <cstring>
#include <stdexcept>
#include <string>
#include <unordered_map>
#include <utility>

#include "rankme/formats/pickle_opcodes.hpp"
#include "rankme/formats/torch_pickle_allow_list.hpp"
#include "rankme/formats/torch_rebuild_calls.hpp"

namespace rankme {

namespace {

using Kind = PickleValue::Kind;

std::string hex_byte(unsigned char byte) {
  static const char digits[] = "0123456789abcdef";
  return std::string("0x") + digits[byte >> 4] + digits[byte & 15];
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

// The stack machine (see the header). Each run method consumes one opcode's arguments from the input. What an
// allowed global builds when called is torch_rebuild_calls.hpp's; the machine lends it make, set_item and
// the position that fail reports.
class TorchPickleMachine final : public UnpicklingContext {
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
  std::size_t opcode_position() const override { return opcode_position_; }

  // --- the input
  std::size_t remaining() const { return bytes_.size() - position_; }
  std::string_view take(std::uint64_t count) {
    if (count > remaining()) {
      fail(std::string(pickle_opcode_name(static_cast<unsigned char>(bytes_[opcode_position_]))) + " needs " +
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
  PickleValue* make(Kind kind) override {
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
    if (marks_.empty()) fail(std::string(pickle_opcode_name(static_cast<unsigned char>(bytes_[opcode_position_]))) +
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
  void set_item(PickleValue* dict, const PickleValue* key, const PickleValue* value) override {
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
    if (module == "torch" && is_torch_dtype_name(name)) return make_text(Kind::dtype, name);
    if ((module == "torch" && is_torch_storage_name(name)) || is_allowed_torch_callable(full)) {
      return make_text(Kind::callable, full);
    }
    fail("refuses global '" + shown +
         "': a torch file of tensors names only torch's tensor and storage types, its rebuild functions and "
         "plain containers (rankme never runs code from a pickle; load and re-save the object without it)");
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
          fail(std::string(pickle_opcode_name(opcode)) + " of " + std::to_string(length) + " bytes: an integer beyond 64 bits");
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
        push(call_torch_callable(function, arguments, *this));
        return;
      }
      case 0x81: {  // NEWOBJ: cls.__new__(cls, *args), for the allowed containers only
        const PickleValue* arguments = pop();
        const PickleValue* cls = pop();
        if (cls->kind != Kind::callable ||
            (cls->text != torch_callable::ordered_dict && cls->text != torch_callable::set && cls->text != torch_callable::frozenset)) {
          fail("NEWOBJ of " + describe(*cls) + " (only OrderedDict and set)");
        }
        push(call_torch_callable(cls, arguments, *this));
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
      case 'Q': push(load_torch_storage(pop(), *this)); return;
      default: {
        const char* name = pickle_opcode_name(opcode);
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
