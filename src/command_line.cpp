#include "rankme/command_line.hpp"

#include <CLI/CLI.hpp>

#include <cmath>
#include <map>

#include "rankme/version.hpp"

namespace rankme {

ParsedCommandLine parse_command_line(int argc, const char* const* argv) {
  ParsedCommandLine parsed;
  CommandLine& options = parsed.command_line;
  CLI::App app{"rankme: score embedding matrices stored in HDF5 by their effective rank (RankMe,\n"
               "Garrido et al., ICML 2023), across MPI ranks.",
               "rankme"};
  app.set_version_flag("--version", std::string("rankme ") + version_string);
  app.add_option("inputs", options.inputs,
                 "FILE (every 2-D numeric dataset in it) or FILE:DATASET (an absolute HDF5 path)")
      ->required();
  // Named choices are parsed as strings and mapped afterwards: CLI11's own mapping prints its internal
  // table ("{csv->2,...}") in error messages.
  std::string format_name = "table";
  app.add_option("--format", format_name, "Output on stdout: table, jsonl or csv")
      ->check(CLI::IsMember({"table", "jsonl", "csv"}))
      ->capture_default_str();
  app.add_option("--block-rows", options.score.block_rows,
                 "Rows read per block and rank (default: about 32 MiB of doubles, whole chunks)")
      ->check(CLI::PositiveNumber);
  std::string solver_name = "auto";
  app.add_option("--solver", solver_name,
                 "Eigensolver: auto (LAPACK on one rank below order " + std::to_string(scalapack_crossover_order) +
                     " or with one rank, else ScaLAPACK on all ranks), lapack or scalapack")
      ->check(CLI::IsMember({"auto", "lapack", "scalapack"}))
      ->capture_default_str();
  // CLI::NonNegativeNumber lets NaN through (and prints its bound as a 309-digit number).
  const CLI::Validator finite_non_negative(
      [](std::string& text) {
        double value = 0;
        return CLI::detail::lexical_cast(text, value) && std::isfinite(value) && value >= 0
                   ? std::string()
                   : "must be a finite number >= 0, got " + text;
      },
      "NONNEGATIVE");
  app.add_option("--eps", options.score.eps, "RankMe's epsilon: p_k = s_k / sum(s) + eps")
      ->check(finite_non_negative)
      ->default_str("1e-7");
  try {
    app.parse(argc, argv);
    const std::map<std::string, OutputFormat> formats = {
        {"table", OutputFormat::table}, {"jsonl", OutputFormat::jsonl}, {"csv", OutputFormat::csv}};
    const std::map<std::string, SolverChoice> solvers = {
        {"auto", SolverChoice::automatic}, {"lapack", SolverChoice::lapack}, {"scalapack", SolverChoice::scalapack}};
    options.format = formats.at(format_name);
    options.score.solver = solvers.at(solver_name);
  } catch (const CLI::CallForHelp&) {
    parsed.exit_code = exit_success;
    parsed.message = app.help();
  } catch (const CLI::CallForVersion& version) {
    parsed.exit_code = exit_success;
    parsed.message = std::string(version.what()) + "\n";
  } catch (const CLI::ParseError& error) {
    parsed.exit_code = exit_usage;
    parsed.message = std::string("rankme: usage error: ") + error.what() + "\nRun 'rankme --help' for usage.\n";
    parsed.message_is_error = true;
  }
  return parsed;
}

}  // namespace rankme
