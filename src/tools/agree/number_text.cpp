#include "number_text.hpp"

#include <charconv>

namespace rankme::agree {

std::optional<double> parse_number(const std::string& text) {
  const char* begin = text.data();
  const char* end = text.data() + text.size();
  if (begin != end && *begin == '+') ++begin;
  if (begin == end || (begin != text.data() && *begin == '-')) return std::nullopt;  // "+-1"
  double value = 0;
  const auto [stop, error] = std::from_chars(begin, end, value);
  if (error != std::errc() || stop != end) return std::nullopt;
  return value;
}

}  // namespace rankme::agree
