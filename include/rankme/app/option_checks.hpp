#pragma once
// Checks of numeric options that state the allowed range in words ("--sample: must be a whole number >= 1,
// got '0'"). CLI11's own (PositiveNumber, NonNegativeNumber, Range) print their bounds as numbers, the largest
// double as 309 digits, and let NaN through.
#include <CLI/CLI.hpp>

#include <cstdint>
#include <limits>
#include <string>

namespace rankme {

// A whole number >= minimum that fits an integer of `Type` (--threads is an int, --rows a uint64).
template <typename Type>
CLI::Validator whole_number_at_least(Type minimum) {
  const std::string range = ">= " + std::to_string(minimum);
  return CLI::Validator(
      [minimum, range](std::string& text) -> std::string {
        // Digits only, read here with an overflow check (strtoull saturates silently at 2^64 - 1).
        const bool digits = !text.empty() && text.find_first_not_of("0123456789") == std::string::npos;
        if (!digits) return "must be a whole number " + range + ", got '" + text + "'";
        constexpr Type largest = std::numeric_limits<Type>::max();
        Type value = 0;
        for (const char digit : text) {
          const Type next = static_cast<Type>(digit - '0');
          if (value > (largest - next) / 10) {
            return "must be a whole number " + range + " and at most " + std::to_string(largest) + ", got '" + text +
                   "'";
          }
          value = static_cast<Type>(value * 10 + next);
        }
        return value >= minimum ? std::string() : "must be a whole number " + range + ", got '" + text + "'";
      },
      minimum == 0 ? "" : minimum == 1 ? "POSITIVE" : range);
}

// A finite number >= minimum (no NaN, no infinity).
CLI::Validator finite_number_at_least(double minimum);

// A finite number from low to high, both included.
CLI::Validator number_between(double low, double high);

}  // namespace rankme
