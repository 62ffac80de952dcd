// rankme-merge: combines the results files of several runs (SLURM job-array shards, or a run and its
// resumptions) into one result per dataset, written to --output and/or printed as a leaderboard.
//
//   rankme-merge [--output merged.jsonl|.csv] [--format table|jsonl|csv] [--best-per KEYS] shard0.jsonl shard1.csv ...
//
// With --best-per, stdout shows the best checkpoint of each group (app/best_per_report.hpp) instead of every
// dataset: `rankme-merge results.jsonl --best-per run` picks each run's checkpoint without scoring again.
//
// Exit codes: 0 every dataset's final status is ok or nonfinite; 1 some dataset's final status is error,
// or an input could not be read, or the output could not be written; 2 usage error.
#include <CLI/CLI.hpp>

#include <filesystem>
#include <iostream>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "rankme/app/usage_error.hpp"
#include "rankme/app/best_per_report.hpp"
#include "rankme/app/report.hpp"
#include "rankme/sweep/best_per_group.hpp"
#include "rankme/sweep/param_columns.hpp"
#include "rankme/sweep/results_file.hpp"
#include "rankme/sweep/resume.hpp"

namespace {

constexpr int exit_success = 0;
constexpr int exit_failed = 1;
constexpr int exit_usage = 2;

struct MergeOptions {
  std::vector<std::string> inputs;
  std::string output;
  std::optional<rankme::OutputFormat> format;  // none: table, unless only --output was asked for
  std::vector<std::string> best_per;           // --best-per KEYS
};

// Appends the valid results of `path` to `results`; says on stderr what was skipped. False when the file
// is missing or unreadable.
bool read_input(const std::string& path, std::vector<rankme::DatasetResult>& results) {
  std::error_code error;
  if (!std::filesystem::exists(path, error)) {
    std::cerr << "rankme-merge: error: no such file: '" << path << "'" << std::endl;
    return false;
  }
  try {
    const rankme::ResultsFileContents contents = rankme::read_results_file(path);
    if (contents.skipped_lines > 0) {
      std::cerr << "rankme-merge: note: '" << path << "': ignored " << contents.skipped_lines << " line"
                << (contents.skipped_lines == 1 ? "" : "s") << " without a complete result ("
                << contents.first_problem << ")" << std::endl;
    }
    results.insert(results.end(), contents.results.begin(), contents.results.end());
    return true;
  } catch (const std::exception& failure) {
    std::cerr << "rankme-merge: error: " << failure.what() << std::endl;
    return false;
  }
}

int merge(const MergeOptions& options) {
  std::vector<rankme::DatasetResult> all;
  bool inputs_ok = true;
  for (const std::string& path : options.inputs) inputs_ok = read_input(path, all) && inputs_ok;
  const std::vector<rankme::DatasetResult> merged = rankme::final_result_per_dataset(all);

  // A merged file missing a shard would look complete: nothing is written unless every input was read.
  bool output_ok = inputs_ok;
  if (!options.output.empty() && !inputs_ok) {
    std::cerr << "rankme-merge: error: not writing '" << options.output << "': some inputs could not be read" << std::endl;
  } else if (!options.output.empty()) {
    try {
      rankme::write_results_file(options.output, merged);
    } catch (const std::exception& failure) {
      std::cerr << "rankme-merge: error: " << failure.what() << std::endl;
      output_ok = false;
    }
  }
  if (!options.best_per.empty()) {
    const rankme::BestPerGroup grouped = rankme::best_per_group(merged, options.best_per);
    for (const std::string& note : rankme::best_per_notes(grouped, merged.size())) {
      std::cerr << "rankme-merge: note: --best-per: " << note << std::endl;
    }
    rankme::print_best_per(grouped, options.format.value_or(rankme::OutputFormat::table), std::cout);
  } else if (options.format || options.output.empty()) {
    rankme::ResultReport report(options.format.value_or(rankme::OutputFormat::table), std::cout,
                                rankme::param_keys_of(merged));
    for (const rankme::DatasetResult& result : merged) report.add(result);
    report.finish();
  }
  std::size_t errors = 0;
  for (const rankme::DatasetResult& result : merged) errors += result.status == rankme::ResultStatus::error;
  std::cerr << "rankme-merge: " << merged.size() << " dataset" << (merged.size() == 1 ? "" : "s") << " from "
            << all.size() << " result" << (all.size() == 1 ? "" : "s") << " in " << options.inputs.size() << " file"
            << (options.inputs.size() == 1 ? "" : "s");
  if (!options.output.empty() && output_ok) std::cerr << ", written to '" << options.output << "'";
  std::cerr << std::endl;
  if (errors > 0) {
    std::cerr << "rankme-merge: error: " << errors << " dataset" << (errors == 1 ? " has" : "s have")
              << " no result but an error; rerun them (rankme --resume --output ...)" << std::endl;
  }
  return errors == 0 && inputs_ok && output_ok ? exit_success : exit_failed;
}

}  // namespace

int main(int argc, char** argv) {
  MergeOptions options;
  CLI::App app{"rankme-merge: merge rankme results files (.jsonl or .csv, e.g. one per SLURM array task) into one\n"
               "result per dataset: the last ok or nonfinite result wins, errors only when nothing else is there.",
               "rankme-merge"};
  app.add_option("inputs", options.inputs, "Results files written by rankme --output (.jsonl or .csv)")->required();
  app.add_option("--output", options.output, "Write the merged results to FILE (.jsonl or .csv), replacing it");
  std::string format_name;
  app.add_option("--format", format_name,
                 "Print the merged results on stdout: table (a leaderboard; the default without --output), jsonl or csv")
      ->check(CLI::IsMember({"table", "jsonl", "csv"}));
  std::string best_per;
  auto* best_per_option = app.add_option(
      "--best-per", best_per,
      "KEYS: print the best checkpoint by RankMe of each group of results with the same values of these params "
      "(comma-separated, e.g. lr,wd; 'run': each run's checkpoints, its path without the epoch or step) "
      "instead of every dataset");
  try {
    app.parse(argc, argv);
    if (!options.output.empty()) {
      try {
        rankme::results_file_format(options.output);
      } catch (const std::invalid_argument& error) {
        throw CLI::ValidationError("--output", error.what());
      }
    }
    const std::map<std::string, rankme::OutputFormat> formats = {
        {"table", rankme::OutputFormat::table}, {"jsonl", rankme::OutputFormat::jsonl}, {"csv", rankme::OutputFormat::csv}};
    if (!format_name.empty()) options.format = formats.at(format_name);
    if (best_per_option->count() > 0) {
      try {
        options.best_per = rankme::parse_group_keys(best_per);
      } catch (const std::invalid_argument& error) {
        throw CLI::ValidationError("--best-per", error.what());
      }
    }
  } catch (const CLI::CallForHelp&) {
    std::cout << app.help();
    return exit_success;
  } catch (const CLI::ParseError& error) {
    std::cerr << rankme::usage_error_message("rankme-merge", app, error);
    return exit_usage;
  }
  return merge(options);
}
