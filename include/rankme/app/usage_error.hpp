#pragma once
// The message of a command-line error, for rankme and its companion tools (rankme-merge, rankme-agree): CLI11's
// words, and for an unknown option the nearest valid ones ("--out: did you mean --output?").
#include <CLI/CLI.hpp>

#include <string>

namespace rankme {

// "PROGRAM: usage error: ...\nRun 'PROGRAM --help' for usage.\n", where ... names each unknown option with
// the nearest of `app`'s options when one is close enough to be a misspelling.
std::string usage_error_message(const std::string& program, const CLI::App& app, const CLI::ParseError& error);

// " (did you mean --output?)" for "--out", or "" when no option of `app` is close.
std::string option_suggestion(const CLI::App& app, const std::string& unknown);

// Help text wrapped to 100 columns, continuation lines under the description column.
class WrappingHelpFormatter : public CLI::Formatter {
 public:
  explicit WrappingHelpFormatter(std::size_t width = 100) : width_(width) {}
  std::string make_option_desc(const CLI::Option* option) const override;
  std::string make_description(const CLI::App* app) const override;

 private:
  std::size_t width_;
};

// `text` with its spaces turned into line breaks so that no line passes `width` (a word longer than the
// width keeps its own line); existing line breaks stay.
std::string wrap_words(const std::string& text, std::size_t width);

}  // namespace rankme
