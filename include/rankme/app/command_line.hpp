#pragma once
// The command line, parsed identically on every rank (no communication needed to agree on it).
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "rankme/app/report.hpp"
#include "rankme/io/pool_mode.hpp"
#include "rankme/pipeline/dataset_score.hpp"
#include "rankme/pipeline/target_concatenation.hpp"
#include "rankme/sweep/progress_report.hpp"

namespace rankme {

// --shard i/n: keep every n-th dataset of the sorted list, starting at the i-th (0 <= i < n).
struct DatasetShard {
  std::uint64_t index = 0;
  std::uint64_t count = 1;
};

struct CommandLine {
  std::vector<std::string> inputs;  // FILE, DIRECTORY, FILE:DATASET or FILE:PATTERN
  OutputFormat format = OutputFormat::table;
  ScoreOptions score;
  bool list_only = false;           // --list: print what would be scored, score nothing
  DatasetShard shard;               // --shard i/n
  std::string output;               // --output FILE (.jsonl or .csv): crash-safe results file
  bool resume = false;              // --resume: skip datasets already in --output
  std::string spectrum;             // --spectrum FILE.h5: singular values of every scored dataset (rank 0)
  int group_size = 0;               // --group-size: ranks per group (0: chosen automatically)
  ProgressReport::Choice progress = ProgressReport::Choice::automatic;  // --progress; --quiet is none
  int threads = 0;                  // --threads: BLAS threads per rank (0: blas_threads.hpp decides)
  bool verbose = false;             // --verbose: say how threads were chosen
  // --max-memory: bytes per rank for one dataset; nothing: the default (memory_budget.hpp), 0: "none".
  std::optional<std::uint64_t> max_memory;
  PoolMode pool = PoolMode::none;       // --pool: how arrays of 3 or more axes become matrices
  ConcatMode concat = ConcatMode::none; // --concat (all), --concat-by directory
  // --best-per KEYS: the report on stdout is the best checkpoint of each group (sweep/best_per_group.hpp)
  std::vector<std::string> best_per;
  std::string groups;                   // --groups: LiDAR's object ids (target_lidar.hpp); "" without it
  // The table's metric columns beside rankme: those --metrics named, when it was given ("all": every one);
  // none by default, when every metric is computed for JSON and CSV but the table stays narrow.
  std::vector<std::string> table_metrics;
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
inline constexpr int exit_interrupted = 4;  // stopped by SIGTERM/SIGINT before the end: run again with --resume

ParsedCommandLine parse_command_line(int argc, const char* const* argv);

// "i/n" -> {i, n}; throws CLI::ValidationError unless 0 <= i < n.
DatasetShard parse_dataset_shard(const std::string& text);

}  // namespace rankme
