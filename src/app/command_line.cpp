#include "rankme/app/command_line.hpp"

#include <CLI/CLI.hpp>

#include <cmath>
#include <map>

#include "rankme/app/version.hpp"
#include "rankme/numerics/spectrum_metrics.hpp"
#include "rankme/pipeline/memory_budget.hpp"
#include "rankme/sweep/results_file.hpp"

namespace rankme {

DatasetShard parse_dataset_shard(const std::string& text) {
  const std::size_t slash = text.find('/');
  DatasetShard shard;
  try {
    if (slash == std::string::npos) throw std::invalid_argument("no '/'");
    std::size_t used = 0;
    shard.index = std::stoull(text.substr(0, slash), &used);
    if (used != slash || text[0] == '-') throw std::invalid_argument("index");
    const std::string count = text.substr(slash + 1);
    shard.count = std::stoull(count, &used);
    if (used != count.size() || count.empty() || count[0] == '-') throw std::invalid_argument("count");
  } catch (const std::exception&) {
    throw CLI::ValidationError("--shard", "expected i/n with whole numbers 0 <= i < n, got '" + text + "'");
  }
  if (shard.count == 0 || shard.index >= shard.count) {
    throw CLI::ValidationError("--shard", "expected i/n with 0 <= i < n, got '" + text + "'");
  }
  return shard;
}

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
                 "Eigensolver: auto (ScaLAPACK on all ranks with at least " + std::to_string(scalapack_min_ranks) +
                     " ranks and order " + std::to_string(scalapack_crossover_order) +
                     " or more, else LAPACK on rank 0: dsyevd below order " + std::to_string(lapack_2stage_order) +
                     ", dsyevd_2stage from it), lapack or scalapack")
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
  std::string metric_list = "all";
  app.add_option("--metrics", metric_list,
                 "Spectral metrics beside RankMe, comma-separated: effective_rank, stable_rank, participation_ratio, "
                 "nesum (with --center), alpha_req, alpha_req_r2, condition_number, numerical_rank, "
                 "top_eigenvalue_share, or all")
      ->capture_default_str();
  std::string alpha_range = "11:100";
  app.add_option("--alpha-range", alpha_range, "first:last (1-based) eigenvalue indices of the alpha-ReQ power-law fit")
      ->capture_default_str();
  double rank_rtol = -1;
  app.add_option("--rank-rtol", rank_rtol,
                 "numerical_rank counts s_k > RTOL * s_1 (default: what the Gram route resolves, 4 sqrt(K) u ^ 1/2)");
  std::string method_name = "gram";
  app.add_option("--method", method_name,
                 "gram (Z^T Z: fast, resolves singular values down to about 1e-7 s_1) or tsqr (QR of the rows: about "
                 "twice the work, down to about 1e-15 s_1)")
      ->check(CLI::IsMember({"gram", "tsqr"}))
      ->capture_default_str();
  std::string precision_name_text = "auto";
  app.add_option("--precision", precision_name_text,
                 "Block products of the Gram route: auto (float32 products summed in double, scored again in double "
                 "when the spectrum reaches float32's noise), mixed (float32 products always) or double")
      ->check(CLI::IsMember({"auto", "mixed", "double"}))
      ->capture_default_str();
  app.add_flag("--timings", options.score.timings,
               "Time each phase (open, read, convert, gram, reduce, eigensolve, metrics): a 'timings' object in JSON");
  app.add_option("--threads", options.threads,
                 "BLAS threads per rank (default: SLURM_CPUS_PER_TASK, OPENBLAS_NUM_THREADS or OMP_NUM_THREADS, else "
                 "this node's cores shared among its ranks)")
      ->check(CLI::PositiveNumber);
  app.add_flag("--verbose", options.verbose, "Say on stderr how many BLAS threads each rank uses and why");
  std::string max_memory_text;
  app.add_option("--max-memory", max_memory_text,
                 "Memory each rank may use for one dataset, e.g. 4G or 512M; larger datasets are refused before "
                 "reading (default: 90% of the node's memory, or its cgroup limit, shared by its ranks; 'none': no limit)");
  std::uint64_t first_rows = 0, sampled_rows = 0;
  auto* rows_option = app.add_option("--rows", first_rows, "Score the first N rows of each dataset")
                          ->check(CLI::PositiveNumber);
  auto* sample_option =
      app.add_option("--sample", sampled_rows,
                     "Score N rows drawn uniformly without replacement (the same rows whatever the number of ranks)")
          ->check(CLI::PositiveNumber)
          ->excludes(rows_option);
  app.add_option("--seed", options.score.rows.seed, "Seed of --sample")->needs(sample_option)->capture_default_str();
  app.add_flag("--center", options.score.center,
               "Subtract the column means over all rows before the spectrum (default: raw embeddings, as the paper)");
  app.add_flag("--list", options.list_only, "Print the datasets that would be scored (file, dataset, shape, type) and exit");
  std::string shard_text;
  app.add_option("--shard", shard_text,
                 "i/n: score every n-th dataset of the sorted list starting at the i-th (0-based), e.g. for a "
                 "SLURM job array: --shard $SLURM_ARRAY_TASK_ID/$SLURM_ARRAY_TASK_COUNT");
  app.add_option("--output", options.output,
                 "Append one line per dataset to FILE (.jsonl or .csv), flushed to disk as each dataset is done");
  app.add_option("--spectrum", options.spectrum,
                 "Write the singular values of every scored dataset, with its metrics as attributes, to the HDF5 "
                 "FILE (created, or appended to) at /<input file name>/<dataset path>");
  app.add_flag("--resume", options.resume, "Skip datasets already in --output (same file, dataset, shape, size, mtime)");
  app.add_option("--group-size", options.group_size, "Ranks per group scoring one dataset (default: chosen from N, K, P)")
      ->check(CLI::PositiveNumber);
  std::string progress_name = "auto";
  app.add_option("--progress", progress_name,
                 "Progress on stderr: auto (a bar on a terminal, else a line every 5 s), bar, lines or none. Under "
                 "mpirun the ranks' stderr is a pipe, so auto gives lines: use bar when watching interactively")
      ->check(CLI::IsMember({"auto", "bar", "lines", "none"}))
      ->capture_default_str();
  bool quiet = false;
  app.add_flag("--quiet", quiet, "No progress on stderr (--progress none)");
  try {
    app.parse(argc, argv);
    if (!shard_text.empty()) options.shard = parse_dataset_shard(shard_text);
    options.score.method = method_name == "tsqr" ? SpectrumMethod::tsqr : SpectrumMethod::gram;
    options.score.precision = precision_from_name(precision_name_text);
    if (max_memory_text == "none") {
      options.max_memory = 0;
    } else if (!max_memory_text.empty()) {
      try {
        options.max_memory = parse_memory_size(max_memory_text);
      } catch (const std::invalid_argument& error) {
        throw CLI::ValidationError("--max-memory", error.what());
      }
    }
    if (first_rows > 0) options.score.rows = RowSelection{RowSelection::Kind::first, first_rows, 0};
    if (sampled_rows > 0) options.score.rows = RowSelection{RowSelection::Kind::sample, sampled_rows, options.score.rows.seed};
    try {
      options.score.metrics = parse_metric_list(metric_list);
    } catch (const std::invalid_argument& error) {
      throw CLI::ValidationError("--metrics", error.what());
    }
    const std::size_t colon = alpha_range.find(':');
    try {
      std::size_t used_first = 0, used_last = 0;
      const std::string first = alpha_range.substr(0, colon), last = colon == std::string::npos ? "" : alpha_range.substr(colon + 1);
      options.score.metrics.alpha_first = std::stoull(first, &used_first);
      options.score.metrics.alpha_last = std::stoull(last, &used_last);
      if (used_first != first.size() || used_last != last.size() || first[0] == '-' || last[0] == '-' ||
          options.score.metrics.alpha_first == 0 || options.score.metrics.alpha_first > options.score.metrics.alpha_last) {
        throw std::invalid_argument("range");
      }
    } catch (const std::exception&) {
      throw CLI::ValidationError("--alpha-range", "expected first:last with 1 <= first <= last, got '" + alpha_range + "'");
    }
    if (app.count("--rank-rtol") > 0) {
      if (!std::isfinite(rank_rtol) || rank_rtol < 0) {
        throw CLI::ValidationError("--rank-rtol", "must be a finite number >= 0");
      }
      options.score.metrics.rank_rtol = rank_rtol;
    }
    if (!options.output.empty()) {
      try {
        results_file_format(options.output);
      } catch (const std::invalid_argument& error) {
        throw CLI::ValidationError("--output", error.what());
      }
    }
    options.score.keep_spectrum = !options.spectrum.empty();
    if (options.resume && options.output.empty()) throw CLI::ValidationError("--resume", "needs --output FILE");
    const std::map<std::string, OutputFormat> formats = {
        {"table", OutputFormat::table}, {"jsonl", OutputFormat::jsonl}, {"csv", OutputFormat::csv}};
    const std::map<std::string, SolverChoice> solvers = {
        {"auto", SolverChoice::automatic}, {"lapack", SolverChoice::lapack}, {"scalapack", SolverChoice::scalapack}};
    options.format = formats.at(format_name);
    const std::map<std::string, ProgressReport::Choice> progress_choices = {
        {"auto", ProgressReport::Choice::automatic}, {"bar", ProgressReport::Choice::bar},
        {"lines", ProgressReport::Choice::lines}, {"none", ProgressReport::Choice::none}};
    options.progress = quiet ? ProgressReport::Choice::none : progress_choices.at(progress_name);
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
