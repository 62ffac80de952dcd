#include "rankme/pipeline/natural_order.hpp"

#include <cstddef>

namespace rankme {

namespace {

bool is_digit(char c) { return c >= '0' && c <= '9'; }

// Compares the digit runs starting at a[i] and b[j] by value, without converting (runs may be longer than
// any integer type); advances i and j past them. <0, 0 or >0.
int compare_numbers(const std::string& a, std::size_t& i, const std::string& b, std::size_t& j) {
  const std::size_t a_start = i, b_start = j;
  while (i < a.size() && a[i] == '0') ++i;
  while (j < b.size() && b[j] == '0') ++j;
  const std::size_t a_digits_start = i, b_digits_start = j;
  while (i < a.size() && is_digit(a[i])) ++i;
  while (j < b.size() && is_digit(b[j])) ++j;
  const std::size_t a_length = i - a_digits_start, b_length = j - b_digits_start;
  if (a_length != b_length) return a_length < b_length ? -1 : 1;
  const int digits = a.compare(a_digits_start, a_length, b, b_digits_start, b_length);
  if (digits != 0) return digits;
  const std::size_t a_spelling = i - a_start, b_spelling = j - b_start;  // "01" after "1"
  return a_spelling == b_spelling ? 0 : (a_spelling < b_spelling ? -1 : 1);
}

}  // namespace

bool natural_less(const std::string& a, const std::string& b) {
  std::size_t i = 0, j = 0;
  while (i < a.size() && j < b.size()) {
    if (is_digit(a[i]) && is_digit(b[j])) {
      const int order = compare_numbers(a, i, b, j);
      if (order != 0) return order < 0;
      continue;
    }
    if (a[i] != b[j]) return static_cast<unsigned char>(a[i]) < static_cast<unsigned char>(b[j]);
    ++i;
    ++j;
  }
  if (i < a.size() || j < b.size()) return j < b.size();  // a is a prefix of b (as far as compared)
  return a < b;
}

}  // namespace rankme
