#pragma once
// The small text formats rankme prints in several places: CSV fields, JSON lines, numbers, aligned tables.
#include <nlohmann/json.hpp>

#include <ostream>
#include <string>
#include <vector>

namespace rankme {

// RFC 4180: a field holding a comma or quote is quoted, its quotes doubled. Line breaks become spaces
// rather than quoted line breaks: a reader that goes line by line (grep, wc -l, rankme's own --resume,
// which must tell a torn last line from a complete one) then sees one record per line.
std::string csv_field(std::string text);

// One JSON object on one line. HDF5 names are bytes: invalid UTF-8 is replaced (U+FFFD) rather than
// failing the whole line.
std::string json_text(const nlohmann::json& json);

// One number through a printf format with one double conversion ("%.17g" for round trips, "%.6f" for
// the table).
std::string format_number(double value, const char* format);

// `rows` (the first is the header) in columns two spaces apart, each as wide as its widest cell; the
// columns flagged in `right_aligned` (numbers) are right-aligned, the others left-aligned. No trailing
// spaces.
void print_aligned_table(const std::vector<std::vector<std::string>>& rows, const std::vector<bool>& right_aligned,
                         std::ostream& out);

}  // namespace rankme
