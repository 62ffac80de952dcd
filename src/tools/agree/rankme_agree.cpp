// rankme-agree: does RankMe agree with the probes? Matches the rows of an accuracies CSV (a few linear-probe
// accuracies measured by hand) to rankme's results, and prints for RankMe and every other metric present
// Spearman's rho and Kendall's tau-b with their p-values, the run the metric picks and the accuracy lost
// by picking it (the regret). docs/agree.md has the matching rules and the statistics.
//
//   rankme-agree RESULTS ACCURACIES.csv [--accuracy-column NAME] [--match COLS] [--within KEY]
//                [--format table|jsonl|csv]
//
// Exit codes: 0 printed; 1 an input could not be read or used (no row matched any result, no accuracy
// column, a bad number); 2 usage error.
#include <CLI/CLI.hpp>

#include <filesystem>
#include <iostream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "accuracy_table.hpp"
#include "agreement.hpp"
#include "agreement_output.hpp"
#include "result_matching.hpp"
#include "rankme/app/usage_error.hpp"
#include "rankme/sweep/results_file_reader.hpp"
#include "rankme/sweep/resume.hpp"

namespace {

using namespace rankme::agree;

constexpr int exit_success = 0;
constexpr int exit_failed = 1;
constexpr int exit_usage = 2;
constexpr std::size_t notes_shown = 20;

struct AgreeOptions {
  std::string results;
  std::string accuracies;
  std::string accuracy_column = "accuracy";
  std::vector<std::string> match;
  std::string within;
  AgreementFormat format = AgreementFormat::table;
};

void note(const std::string& text) { std::cerr << "rankme-agree: " << text << std::endl; }

std::string plural(std::size_t count, const std::string& word) {
  return std::to_string(count) + " " + word + (count == 1 ? "" : "s");
}

std::string param_text(const rankme::ParamValue& value) {
  if (const double* number = std::get_if<double>(&value)) {
    std::ostringstream text;
    text.precision(10);
    text << *number;
    return text.str();
  }
  return std::get<std::string>(value);
}

// One result per dataset: a results file appended to by --resume holds earlier errors and rescored datasets.
std::vector<rankme::DatasetResult> read_results(const std::string& path) {
  std::error_code error;
  if (!std::filesystem::exists(path, error)) throw std::runtime_error("no such file: '" + path + "'");
  const rankme::ResultsFileContents contents = rankme::read_results_file(path);
  if (contents.skipped_lines > 0) {
    note("note: '" + path + "': ignored " + plural(contents.skipped_lines, "line") + " without a complete result (" +
         contents.first_problem + ")");
  }
  if (contents.results.empty()) throw std::runtime_error("'" + path + "' holds no result");
  return rankme::final_result_per_dataset(contents.results);
}

void report_matching(const MatchOutcome& outcome, const AccuracyTable& table, const std::string& path) {
  for (std::size_t i = 0; i < outcome.notes.size() && i < notes_shown; ++i) note("warning: " + outcome.notes[i]);
  if (outcome.notes.size() > notes_shown) note("... and " + plural(outcome.notes.size() - notes_shown, "more warning"));
  std::string summary = std::to_string(outcome.rows_matched) + " of " + plural(table.rows.size(), "accuracy row") +
                        " in '" + path + "' matched one result each";
  if (outcome.rows_unmatched) summary += "; " + std::to_string(outcome.rows_unmatched) + " matched none";
  if (outcome.rows_ambiguous) summary += "; " + std::to_string(outcome.rows_ambiguous) + " matched several";
  if (outcome.rows_conflicting) summary += "; " + std::to_string(outcome.rows_conflicting) + " named a result twice";
  if (outcome.rows_failed) summary += "; " + std::to_string(outcome.rows_failed) + " named a failed result";
  if (!table.rows_without_accuracy.empty()) {
    summary += "; " + plural(table.rows_without_accuracy.size(), "row") + " without an accuracy skipped";
  }
  note(summary);
  // Diverged runs have an accuracy but no RankMe: the pick can never fall on them, and they are not ranked.
  for (const MatchedRun& run : outcome.runs) {
    if (!run.result->rankme) {
      note("note: line " + std::to_string(run.line) + " (" + run.label + ", accuracy " + param_text(run.accuracy) +
           ") is a run without a finite RankMe (" + rankme::status_name(run.result->status) +
           "): left out of every statistic and never picked");
    }
  }
}

// The matched runs split by the value of the param `key` (numbers in numeric order, then text); runs
// without it are left out with a note.
std::map<rankme::ParamValue, std::vector<MatchedRun>> split_runs(const std::vector<MatchedRun>& runs,
                                                                 const std::string& key) {
  std::map<rankme::ParamValue, std::vector<MatchedRun>> groups;
  std::size_t without = 0;
  for (const MatchedRun& run : runs) {
    const auto value = run.result->params.find(key);
    if (value == run.result->params.end()) {
      ++without;
      continue;
    }
    groups[value->second].push_back(run);
  }
  if (without > 0) note("warning: " + plural(without, "matched run") + " without the param '" + key + "' left out (--within)");
  return groups;
}

int agree(const AgreeOptions& options) {
  std::vector<rankme::DatasetResult> results;
  AccuracyTable table;
  MatchOutcome outcome;
  try {
    results = read_results(options.results);
    table = read_accuracy_table(options.accuracies, options.accuracy_column, options.match);
    outcome = match_accuracies(results, table);
  } catch (const std::exception& failure) {
    note(std::string("error: ") + failure.what());
    return exit_failed;
  }
  report_matching(outcome, table, options.accuracies);
  if (outcome.runs.empty()) {
    note("error: no row of '" + options.accuracies + "' matched a result of '" + options.results +
         "': check the key columns' names and values against the results' file, dataset and params "
         "(rankme --format jsonl shows them)");
    return exit_failed;
  }

  // The agreements point into the runs: `groups` lives as long as they do.
  std::vector<MetricAgreement> agreements;
  std::map<rankme::ParamValue, std::vector<MatchedRun>> groups;
  if (options.within.empty()) {
    agreements = metric_agreement(outcome.runs, "");
  } else {
    groups = split_runs(outcome.runs, options.within);
    if (groups.empty()) {
      note("error: no matched run has the param '" + options.within + "' (--within)");
      return exit_failed;
    }
    for (const auto& [value, runs] : groups) {
      const std::string label = options.within + "=" + param_text(value);
      const std::vector<MetricAgreement> group = metric_agreement(runs, label);
      if (group.empty()) note("warning: " + label + ": no run with a finite RankMe");
      agreements.insert(agreements.end(), group.begin(), group.end());
    }
  }
  if (agreements.empty()) {
    note("error: no matched run has a finite RankMe");
    return exit_failed;
  }
  print_agreement(agreements, options.format, !options.within.empty(), std::cout);
  return exit_success;
}

}  // namespace

