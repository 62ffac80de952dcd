#include "rankme/formats/npy_header.hpp"

#include <cstring>
#include <stdexcept>

namespace rankme {

namespace {

constexpr char npy_magic[] = "\x93NUMPY";
constexpr std::size_t npy_magic_bytes = 6;

// One value of the Python-literal subset numpy writes into a header: strings, True/False/None, non-negative
// integers, tuples and lists of these (a structured dtype's descr is a list of tuples), and dicts.
struct LiteralValue {
  enum class Kind { string, boolean, none, integer, tuple, list, dict };
  Kind kind = Kind::none;
  std::string text;      // string: its value; dict: unused
  bool flag = false;     // boolean
  std::uint64_t number = 0;
  std::vector<LiteralValue> items;            // tuple, list; dict: values
  std::vector<std::string> keys;              // dict: keys (strings), one per item
};

// Recursive descent over the header text. Depth is capped: a header of a million '[' must not overflow the
// stack.
class LiteralParser {
 public:
  LiteralParser(std::string_view text, const std::string& what) : text_(text), what_(what) {}

  LiteralValue parse_whole() {
    LiteralValue value = parse_value(0);
    skip_space();
    if (position_ != text_.size()) fail("unexpected '" + std::string(1, text_[position_]) + "' after the dict");
    return value;
  }

 private:
  static constexpr int max_depth = 32;

  [[noreturn]] void fail(const std::string& problem) const {
    throw std::runtime_error(what_ + ": malformed .npy header at character " + std::to_string(position_) + ": " +
                             problem + " (expected a dict like {'descr': '<f4', 'fortran_order': False, 'shape': (3, 4), })");
  }

  void skip_space() {
    while (position_ < text_.size() && (text_[position_] == ' ' || text_[position_] == '\t' ||
                                        text_[position_] == '\n' || text_[position_] == '\r')) {
      ++position_;
    }
  }

  char peek() {
    skip_space();
    if (position_ >= text_.size()) fail("the header ends too early");
    return text_[position_];
  }

  bool consume_word(std::string_view word) {
    if (text_.substr(position_, word.size()) != word) return false;
    position_ += word.size();
    return true;
  }

  LiteralValue parse_value(int depth) {
    if (depth > max_depth) fail("values nested deeper than " + std::to_string(max_depth));
    const char first = peek();
    LiteralValue value;
    if (first == '\'' || first == '"') {
      value.kind = LiteralValue::Kind::string;
      value.text = parse_string();
    } else if (first == '(' || first == '[') {
      value.kind = first == '(' ? LiteralValue::Kind::tuple : LiteralValue::Kind::list;
      parse_sequence(value, first == '(' ? ')' : ']', depth);
    } else if (first == '{') {
      value.kind = LiteralValue::Kind::dict;
      parse_dict(value, depth);
    } else if (first >= '0' && first <= '9') {
      value.kind = LiteralValue::Kind::integer;
      value.number = parse_integer();
    } else if (consume_word("True")) {
      value.kind = LiteralValue::Kind::boolean;
      value.flag = true;
    } else if (consume_word("False")) {
      value.kind = LiteralValue::Kind::boolean;
    } else if (consume_word("None")) {
      value.kind = LiteralValue::Kind::none;
    } else {
      fail("unexpected '" + std::string(1, first) + "'");
    }
    return value;
  }

  std::string parse_string() {
    const char quote = text_[position_++];
    std::string value;
    while (position_ < text_.size() && text_[position_] != quote) {
      if (text_[position_] == '\\') {
        if (++position_ >= text_.size()) break;
      }
      value += text_[position_++];
    }
    if (position_ >= text_.size()) fail("a string is not closed");
    ++position_;
    return value;
  }

  std::uint64_t parse_integer() {
    std::uint64_t number = 0;
    while (position_ < text_.size() && text_[position_] >= '0' && text_[position_] <= '9') {
      const auto digit = static_cast<std::uint64_t>(text_[position_] - '0');
      if (__builtin_mul_overflow(number, 10u, &number) || __builtin_add_overflow(number, digit, &number)) {
        fail("an integer beyond 64 bits");
      }
      ++position_;
    }
    if (position_ < text_.size() && text_[position_] == 'L') ++position_;  // Python 2's long suffix
    return number;
  }

  // Items separated by commas, a trailing comma allowed: "(3,)", "(3, 4)", "()", "[('a', '<f4'), ]".
  void parse_sequence(LiteralValue& value, char close, int depth) {
    ++position_;
    while (peek() != close) {
      value.items.push_back(parse_value(depth + 1));
      if (peek() == ',') {
        ++position_;
      } else if (peek() != close) {
        fail(std::string("expected ',' or '") + close + "'");
      }
    }
    ++position_;
  }

