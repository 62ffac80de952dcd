#pragma once
// The FILE:PATTERN syntax: glob patterns over HDF5 paths ('*', '?', "[...]", "**", backslash escapes),
// matched component by component. Pure string logic: parse_input_spec asks whether a dataset argument is a
// pattern, and discovery walks a file's groups with a compiled pattern (hdf5_link_walk.hpp).
#include <string>
#include <vector>

namespace rankme {

// Glob matching of an absolute HDF5 path against a pattern, component by component ('/' separates
// components, repeated and trailing '/' are ignored):
//   *      any characters within one component (never across '/')
//   ?      one character (a whole UTF-8 sequence)
//   [...]  one character of a set: ranges "a-z", negation with a leading '!' or '^', a ']' first is literal;
//          a '[' without its ']' is literal
//   **     as a whole component: zero or more components
//   \c     the character c itself (escapes a wildcard, '[' or '\')
bool hdf5_path_matches(const std::string& pattern, const std::string& path);

// True when `text` holds a wildcard ('*', '?', or a complete "[...]") that no backslash escapes.
bool has_unescaped_wildcards(const std::string& text);

// `text` with its escapes resolved: "\*" -> "*", "\\" -> "\" (a trailing lone backslash stays).
std::string unescape_hdf5_path(const std::string& text);

// A compiled pattern, walked one component at a time so that discovery can stop descending into groups
// that cannot lead to a match. States are the set of pattern positions that may come next.
class Hdf5PathPattern {
 public:
  using States = std::vector<bool>;

  explicit Hdf5PathPattern(const std::string& pattern);

  States start() const;
  States advance(const States& states, const std::string& component) const;
  bool accepts(const States& states) const { return states.back(); }
  static bool is_dead(const States& states);  // nothing below can match any more

 private:
  void close_over_globstars(States& states) const;
  std::vector<std::string> components_;
  std::vector<bool> is_globstar_;
};

}  // namespace rankme