int main(int argc, char** argv) {
  AgreeOptions options;
  CLI::App app{"rankme-agree: does RankMe agree with the probes? Matches the rows of an accuracies CSV to rankme's\n"
               "results (by file/dataset or by params) and prints, for RankMe and every other metric present, Spearman's\n"
               "rho and Kendall's tau-b with their p-values, the run the metric picks, its accuracy, the best accuracy\n"
               "and the regret (best - picked). See docs/agree.md.",
               "rankme-agree"};
  app.add_option("results", options.results, "Results file written by rankme --output (.jsonl or .csv)")->required();
  app.add_option("accuracies", options.accuracies,
                 "CSV with a header: an accuracy column and the columns naming each run (file, dataset, or params)")
      ->required();
  app.add_option("--accuracy-column", options.accuracy_column, "The accuracy column's name (default: accuracy)");
  // One argument, split here: a vector option would swallow the positionals after it.
  std::string match_list;
  app.add_option("--match", match_list,
                 "The columns that name a run, comma-separated (default: every column but the accuracy)");
  app.add_option("--within", options.within,
                 "Compare runs within each value of this param only (e.g. method), one block per value");
  std::string format_name = "table";
  app.add_option("--format", format_name, "table (default), jsonl or csv")
      ->check(CLI::IsMember({"table", "jsonl", "csv"}));
  try {
    app.parse(argc, argv);
    const std::map<std::string, AgreementFormat> formats = {
        {"table", AgreementFormat::table}, {"jsonl", AgreementFormat::jsonl}, {"csv", AgreementFormat::csv}};
    options.format = formats.at(format_name);
    std::istringstream columns(match_list);
    for (std::string column; std::getline(columns, column, ',');) {
      column.erase(0, column.find_first_not_of(' '));
      column.erase(column.find_last_not_of(' ') + 1);
      if (column.empty()) throw CLI::ValidationError("--match", "an empty column name in '" + match_list + "'");
      options.match.push_back(column);
    }
  } catch (const CLI::CallForHelp&) {
    std::cout << app.help();
    return exit_success;
  } catch (const CLI::ParseError& error) {
    std::cerr << rankme::usage_error_message("rankme-agree", app, error);
    return exit_usage;
  }
  return agree(options);
}
