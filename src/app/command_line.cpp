#include "rankme/app/command_line.hpp"

#include <CLI/CLI.hpp>

#include <cmath>
#include <map>

#include "rankme/app/option_checks.hpp"
#include "rankme/app/usage_error.hpp"
#include "rankme/app/version.hpp"
#include "rankme/numerics/spectrum_metrics.hpp"
#include "rankme/parallel/eigensolver.hpp"
#include "rankme/pipeline/memory_budget.hpp"
#include "rankme/sweep/best_per_group.hpp"
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

namespace {

// What the options write before it is checked and converted: named choices are parsed as strings and mapped
// afterwards (CLI11's own mapping prints its internal table, "{csv->2,...}", in error messages).
struct OptionTexts {
  std::string format = "table";
  std::string solver = "auto";
  std::string metrics = "all";
  std::string alpha_range = "11:100";
  double rank_rtol = -1;
  std::string method = "auto";
  std::string precision = "auto";
  std::string max_memory;
  std::uint64_t first_rows = 0;
  std::uint64_t sampled_rows = 0;
  std::string shard;
  std::string progress = "auto";
  bool quiet = false;
  std::string pool = "none";
  bool concat = false;
  std::string concat_by;
  std::string best_per;
};

// --help's sections, in this order (docs/cli.md follows them).
constexpr const char* inputs_group = "Inputs";
constexpr const char* output_group = "Output";
constexpr const char* numerics_group = "Numerics";
constexpr const char* sweeps_group = "Sweeps";
constexpr const char* performance_group = "Performance";

// What is read: the inputs, which rows, and how arrays become matrices.
void add_input_options(CLI::App& app, CommandLine& options, OptionTexts& texts) {
  app.add_option("inputs", options.inputs,
                 "FILE (every 2-D numeric dataset in it), FILE:DATASET (an absolute HDF5 path), FILE:PATTERN "
                 "(FILE:'/runs/*/embeddings', '**' for any depth), or a DIRECTORY (its .h5, .hdf5, .npy, .npz, .safetensors, .pt and "
                 ".pth files, recursively). Shell globs (runs/*.h5) work too. Formats: HDF5, .npy, .npz, safetensors, "
                 "torch (zip), told apart by their first bytes")
      ->required();
  app.add_flag("--list", options.list_only, "Print the datasets that would be scored (file, dataset, shape, type) and exit")
      ->group(inputs_group);
  auto* rows_option = app.add_option("--rows", texts.first_rows, "N: score the first N rows of each dataset")
                          ->check(whole_number_at_least<std::uint64_t>(1))
                          ->group(inputs_group);
  auto* sample_option =
      app.add_option("--sample", texts.sampled_rows,
                     "N: score N rows drawn uniformly without replacement (the same rows whatever the number of "
                     "ranks); a dataset of N rows or fewer is scored whole, with a warning")
          ->check(whole_number_at_least<std::uint64_t>(1))
          ->excludes(rows_option)
          ->group(inputs_group);
  app.add_option("--seed", options.score.rows.seed, "Seed of --sample")
      ->check(whole_number_at_least<std::uint64_t>(0))
      ->needs(sample_option)
      ->capture_default_str()
      ->group(inputs_group);
  app.add_option("--pool", texts.pool,
                 "Arrays of 3 or more axes (samples x tokens x features, ...): mean (average the middle axes), first "
                 "or last (the first or last token, e.g. CLS), or flatten (every sample-token pair a row); none: skip them")
      ->check(CLI::IsMember({"none", "mean", "first", "last", "flatten"}))
      ->capture_default_str()
      ->group(inputs_group);
  auto* concat_option = app.add_flag("--concat", texts.concat,
                                     "Score all inputs as one matrix, rows stacked in the order given (a directory's "
                                     "files, and a shell glob's, in natural order: rank2 before rank10); one matrix "
                                     "per dataset name")
                            ->group(inputs_group);
  app.add_option("--concat-by", texts.concat_by,
                 "directory: --concat with one matrix per parent directory (a sweep of sharded runs in one job)")
      ->check(CLI::IsMember({"all", "directory"}))
      ->excludes(concat_option)
      ->group(inputs_group);
}

// Where the results go and what is said on stderr.
void add_output_options(CLI::App& app, CommandLine& options, OptionTexts& texts) {
  app.add_option("--format", texts.format,
                 "Output on stdout: table, jsonl or csv (the table adds rows_used when fewer rows were scored, and "
                 "the columns of the metrics named with --metrics)")
      ->check(CLI::IsMember({"table", "jsonl", "csv"}))
      ->capture_default_str()
      ->group(output_group);
  app.add_option("--output", options.output,
                 "Append one line per dataset to FILE (.jsonl or .csv), flushed to disk as each dataset is done")
      ->group(output_group);
  app.add_option("--spectrum", options.spectrum,
                 "Write the singular values of every scored dataset, with its metrics as attributes, to the HDF5 "
                 "FILE (created, or appended to) at /<input file name>/<dataset path>")
      ->group(output_group);
  app.add_flag("--timings", options.score.timings,
               "Time each phase (open, read, convert, gram, reduce, eigensolve, metrics): a 'timings' object in JSON")
      ->group(output_group);
  app.add_option("--progress", texts.progress,
                 "Progress on stderr: auto (a bar on a terminal, else a line every 5 s), bar, lines or none. Under "
                 "mpirun the ranks' stderr is a pipe, so auto gives lines: use bar when watching interactively")
      ->check(CLI::IsMember({"auto", "bar", "lines", "none"}))
      ->capture_default_str()
      ->group(output_group);
  app.add_flag("--quiet", texts.quiet, "No progress on stderr (--progress none)")->group(output_group);
  app.add_flag("--verbose", options.verbose,
               "Say on stderr how many BLAS threads each rank uses and why, and list every skipped dataset")
      ->group(output_group);
}

// How each dataset is scored.
void add_numerics_options(CLI::App& app, CommandLine& options, OptionTexts& texts) {
  app.add_option("--method", texts.method,
                 "auto (the Gram route, then TSQR again when its predicted error exceeds --tolerance), gram (Z^T Z: "
                 "fast, resolves singular values down to about 1e-7 s_1) or tsqr (QR of the rows: about twice the "
                 "work, down to about 1e-15 s_1)")
      ->check(CLI::IsMember({"auto", "gram", "tsqr"}))
      ->capture_default_str()
      ->group(numerics_group);
  app.add_option("--precision", texts.precision,
                 "Block products of the Gram route: auto (float32 products summed in double, scored again in double "
                 "when the spectrum reaches float32's noise), mixed (float32 products always) or double")
      ->check(CLI::IsMember({"auto", "mixed", "double"}))
      ->capture_default_str()
      ->group(numerics_group);
  app.add_option("--tolerance", options.score.tolerance,
                 "Relative RankMe error the auto choices promise: --method auto takes TSQR above it, --precision "
                 "auto keeps float32 products below a hundredth of it")
      ->check(number_between(1e-15, 1.0))
      ->capture_default_str()
      ->group(numerics_group);
  app.add_option("--solver", texts.solver,
                 "Eigensolver: auto (ScaLAPACK on all ranks with at least " + std::to_string(scalapack_min_ranks) +
                     " ranks and order " + std::to_string(scalapack_crossover_order) +
                     " or more, else LAPACK on rank 0: dsyevd below order " + std::to_string(lapack_2stage_order) +
                     ", dsyevd_2stage from it), lapack or scalapack")
      ->check(CLI::IsMember({"auto", "lapack", "scalapack"}))
      ->capture_default_str()
      ->group(numerics_group);
  app.add_flag("--center", options.score.center,
               "Subtract the column means over all rows before the spectrum (default: raw embeddings, as the paper)")
      ->group(numerics_group);
  app.add_option("--eps", options.score.eps, "RankMe's epsilon: p_k = s_k / sum(s) + eps")
      ->check(finite_number_at_least(0))
      ->default_str("1e-7")
      ->group(numerics_group);
  app.add_option("--metrics", texts.metrics,
                 "Spectral metrics beside RankMe, comma-separated: effective_rank, stable_rank, participation_ratio, "
                 "nesum (with --center), alpha_req, alpha_req_r2, condition_number, numerical_rank, "
                 "top_eigenvalue_share, or all (in JSON and CSV; the table shows those named, not 'all')")
      ->capture_default_str()
      ->group(numerics_group);
  app.add_option("--alpha-range", texts.alpha_range,
                 "first:last (1-based) eigenvalue indices of the alpha-ReQ power-law fit")
      ->capture_default_str()
      ->group(numerics_group);
  app.add_option("--rank-rtol", texts.rank_rtol,
                 "numerical_rank counts s_k > RTOL * s_1 (default: what the Gram route resolves, 4 sqrt(K) u ^ 1/2)")
      ->check(finite_number_at_least(0))
      ->group(numerics_group);
  auto* lidar_option = app.add_flag(
      "--lidar", options.score.lidar,
      "Also LiDAR (Thilak et al., ICLR 2024) from the views of each object: a 3-D array [objects, views, K] is read "
      "as objects*views rows (RankMe on all of them), a 2-D HDF5 dataset needs --groups; no --rows/--sample, --pool, "
      "--concat")
                           ->group(numerics_group);
  app.add_option("--groups", options.groups,
                 "With --lidar: the 1-D integer dataset of each row's object id, in the same HDF5 file: an absolute "
                 "path (/object_ids), or a name next to each dataset (ids: /run1/emb takes /run1/ids)")
      ->needs(lidar_option)
      ->group(numerics_group);
  app.add_option("--lidar-delta", options.score.lidar_delta, "With --lidar: the ridge delta added to Sigma_w")
      ->check(finite_number_at_least(0))
      ->needs(lidar_option)
      ->capture_default_str()
      ->group(numerics_group);
}

// Many datasets: results files, resuming, job arrays, rank groups.
void add_sweep_options(CLI::App& app, CommandLine& options, OptionTexts& texts) {
  app.add_option("--best-per", texts.best_per,
                 "KEYS: instead of every dataset, print the best checkpoint by RankMe of each group of results with "
                 "the same values of these params (comma-separated), e.g. lr,wd; 'run' groups each run's checkpoints "
                 "(its path without the epoch or step). Every result still goes to --output")
      ->group(sweeps_group);
  app.add_flag("--resume", options.resume, "Skip datasets already in --output (same file, dataset, shape, size, mtime)")
      ->group(sweeps_group);
  app.add_option("--shard", texts.shard,
                 "i/n: score every n-th dataset of the sorted list starting at the i-th (0-based), e.g. for a "
                 "SLURM job array: --shard $SLURM_ARRAY_TASK_ID/$SLURM_ARRAY_TASK_COUNT")
      ->group(sweeps_group);
  app.add_option("--group-size", options.group_size, "Ranks per group scoring one dataset (default: chosen from N, K, P)")
      ->check(whole_number_at_least(1))
      ->group(sweeps_group);
}

// Threads, blocks and memory.
void add_performance_options(CLI::App& app, CommandLine& options, OptionTexts& texts) {
  app.add_option("--threads", options.threads,
                 "BLAS threads per rank (default: SLURM_CPUS_PER_TASK, OPENBLAS_NUM_THREADS or OMP_NUM_THREADS, else "
                 "this node's cores shared among its ranks)")
      ->check(whole_number_at_least(1))
      ->group(performance_group);
  app.add_option("--block-rows", options.score.block_rows,
                 "Rows read per block and rank (default: about 32 MiB of doubles, whole chunks)")
      ->check(whole_number_at_least<std::uint64_t>(1))
      ->group(performance_group);
  app.add_option("--max-memory", texts.max_memory,
                 "Memory each rank may use for one dataset, e.g. 4G or 512M; larger datasets are refused before "
                 "reading (default: 90% of the node's memory, or its cgroup limit, shared by its ranks; 'none': no limit)")
      ->group(performance_group);
}

// --alpha-range first:last, 1-based, first <= last.
void parse_alpha_range(const std::string& text, MetricSelection& metrics) {
  const std::size_t colon = text.find(':');
  try {
    std::size_t used_first = 0, used_last = 0;
    const std::string first = text.substr(0, colon), last = colon == std::string::npos ? "" : text.substr(colon + 1);
    metrics.alpha_first = std::stoull(first, &used_first);
    metrics.alpha_last = std::stoull(last, &used_last);
    if (used_first != first.size() || used_last != last.size() || first[0] == '-' || last[0] == '-' ||
        metrics.alpha_first == 0 || metrics.alpha_first > metrics.alpha_last) {
      throw std::invalid_argument("range");
    }
  } catch (const std::exception&) {
    throw CLI::ValidationError("--alpha-range", "expected first:last with 1 <= first <= last, got '" + text + "'");
  }
}

// Rethrows a parser's std::invalid_argument as a usage error of `option`.
template <typename Parse>
auto as_usage_error(const char* option, Parse parse) {
  try {
    return parse();
  } catch (const std::invalid_argument& error) {
    throw CLI::ValidationError(option, error.what());
  }
}

// The checks CLI11 cannot express, and the texts turned into their types. Throws CLI::ValidationError.
void convert_option_texts(const CLI::App& app, const OptionTexts& texts, CommandLine& options) {
  if (!texts.shard.empty()) options.shard = parse_dataset_shard(texts.shard);
  options.score.method = method_from_name(texts.method);
  options.score.precision = precision_from_name(texts.precision);
  if (texts.max_memory == "none") {
    options.max_memory = 0;
  } else if (!texts.max_memory.empty()) {
    options.max_memory = as_usage_error("--max-memory", [&] { return parse_memory_size(texts.max_memory); });
  }
  if (texts.first_rows > 0) options.score.rows = RowSelection{RowSelection::Kind::first, texts.first_rows, 0};
  if (texts.sampled_rows > 0) {
    options.score.rows = RowSelection{RowSelection::Kind::sample, texts.sampled_rows, options.score.rows.seed};
  }
  options.score.metrics = as_usage_error("--metrics", [&] { return parse_metric_list(texts.metrics); });
  parse_alpha_range(texts.alpha_range, options.score.metrics);
  if (app.count("--metrics") > 0) {
    for (const std::string& name : metric_names()) {
      if (name != "rankme" && options.score.metrics.wants(name)) options.table_metrics.push_back(name);
    }
  }
  if (app.count("--rank-rtol") > 0) options.score.metrics.rank_rtol = texts.rank_rtol;
  if (!options.output.empty()) as_usage_error("--output", [&] { return results_file_format(options.output); });
  options.score.keep_spectrum = !options.spectrum.empty();
  if (options.resume && options.output.empty()) throw CLI::ValidationError("--resume", "needs --output FILE");
  const std::map<std::string, OutputFormat> formats = {
      {"table", OutputFormat::table}, {"jsonl", OutputFormat::jsonl}, {"csv", OutputFormat::csv}};
  const std::map<std::string, ProgressReport::Choice> progress_choices = {
      {"auto", ProgressReport::Choice::automatic}, {"bar", ProgressReport::Choice::bar},
      {"lines", ProgressReport::Choice::lines}, {"none", ProgressReport::Choice::none}};
  options.format = formats.at(texts.format);
  options.progress = texts.quiet ? ProgressReport::Choice::none : progress_choices.at(texts.progress);
  options.score.solver = solver_from_name(texts.solver);
  options.pool = *pool_mode_from_name(texts.pool);
  if (!texts.best_per.empty() || app.count("--best-per") > 0) {
    options.best_per = as_usage_error("--best-per", [&] { return parse_group_keys(texts.best_per); });
  }
  if (texts.concat || texts.concat_by == "all") options.concat = ConcatMode::all;
  if (texts.concat_by == "directory") options.concat = ConcatMode::by_directory;
  if (options.score.lidar) {
    // LiDAR needs every view of every object: a subset of rows, pooled views or stacked inputs would break
    // the objects apart.
    if (options.score.rows.kind != RowSelection::Kind::all) {
      throw CLI::ValidationError("--lidar", "needs every row: it cannot be combined with --rows or --sample");
    }
    if (options.pool != PoolMode::none) {
      throw CLI::ValidationError("--lidar", "reads a 3-D array's views as rows itself: it cannot be combined with --pool");
    }
    if (options.concat != ConcatMode::none) {
      throw CLI::ValidationError("--lidar", "cannot be combined with --concat or --concat-by");
    }
  }
}

}  // namespace

