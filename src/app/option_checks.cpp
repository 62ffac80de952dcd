#include "rankme/app/option_checks.hpp"

#include <cmath>
#include <cstdio>

namespace rankme {

namespace {
// The shortest text of a bound: 1e-15, 0, 1.
std::string bound_text(double value) {
  char text[32];
  std::snprintf(text, sizeof text, "%g", value);
  return text;
}

bool parse_finite(const std::string& text, double& value) {
  return CLI::detail::lexical_cast(text, value) && std::isfinite(value);
}
}  // namespace

CLI::Validator finite_number_at_least(double minimum) {
  const std::string range = ">= " + bound_text(minimum);
  return CLI::Validator(
      [minimum, range](std::string& text) -> std::string {
        double value = 0;
        return parse_finite(text, value) && value >= minimum ? std::string()
                                                             : "must be a finite number " + range + ", got '" + text + "'";
      },
      minimum == 0 ? std::string("NONNEGATIVE") : range);
}

CLI::Validator number_between(double low, double high) {
  const std::string range = "from " + bound_text(low) + " to " + bound_text(high);
  return CLI::Validator(
      [low, high, range](std::string& text) -> std::string {
        double value = 0;
        return parse_finite(text, value) && value >= low && value <= high
                   ? std::string()
                   : "must be a number " + range + ", got '" + text + "'";
      },
      "[" + bound_text(low) + ", " + bound_text(high) + "]");
}

}  // namespace rankme
