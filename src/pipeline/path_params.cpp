#include "rankme/pipeline/path_params.hpp"

#include <cctype>
#include <charconv>
#include <cmath>
#include <optional>
#include <vector>

namespace rankme {

namespace {

bool is_separator(char c) { return c == ',' || c == ';' || c == ' ' || c == '/' || c == '\t'; }
bool is_bracket(char c) { return c == '[' || c == ']' || c == '(' || c == ')' || c == '{' || c == '}'; }
bool is_key_start(char c) { return std::isalpha(static_cast<unsigned char>(c)) != 0; }
bool is_key_char(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '_' || c == '.' || c == '-';
}

std::optional<double> number_of(const std::string& text) {
  if (text.empty()) return std::nullopt;
  double value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size() || !std::isfinite(value)) return std::nullopt;
  return value;
}

ParamValue value_of(const std::string& text) {
  if (const auto number = number_of(text)) return *number;
  return text;
}

// Whether `word` from `at` on reads `key=` (a key: a letter, then letters, digits, '_', '.', '-').
bool key_starts_at(const std::string& word, std::size_t at) {
  if (at >= word.size() || !is_key_start(word[at])) return false;
  for (std::size_t i = at; i < word.size(); ++i) {
    if (word[i] == '=') return i > at;
    if (!is_key_char(word[i])) return false;
  }
  return false;
}

// The `key=value` pairs of one word that holds at least one '='. What follows a number's first '_' without
// being another pair ("lr=0.1_epoch_3": "epoch_3") goes to `plain`, the words that may spell a position.
void add_pairs(const std::string& word, Params& params, std::vector<std::string>& plain) {
  std::size_t key_start = 0;
  while (key_start < word.size()) {
    const std::size_t equals = word.find('=', key_start);
    if (equals == std::string::npos) {
      plain.push_back(word.substr(key_start));
      return;
    }
    const std::string key = word.substr(key_start, equals - key_start);
    const std::size_t value_start = equals + 1;
    // Where the value ends: a number at its first '_' (numbers hold none); text at the last '_' before the
    // next `key=`, or at the end of the word.
    const std::size_t next_equals = word.find('=', value_start);
    std::size_t value_end = word.size();
    const std::size_t first_underscore = word.find('_', value_start);
    if (first_underscore != std::string::npos && number_of(word.substr(value_start, first_underscore - value_start))) {
      value_end = first_underscore;
    } else {
      for (std::size_t i = value_start; i < word.size() && i < next_equals; ++i) {
        if (word[i] == '_' && key_starts_at(word, i + 1)) value_end = i;
      }
    }
    if (!key.empty() && is_key_start(key.front())) params[key] = value_of(word.substr(value_start, value_end - value_start));
    if (value_end == word.size()) return;
    key_start = value_end + 1;
  }
}

bool all_digits(const std::string& text) {
  if (text.empty()) return false;
  for (const char c : text) {
    if (!std::isdigit(static_cast<unsigned char>(c))) return false;
  }
  return true;
}

std::string lowercase(std::string text) {
  for (char& c : text) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return text;
}

// "epoch", "ep" -> epoch; "step", "checkpoint", "ckpt" -> step; anything else: empty.
std::string position_key(const std::string& name) {
  const std::string lower = lowercase(name);
  if (lower == "epoch" || lower == "ep") return "epoch";
  if (lower == "step" || lower == "checkpoint" || lower == "ckpt") return "step";
  return {};
}

// Checkpoint positions in the words without '=': "epoch_100", "epoch 100", "ep100", "checkpoint-5000".
void add_positions(const std::vector<std::string>& words, Params& params) {
  std::vector<std::string> parts;
  for (const std::string& word : words) {
    std::string part;
    for (const char c : word) {
      if (c == '_' || c == '-') {
        if (!part.empty()) parts.push_back(part);
        part.clear();
      } else {
        part += c;
      }
    }
    if (!part.empty()) parts.push_back(part);
  }
  for (std::size_t i = 0; i < parts.size(); ++i) {
    const std::string& part = parts[i];
    std::string key = position_key(part);
    if (!key.empty() && i + 1 < parts.size() && all_digits(parts[i + 1])) {
      params[key] = value_of(parts[i + 1]);
      ++i;
      continue;
    }
    // A name glued to its number: "ep100", "step5000".
    std::size_t digits = part.size();
    while (digits > 0 && std::isdigit(static_cast<unsigned char>(part[digits - 1]))) --digits;
    if (digits == 0 || digits == part.size()) continue;
    key = position_key(part.substr(0, digits));
    if (!key.empty()) params[key] = value_of(part.substr(digits));
  }
}

}  // namespace

Params params_of_component(const std::string& component) {
  std::vector<std::string> words;
  std::string word;
  for (const char c : component) {
    if (is_separator(c) || is_bracket(c)) {
      if (!word.empty()) words.push_back(word);
      word.clear();
    } else {
      word += c;
    }
  }
  if (!word.empty()) words.push_back(word);
  Params params;
  std::vector<std::string> plain;
  for (const std::string& w : words) {
    if (w.find('=') != std::string::npos) {
      add_pairs(w, params, plain);
    } else {
      plain.push_back(w);
    }
  }
  Params positions;
  add_positions(plain, positions);
  for (auto& [key, value] : positions) params.emplace(key, value);  // an explicit epoch= wins
  return params;
}

Params params_of_path(const std::string& path, bool file_name_last) {
  std::vector<std::string> components;
  std::string component;
  for (const char c : path) {
    if (c == '/') {
      if (!component.empty()) components.push_back(component);
      component.clear();
    } else {
      component += c;
    }
  }
  if (!component.empty()) components.push_back(component);
  if (file_name_last && !components.empty()) {
    std::string& name = components.back();
    const std::size_t dot = name.rfind('.');
    if (dot != std::string::npos && dot + 1 < name.size() && name.size() - dot - 1 <= 12 && is_key_start(name[dot + 1])) {
      bool extension = true;
      for (std::size_t i = dot + 1; i < name.size(); ++i) extension = extension && std::isalnum(static_cast<unsigned char>(name[i]));
      if (extension) name.resize(dot);
    }
  }
  Params params;
  for (const std::string& c : components) {
    for (auto& [key, value] : params_of_component(c)) params[key] = value;
  }
  return params;
}

}  // namespace rankme
