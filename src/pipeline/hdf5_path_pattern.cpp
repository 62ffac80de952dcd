#include "rankme/pipeline/hdf5_path_pattern.hpp"

#include <algorithm>
#include <cstdint>

namespace rankme {

namespace {

// One character of a name: a UTF-8 sequence, so that '?' and "[...]" take "é" whole; a byte that does
// not start a valid sequence counts alone (HDF5 names are bytes, not necessarily UTF-8).
struct Character {
  std::uint32_t code = 0;
  std::size_t length = 1;
};

Character character_at(const std::string& text, std::size_t position) {
  const auto byte = [&](std::size_t i) { return static_cast<unsigned char>(text[i]); };
  const unsigned char lead = byte(position);
  std::size_t length = 1;
  std::uint32_t code = lead;
  if (lead >= 0xC2 && lead <= 0xDF) {
    length = 2, code = lead & 0x1Fu;
  } else if (lead >= 0xE0 && lead <= 0xEF) {
    length = 3, code = lead & 0x0Fu;
  } else if (lead >= 0xF0 && lead <= 0xF4) {
    length = 4, code = lead & 0x07u;
  }
  if (length == 1 || position + length > text.size()) return Character{lead, 1};
  for (std::size_t i = 1; i < length; ++i) {
    if ((byte(position + i) & 0xC0u) != 0x80u) return Character{lead, 1};
    code = (code << 6) | (byte(position + i) & 0x3Fu);
  }
  return Character{code, length};
}

// A pattern character, with a backslash escape resolved: where it starts, what it is, where the next begins.
struct PatternCharacter {
  Character character;
  std::size_t next = 0;
  bool escaped = false;
};

PatternCharacter pattern_character_at(const std::string& pattern, std::size_t position) {
  if (pattern[position] == '\\' && position + 1 < pattern.size()) {
    const Character escaped = character_at(pattern, position + 1);
    return PatternCharacter{escaped, position + 1 + escaped.length, true};
  }
  const Character plain = character_at(pattern, position);
  return PatternCharacter{plain, position + plain.length, false};
}

// A "[...]" set starting at pattern[open]: whether it is complete (has its ']'), where it ends, and whether
// `character` is in it.
struct CharacterSet {
  bool complete = false;
  std::size_t end = 0;  // one past the ']'
  bool contains = false;
};

CharacterSet character_set_at(const std::string& pattern, std::size_t open, std::uint32_t character) {
  std::size_t position = open + 1;
  bool negated = false;
  if (position < pattern.size() && (pattern[position] == '!' || pattern[position] == '^')) negated = true, ++position;
  bool contains = false;
  bool first = true;  // a ']' right after "[" or "[!" is a member, not the end
  while (position < pattern.size()) {
    if (pattern[position] == ']' && !first) return CharacterSet{true, position + 1, contains != negated};
    first = false;
    const PatternCharacter low = pattern_character_at(pattern, position);
    position = low.next;
    std::uint32_t high = low.character.code;
    if (position + 1 < pattern.size() && pattern[position] == '-' && pattern[position + 1] != ']') {
      const PatternCharacter range_end = pattern_character_at(pattern, position + 1);
      high = range_end.character.code;
      position = range_end.next;
    }
    if (low.character.code <= character && character <= high) contains = true;
  }
  return CharacterSet{};
}

// fnmatch-style matching of one name against one pattern component, backtracking to the last '*' on a
// mismatch (linear in practice, never exponential).
bool component_matches(const std::string& pattern, const std::string& name) {
  std::size_t p = 0, n = 0;
  std::size_t star_p = std::string::npos, star_n = 0;
  while (n < name.size()) {
    if (p < pattern.size()) {
      const Character here = character_at(name, n);
      if (pattern[p] == '*') {
        while (p < pattern.size() && pattern[p] == '*') ++p;
        star_p = p, star_n = n;
        continue;
      }
      if (pattern[p] == '?') {
        ++p, n += here.length;
        continue;
      }
      if (pattern[p] == '[') {
        const CharacterSet set = character_set_at(pattern, p, here.code);
        if (set.complete) {
          if (set.contains) {
            p = set.end, n += here.length;
            continue;
          }
        } else if (name[n] == '[') {  // an unterminated '[' is itself
          ++p, ++n;
          continue;
        }
      } else {
        const PatternCharacter literal = pattern_character_at(pattern, p);
        const std::size_t length = literal.next - p - (literal.escaped ? 1 : 0);
        if (name.compare(n, length, pattern, literal.next - length, length) == 0) {
          p = literal.next, n += length;
          continue;
        }
      }
    }
    if (star_p == std::string::npos) return false;
    star_n += character_at(name, star_n).length;  // let the last '*' take one more character
    p = star_p, n = star_n;
  }
  while (p < pattern.size() && pattern[p] == '*') ++p;
  return p == pattern.size();
}

std::vector<std::string> split_components(const std::string& path) {
  std::vector<std::string> components;
  std::size_t begin = 0;
  while (begin <= path.size()) {
    const std::size_t end = std::min(path.find('/', begin), path.size());
    if (end > begin) components.push_back(path.substr(begin, end - begin));
    begin = end + 1;
  }
  return components;
}

}  // namespace

Hdf5PathPattern::Hdf5PathPattern(const std::string& pattern) : components_(split_components(pattern)) {
  for (const std::string& component : components_) is_globstar_.push_back(component == "**");
}

void Hdf5PathPattern::close_over_globstars(States& states) const {
  // "**" may stand for no component at all: whoever may see it next may as well see what follows it.
  for (std::size_t i = 0; i < components_.size(); ++i) {
    if (states[i] && is_globstar_[i]) states[i + 1] = true;
  }
}

Hdf5PathPattern::States Hdf5PathPattern::start() const {
  States states(components_.size() + 1, false);
  states[0] = true;
  close_over_globstars(states);
  return states;
}

Hdf5PathPattern::States Hdf5PathPattern::advance(const States& states, const std::string& component) const {
  States next(components_.size() + 1, false);
  for (std::size_t i = 0; i < components_.size(); ++i) {
    if (!states[i]) continue;
    if (is_globstar_[i]) {
      next[i] = true;  // "**" takes this component and may take more
    } else if (component_matches(components_[i], component)) {
      next[i + 1] = true;
    }
  }
  close_over_globstars(next);
  return next;
}

bool Hdf5PathPattern::is_dead(const States& states) {
  return std::none_of(states.begin(), states.end(), [](bool state) { return state; });
}

bool hdf5_path_matches(const std::string& pattern, const std::string& path) {
  const Hdf5PathPattern compiled(pattern);
  Hdf5PathPattern::States states = compiled.start();
  for (const std::string& component : split_components(path)) {
    states = compiled.advance(states, component);
    if (Hdf5PathPattern::is_dead(states)) return false;
  }
  return compiled.accepts(states);
}

bool has_unescaped_wildcards(const std::string& text) {
  for (std::size_t position = 0; position < text.size(); ++position) {
    const char c = text[position];
    if (c == '\\') {
      ++position;
    } else if (c == '*' || c == '?') {
      return true;
    } else if (c == '[') {
      // Complete only within its component: "[" and "]" on both sides of a '/' are two literal characters.
      const std::size_t end = std::min(text.find('/', position), text.size());
      if (character_set_at(text.substr(0, end), position, 0).complete) return true;
    }
  }
  return false;
}

std::string unescape_hdf5_path(const std::string& text) {
  std::string plain;
  for (std::size_t position = 0; position < text.size(); ++position) {
    if (text[position] == '\\' && position + 1 < text.size()) ++position;
    plain += text[position];
  }
  return plain;
}

}  // namespace rankme
