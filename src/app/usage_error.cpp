#include "rankme/app/usage_error.hpp"

#include <sstream>
#include <vector>

#include "rankme/numerics/nearest_names.hpp"

namespace rankme {

namespace {
// Every long option name of `app` ("--output"), and the short ones ("-h").
std::vector<std::string> option_names(const CLI::App& app) {
  std::vector<std::string> names;
  for (const CLI::Option* option : app.get_options()) {
    for (const std::string& name : option->get_lnames()) names.push_back("--" + name);
    for (const std::string& name : option->get_snames()) names.push_back("-" + name);
  }
  return names;
}
}  // namespace

std::string option_suggestion(const CLI::App& app, const std::string& unknown) {
  if (unknown.size() < 2 || unknown[0] != '-') return "";
  const std::string name = unknown.substr(0, unknown.find('='));  // --out=x: --out
  const std::vector<std::string> nearest = nearest_names(name, option_names(app), 2, true);
  if (nearest.empty()) return "";
  std::string text = " (did you mean " + nearest[0];
  if (nearest.size() > 1) text += " or " + nearest[1];
  return text + "?)";
}

std::string usage_error_message(const std::string& program, const CLI::App& app, const CLI::ParseError& error) {
  std::string what = error.what();
  if (dynamic_cast<const CLI::ExtrasError*>(&error) != nullptr) {
    // CLI11 says "The following argument(s) was/were not expected: --out": one line per unknown argument,
    // each with its suggestion.
    std::vector<std::string> lines;
    for (const std::string& argument : app.remaining()) {
      const bool option = argument.size() > 1 && argument[0] == '-';
      lines.push_back((option ? "unknown option " : "unexpected argument ") + argument +
                      option_suggestion(app, argument));
    }
    if (!lines.empty()) {
      what.clear();
      for (std::size_t i = 0; i < lines.size(); ++i) what += (i > 0 ? "; " : "") + lines[i];
    }
  }
  return program + ": usage error: " + what + "\nRun '" + program + " --help' for usage.\n";
}

std::string wrap_words(const std::string& text, std::size_t width) {
  std::string wrapped;
  std::size_t line_length = 0;
  std::istringstream lines(text);
  bool first_line = true;
  for (std::string line; std::getline(lines, line);) {
    if (!first_line) wrapped += '\n';
    first_line = false;
    line_length = 0;
    std::istringstream words(line);
    for (std::string word; words >> word;) {
      if (line_length > 0 && line_length + 1 + word.size() > width) {
        wrapped += '\n';
        line_length = 0;
      } else if (line_length > 0) {
        wrapped += ' ';
        ++line_length;
      }
      wrapped += word;
      line_length += word.size();
    }
  }
  return wrapped;
}

std::string WrappingHelpFormatter::make_option_desc(const CLI::Option* option) const {
  const std::size_t column = get_column_width();
  return wrap_words(option->get_description(), width_ > column + 20 ? width_ - column : 20);
}

std::string WrappingHelpFormatter::make_description(const CLI::App* app) const {
  const std::string description = app->get_description();
  return description.empty() ? "" : description + "\n";
}

}  // namespace rankme
