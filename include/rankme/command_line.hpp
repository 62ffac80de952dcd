#pragma once
// The command line, parsed identically on every rank (no communication needed to agree on it).
#include <string>
#include <vector>

#include "rankme/dataset_score.hpp"
#include "rankme/report.hpp"

namespace rankme {

struct CommandLine {
  std::vector<std::string> inputs;  // FILE or FILE:DATASET
  OutputFormat format = OutputFormat::table;
  ScoreOptions score;
};

struct ParsedCommandLine {
  CommandLine command_line;
  int exit_code = -1;       // >= 0: exit now with this code (help, version, usage error)
  std::string message;      // what rank 0 prints before exiting (help text, version, or the error)
  bool message_is_error = false;
};

// Exit codes, documented in the README.
inline constexpr int exit_success = 0;
inline constexpr int exit_dataset_failed = 1;
inline constexpr int exit_usage = 2;
inline constexpr int exit_internal = 3;

ParsedCommandLine parse_command_line(int argc, const char* const* argv);

}  // namespace rankme