ParsedCommandLine parse_command_line(int argc, const char* const* argv) {
  ParsedCommandLine parsed;
  CLI::App app{"rankme: score embedding matrices by their effective rank (RankMe, Garrido et al., ICML 2023),\n"
               "across MPI ranks: one file, a directory of runs or a glob pattern, in HDF5, .npy, .npz,\n"
               "safetensors or torch files.",
               "rankme"};
  app.formatter(std::make_shared<WrappingHelpFormatter>());
  app.get_formatter()->column_width(32);
  app.footer("Examples:\n"
             "  rankme run.h5                                    every 2-D numeric dataset in run.h5\n"
             "  rankme sweep/ --output results.csv               a directory of runs, also to a CSV\n"
             "  rankme 'runs/*.npy' --sample 10000 --metrics stable_rank   10000 rows of each, two metrics\n"
             "  mpirun -n 8 rankme sweep/ --output results.jsonl --resume     8 ranks, resumable\n"
             "Full reference: docs/cli.md (and 'man rankme' when installed). Exit codes: 0 all scored, 1 a dataset\n"
             "failed, 2 usage error, 3 internal error, 4 stopped (run again with --resume).");
  app.set_version_flag("--version", std::string("rankme ") + version_string);
  OptionTexts texts;
  add_input_options(app, parsed.command_line, texts);
  add_output_options(app, parsed.command_line, texts);
  add_numerics_options(app, parsed.command_line, texts);
  add_sweep_options(app, parsed.command_line, texts);
  add_performance_options(app, parsed.command_line, texts);
  try {
    app.parse(argc, argv);
    convert_option_texts(app, texts, parsed.command_line);
  } catch (const CLI::CallForHelp&) {
    parsed.exit_code = exit_success;
    parsed.message = app.help();
  } catch (const CLI::CallForVersion& version) {
    parsed.exit_code = exit_success;
    parsed.message = std::string(version.what()) + "\n";
  } catch (const CLI::ParseError& error) {
    parsed.exit_code = exit_usage;
    parsed.message = usage_error_message("rankme", app, error);
    parsed.message_is_error = true;
  }
  return parsed;
}

}  // namespace rankme