  void parse_dict(LiteralValue& value, int depth) {
    ++position_;
    while (peek() != '}') {
      if (peek() != '\'' && peek() != '"') fail("a dict key that is not a string");
      std::string key = parse_string();
      if (peek() != ':') fail("expected ':' after the key '" + key + "'");
      ++position_;
      value.keys.push_back(std::move(key));
      value.items.push_back(parse_value(depth + 1));
      if (peek() == ',') {
        ++position_;
      } else if (peek() != '}') {
        fail("expected ',' or '}'");
      }
    }
    ++position_;
  }

  std::string_view text_;
  const std::string& what_;
  std::size_t position_ = 0;
};

std::uint16_t little_u16(std::string_view bytes, std::size_t at) {
  return static_cast<std::uint16_t>(static_cast<unsigned char>(bytes[at]) |
                                    static_cast<unsigned char>(bytes[at + 1]) << 8);
}

std::uint32_t little_u32(std::string_view bytes, std::size_t at) {
  std::uint32_t value = 0;
  for (std::size_t i = 4; i-- > 0;) value = value << 8 | static_cast<unsigned char>(bytes[at + i]);
  return value;
}

// The text of a structured descr, for the message that says rankme does not read it.
std::string structured_text(const LiteralValue& value) {
  std::string text = "structured dtype [";
  for (std::size_t i = 0; i < value.items.size(); ++i) {
    const LiteralValue& field = value.items[i];
    if (i > 0) text += ", ";
    if (i == 4) {
      text += "...";
      break;
    }
    if (field.kind == LiteralValue::Kind::tuple && field.items.size() >= 2) {
      text += "('" + field.items[0].text + "', '" + field.items[1].text + "')";
    } else {
      text += "?";
    }
  }
  return text + "]";
}

}  // namespace

bool has_npy_magic(std::string_view bytes) {
  return bytes.size() >= npy_magic_bytes && bytes.substr(0, npy_magic_bytes) == std::string_view(npy_magic, npy_magic_bytes);
}

std::uint64_t npy_header_size(std::string_view first_bytes, const std::string& what) {
  if (!has_npy_magic(first_bytes)) {
    throw std::runtime_error(what + ": not a .npy array (it does not start with \\x93NUMPY)");
  }
  if (first_bytes.size() < 10) throw std::runtime_error(what + ": the .npy header is truncated");
  const int major = static_cast<unsigned char>(first_bytes[6]);
  const int minor = static_cast<unsigned char>(first_bytes[7]);
  std::uint64_t size = 0;
  if (major == 1) {
    size = 10 + std::uint64_t{little_u16(first_bytes, 8)};
  } else if (major == 2 || major == 3) {
    if (first_bytes.size() < 12) throw std::runtime_error(what + ": the .npy header is truncated");
    size = 12 + std::uint64_t{little_u32(first_bytes, 8)};
  } else {
    throw std::runtime_error(what + ": .npy format version " + std::to_string(major) + "." + std::to_string(minor) +
                             " is not one rankme reads (1.0, 2.0 and 3.0 are); re-save it with numpy.save");
  }
  if (size > npy_header_cap) {
    throw std::runtime_error(what + ": the .npy header declares " + std::to_string(size) + " bytes, more than the " +
                             std::to_string(npy_header_cap) + " rankme accepts (a corrupt or hostile file?)");
  }
  return size;
}

std::optional<StoredType> npy_descr_type(const std::string& descr, std::string& dtype, const std::string& what) {
  if (descr.empty()) throw std::runtime_error(what + ": the .npy header's descr is empty");
  std::size_t at = 0;
  char order = '=';
  if (descr[0] == '<' || descr[0] == '>' || descr[0] == '=' || descr[0] == '|') order = descr[at++];
  if (at >= descr.size()) throw std::runtime_error(what + ": the .npy descr '" + descr + "' names no type");
  const char kind = descr[at++];
  const std::string size_text = descr.substr(at);
  // Everything after the kind letter: a byte count, or a unit ("M8[ns]").
  std::uint64_t size = 0;
  bool size_is_number = !size_text.empty() && size_text.size() <= 6;
  for (char c : size_text) size_is_number = size_is_number && c >= '0' && c <= '9';
  if (size_is_number) size = std::stoull(size_text);
  // '=' is this machine's order; '|' means "not applicable" (one-byte types).
  const bool big_endian = order == '>';
  auto unsupported = [&](const std::string& text) -> std::optional<StoredType> {
    dtype = text;
    return std::nullopt;
  };
  switch (kind) {
    case 'f':
      if (size == 2 || size == 4 || size == 8) {
        StoredType type{StoredType::Kind::floating, static_cast<int>(size), big_endian};
        dtype = type.name();
        return type;
      }
      if (size_is_number) return unsupported("float" + std::to_string(size * 8));
      break;
    case 'i':
    case 'u':
      if (size == 1 || size == 2 || size == 4 || size == 8) {
        StoredType type{kind == 'i' ? StoredType::Kind::signed_int : StoredType::Kind::unsigned_int,
                        static_cast<int>(size), big_endian && size > 1};
        dtype = type.name();
        return type;
      }
      break;
    case 'b':
      if (size == 1) return unsupported("bool");
      break;
    case 'c':
      if (size_is_number && size > 0) return unsupported("complex" + std::to_string(size * 8));
      break;
    case 'O': return unsupported("object (Python objects, pickled)");
    case 'S':
    case 'a': return unsupported("bytes (" + descr + ")");
    case 'U': return unsupported("unicode string (" + descr + ")");
    case 'V': return unsupported("void (" + descr + ", raw bytes)");
    case 'M': return unsupported("datetime64 (" + descr + ")");
    case 'm': return unsupported("timedelta64 (" + descr + ")");
    default: break;
  }
  throw std::runtime_error(what + ": the .npy descr '" + descr + "' is not a numpy dtype");
}

NpyHeader parse_npy_header(std::string_view bytes, const std::string& what) {
  const std::uint64_t size = npy_header_size(bytes.substr(0, npy_preamble_bytes), what);
  if (bytes.size() < size) throw std::runtime_error(what + ": the .npy header is truncated");
  NpyHeader header;
  header.major_version = static_cast<unsigned char>(bytes[6]);
  header.minor_version = static_cast<unsigned char>(bytes[7]);
  header.data_offset = size;
  const std::size_t dict_start = header.major_version == 1 ? 10 : 12;
  // Version 3.0 differs from 2.0 only in allowing UTF-8 in the dict (field names): bytes pass through.
  const LiteralValue dict =
      LiteralParser(bytes.substr(dict_start, static_cast<std::size_t>(size) - dict_start), what).parse_whole();
  if (dict.kind != LiteralValue::Kind::dict) {
    throw std::runtime_error(what + ": the .npy header is not a dict (expected {'descr': ..., 'fortran_order': ..., 'shape': ...})");
  }
  bool seen_descr = false, seen_order = false, seen_shape = false;
  for (std::size_t i = 0; i < dict.keys.size(); ++i) {
    const std::string& key = dict.keys[i];
    const LiteralValue& value = dict.items[i];
    if (key == "descr") {
      seen_descr = true;
      if (value.kind == LiteralValue::Kind::string) {
        header.descr = value.text;
        header.type = npy_descr_type(value.text, header.dtype, what);
      } else if (value.kind == LiteralValue::Kind::list) {
        header.dtype = structured_text(value);
        header.descr = header.dtype;
        header.type = std::nullopt;
      } else {
        throw std::runtime_error(what + ": the .npy header's 'descr' is neither a string nor a list");
      }
    } else if (key == "fortran_order") {
      if (value.kind != LiteralValue::Kind::boolean) {
        throw std::runtime_error(what + ": the .npy header's 'fortran_order' is not True or False");
      }
      seen_order = true;
      header.fortran_order = value.flag;
    } else if (key == "shape") {
      if (value.kind != LiteralValue::Kind::tuple) {
        throw std::runtime_error(what + ": the .npy header's 'shape' is not a tuple of integers");
      }
      seen_shape = true;
      header.shape.clear();
      for (const LiteralValue& extent : value.items) {
        if (extent.kind != LiteralValue::Kind::integer) {
          throw std::runtime_error(what + ": the .npy header's 'shape' is not a tuple of non-negative integers");
        }
        header.shape.push_back(extent.number);
      }
    } else {
      throw std::runtime_error(what + ": the .npy header has the key '" + key +
                               "'; numpy writes only 'descr', 'fortran_order' and 'shape'");
    }
  }
  if (!seen_descr || !seen_order || !seen_shape) {
    throw std::runtime_error(what + ": the .npy header lacks '" +
                             std::string(!seen_descr ? "descr" : !seen_order ? "fortran_order" : "shape") + "'");
  }
  return header;
}

}  // namespace rankme
