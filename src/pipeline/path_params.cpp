#include "rankme/pipeline/path_params.hpp"

#include <algorithm>
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

// A piece of a component, with where it starts in the component (for masking positions).
struct Piece {
  std::string text;
  std::size_t at = 0;
};

// One value the component spells: its key, its text and where that text lies in the component.
struct Spelled {
  std::string key;
  std::string value;
  std::size_t at = 0;
  bool position = false;  // from a word such as "epoch_100" rather than an explicit key=value
};

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
void add_pairs(const Piece& piece, std::vector<Spelled>& spelled, std::vector<Piece>& plain) {
  const std::string& word = piece.text;
  std::size_t key_start = 0;
  while (key_start < word.size()) {
    const std::size_t equals = word.find('=', key_start);
    if (equals == std::string::npos) {
      plain.push_back({word.substr(key_start), piece.at + key_start});
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
    if (!key.empty() && is_key_start(key.front())) {
      spelled.push_back({key, word.substr(value_start, value_end - value_start), piece.at + value_start, false});
    }
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
void add_positions(const std::vector<Piece>& words, std::vector<Spelled>& spelled) {
  std::vector<Piece> parts;
  for (const Piece& word : words) {
    Piece part{{}, word.at};
    for (std::size_t i = 0; i < word.text.size(); ++i) {
      const char c = word.text[i];
      if (c == '_' || c == '-') {
        if (!part.text.empty()) parts.push_back(part);
        part = {{}, word.at + i + 1};
      } else {
        part.text += c;
      }
    }
    if (!part.text.empty()) parts.push_back(part);
  }
  for (std::size_t i = 0; i < parts.size(); ++i) {
    const Piece& part = parts[i];
    std::string key = position_key(part.text);
    if (!key.empty() && i + 1 < parts.size() && all_digits(parts[i + 1].text)) {
      spelled.push_back({key, parts[i + 1].text, parts[i + 1].at, true});
      ++i;
      continue;
    }
    // A name glued to its number: "ep100", "step5000".
    std::size_t digits = part.text.size();
    while (digits > 0 && std::isdigit(static_cast<unsigned char>(part.text[digits - 1]))) --digits;
    if (digits == 0 || digits == part.text.size()) continue;
    key = position_key(part.text.substr(0, digits));
    if (!key.empty()) spelled.push_back({key, part.text.substr(digits), part.at + digits, true});
  }
}

// Everything one component spells, in order: the key=value pairs, then the positions of the other words.
std::vector<Spelled> spelled_in(const std::string& component) {
  std::vector<Piece> words;
  Piece word;
  for (std::size_t i = 0; i < component.size(); ++i) {
    const char c = component[i];
    if (is_separator(c) || is_bracket(c)) {
      if (!word.text.empty()) words.push_back(word);
      word = {{}, i + 1};
    } else {
      word.text += c;
    }
  }
  if (!word.text.empty()) words.push_back(word);
  std::vector<Spelled> spelled;
  std::vector<Piece> plain;
  for (const Piece& w : words) {
    if (w.text.find('=') != std::string::npos) {
      add_pairs(w, spelled, plain);
    } else {
      plain.push_back(w);
    }
  }
  add_positions(plain, spelled);
  return spelled;
}

// Whether the value spelled at `s` is a checkpoint position: a number under epoch or step, whether from
// "epoch_3" or from "epoch=3".
bool is_position(const Spelled& s) { return (s.key == "epoch" || s.key == "step") && number_of(s.value).has_value(); }

std::vector<std::string> components_of(const std::string& path) {
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
  return components;
}

// The length of `name` without its extension: a '.' and 1-12 letters or digits starting with a letter
// (".h5", ".pt", ".safetensors"); "lr=0.1" keeps its ".1".
std::size_t stem_length(const std::string& name) {
  const std::size_t dot = name.rfind('.');
  if (dot == std::string::npos || dot + 1 >= name.size() || name.size() - dot - 1 > 12 || !is_key_start(name[dot + 1])) {
    return name.size();
  }
  for (std::size_t i = dot + 1; i < name.size(); ++i) {
    if (!std::isalnum(static_cast<unsigned char>(name[i]))) return name.size();
  }
  return dot;
}

}  // namespace

ParamValue param_value_of(const std::string& text) {
  if (const auto number = number_of(text)) return *number;
  return text;
}

Params params_of_component(const std::string& component) {
  Params params;
  Params positions;
  for (const Spelled& s : spelled_in(component)) {
    if (s.position) {
      positions[s.key] = param_value_of(s.value);
    } else {
      params[s.key] = param_value_of(s.value);
    }
  }
  for (auto& [key, value] : positions) params.emplace(key, value);  // an explicit epoch= wins
  return params;
}

Params params_of_path(const std::string& path, bool file_name_last) {
  std::vector<std::string> components = components_of(path);
  if (file_name_last && !components.empty()) components.back().resize(stem_length(components.back()));
  Params params;
  for (const std::string& c : components) {
    for (auto& [key, value] : params_of_component(c)) params[key] = value;
  }
  return params;
}

Params params_of_dataset_path(const std::string& file, const std::string& dataset) {
  Params params = params_of_path(file, true);
  for (auto& [key, value] : params_of_path(dataset, false)) params[key] = value;
  return params;
}

std::string without_positions(const std::string& path, bool file_name_last) {
  std::string masked = path;
  // Component by component, so that a file name's extension is left out of its words as params_of_path does.
  std::size_t begin = 0;
  while (begin <= masked.size()) {
    std::size_t end = masked.find('/', begin);
    if (end == std::string::npos) end = masked.size();
    std::string component = masked.substr(begin, end - begin);
    const bool last = end == masked.size();
    const std::size_t stem = file_name_last && last ? stem_length(component) : component.size();
    std::vector<Spelled> spelled = spelled_in(component.substr(0, stem));
    // From the back, so that earlier offsets stay valid as numbers shrink to one '*': spelled_in lists
    // `key=` tokens before bare positions (`epoch_100 step=5` lists step first), so sort by offset.
    std::sort(spelled.begin(), spelled.end(), [](const Spelled& a, const Spelled& b) { return a.at < b.at; });
    for (auto s = spelled.rbegin(); s != spelled.rend(); ++s) {
      if (is_position(*s)) component.replace(s->at, s->value.size(), "*");
    }
    masked.replace(begin, end - begin, component);
    begin += component.size() + 1;
  }
  return masked;
}

}  // namespace rankme
