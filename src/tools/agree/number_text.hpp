#pragma once
// Numbers as users write them in a CSV cell: "0.001", "1e-3", "+5", " 42 ".
#include <optional>
#include <string>

namespace rankme::agree {

// The double that the whole of `text` spells (std::from_chars, general format; a leading '+' accepted,
// surrounding spaces not), or nothing.
std::optional<double> parse_number(const std::string& text);

}  // namespace rankme::agree
