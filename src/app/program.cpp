#include "rankme/app/program.hpp"

#include <cstdio>
#include <iostream>
#include <optional>
#include <set>

#include "rankme/app/command_line.hpp"
#include "rankme/app/dataset_listing.hpp"
#include "rankme/app/report.hpp"
#include "rankme/app/spectrum_file.hpp"
#include "rankme/io/hdf5_error.hpp"
#include "rankme/os/fault_injection.hpp"
#include "rankme/os/stop_request.hpp"
#include "rankme/parallel/blas_threads.hpp"
#include "rankme/parallel/collective_status.hpp"
#include "rankme/parallel/communicator.hpp"
#include "rankme/parallel/mpi_session.hpp"
#include "rankme/pipeline/dataset_discovery.hpp"
#include "rankme/pipeline/target_order.hpp"
#include "rankme/pipeline/memory_budget.hpp"
#include "rankme/sweep/group_plan.hpp"
#include "rankme/sweep/progress_report.hpp"
#include "rankme/sweep/resume.hpp"
#include "rankme/sweep/sweep_scheduler.hpp"

namespace {

// What rank 0 says about each result as it arrives, beside the report itself.
void explain_on_stderr(const rankme::DatasetResult& result) {
  if (result.status == rankme::ResultStatus::ok && result.rows_used < result.cols) {
    std::cerr << "\nrankme: warning: '" + result.dataset + "' in '" + result.file + "' was scored on " +
                     std::to_string(result.rows_used) + " rows for " + std::to_string(result.cols) +
                     " columns: its RankMe is capped by the number of rows"
              << std::endl;
  }
  if (result.status == rankme::ResultStatus::ok && result.rankme && *result.rankme == 0) {
    // RankMe is 0 only when every value is 0; HDF5 cannot tell written zeros from early-allocated storage
    // that was never written and reads back as a zero fill value.
    std::cerr << "\nrankme: note: '" + result.dataset + "' in '" + result.file +
                     "' is all zeros (RankMe 0): a collapsed run, or storage allocated but never written"
              << std::endl;
  }
  if (result.status == rankme::ResultStatus::error) std::cerr << "\nrankme: error: " + result.error << std::endl;
  if (result.timings) {
    // --timings: the phases on stderr too, for the table's readers (JSON carries them as a "timings" object).
    const rankme::PhaseTimings& t = *result.timings;
    char line[512];
    std::snprintf(line, sizeof line,
                  "open %.3f, read %.3f, convert %.3f, read_wait %.3f, gram %.3f, reduce %.3f, eigensolve %.3f, "
                  "metrics %.3f, total %.3f s (%s, %llu rows per block)",
                  t.open, t.read, t.convert, t.read_wait, t.gram, t.reduce, t.eigensolve, t.metrics, t.total,
                  result.precision.empty() ? "-" : result.precision.c_str(), static_cast<unsigned long long>(t.block_rows));
    std::cerr << "\nrankme: timings: '" + result.dataset + "' in '" + result.file + "': " + line << std::endl;
  }
  if (result.status == rankme::ResultStatus::nonfinite) {
    std::cerr << "\nrankme: warning: '" + result.dataset + "' in '" + result.file +
                     "' holds NaN or infinite values; no RankMe reported"
              << std::endl;
  }
}

int run(const rankme::Communicator& world, const rankme::CommandLine& command_line) {
  rankme::Discovery discovery = rankme::discover_arguments_on_root(world, command_line.inputs);
  if (world.is_root()) {
    for (const std::string& note : discovery.notes) std::cerr << "rankme: note: " << note << '\n';
  }
  // One deterministic order (by file, then dataset) before sharding, so that every task of a job array
  // cuts the same list.
  rankme::sort_targets(discovery.targets);
  rankme::remove_repeated_targets(discovery.targets);
  const std::vector<rankme::DatasetTarget> selected =
      rankme::select_shard(discovery.targets, command_line.shard.index, command_line.shard.count);
  if (command_line.list_only) {
    // Every rank holds the same list, so every rank knows the exit code without talking.
    bool all_listed = true;
    for (const auto& target : selected) all_listed = all_listed && target.scorable();
    if (world.is_root()) rankme::print_listing(selected, command_line.format, std::cout);
    return all_listed ? rankme::exit_success : rankme::exit_dataset_failed;
  }
  // --output, --resume (what earlier runs settled) and --spectrum, opened on rank 0 before any scoring.
  std::optional<rankme::SpectrumFile> spectrum;
  rankme::ResumedRun output =
      rankme::open_results_and_resume(world, selected, command_line.output, command_line.resume, [&] {
        if (!command_line.spectrum.empty()) spectrum.emplace(rankme::SpectrumFile::open(command_line.spectrum));
      });
  const std::vector<rankme::DatasetTarget>& targets = output.to_score;

  const int group_size = rankme::choose_group_size(targets, world.size(), command_line.group_size);
  std::optional<rankme::ProgressReport> progress;
  std::optional<rankme::ResultReport> report;
  if (world.is_root()) {
    double total_work = 0;
    for (const auto& target : targets) total_work += rankme::scoring_cost(target);
    progress.emplace(rankme::ProgressReport::style_for(stderr, command_line.progress), targets.size(), total_work);
    report.emplace(command_line.format, std::cout);
    // The leaderboard covers the whole selection, also what earlier runs settled (stdout JSONL and
    // CSV stream only this run's results).
    if (command_line.format == rankme::OutputFormat::table) {
      for (const auto& result : output.earlier) report->add(result);
    }
  }
  bool output_failed = false;  // rank 0
  std::set<std::uint64_t> rows_scored;  // rank 0: the N of every scored dataset
  for (const auto& result : output.earlier) rows_scored.insert(result.rows_used);
  bool spectrum_failed = false;  // rank 0
  const auto on_result = [&](const rankme::DatasetResult& result) {
    explain_on_stderr(result);
    if (output.file) {
      // On disk before it shows on stdout. A failed append (disk full, file removed) is reported and
      // the sweep goes on: stdout still carries every result.
      try {
        rankme::fault_point_for_dataset(rankme::FaultStage::write, result.dataset);
        output.file->append(result);
      } catch (const std::exception& failure) {
        if (!output_failed) std::cerr << "\nrankme: error: " << failure.what() << std::endl;
        output_failed = true;
      }
    }
    if (spectrum && result.status == rankme::ResultStatus::ok) {
      // Like a failed append: reported once, the sweep goes on, the exit code says results were lost.
      try {
        spectrum->write(result, result.singular_values, command_line.score.eps, command_line.score.center);
      } catch (const std::exception& failure) {
        if (!spectrum_failed) std::cerr << "\nrankme: error: " << failure.what() << std::endl;
        spectrum_failed = true;
      }
    }
    if (result.singular_values.empty()) {
      report->add(result);
    } else {
      rankme::DatasetResult without_spectrum = result;  // the table keeps every row until the end
      without_spectrum.singular_values = {};
      report->add(without_spectrum);
    }
    if (result.status == rankme::ResultStatus::ok) rows_scored.insert(result.rows_used);
  };
  const rankme::SweepOutcome outcome =
      rankme::run_sweep(world, targets, command_line.score, group_size, on_result, progress ? &*progress : nullptr);
  if (world.is_root()) {
    progress->finish();
    report->finish();
    if (rows_scored.size() > 1) {
      // The paper's advice: compare runs at a fixed N (RankMe grows with N until N passes K).
      std::cerr << "rankme: warning: the datasets were scored at " << rows_scored.size()
                << " different numbers of rows (" << *rows_scored.begin() << " to " << *rows_scored.rbegin()
                << "): compare RankMe at a fixed N, e.g. with --rows or --sample" << std::endl;
    }
    if (outcome.interrupted) {
      std::cerr << "rankme: stopped on request before every dataset was scored; run again with --resume" << std::endl;
    }
  }
  const bool results_lost = world.any(output_failed || spectrum_failed);  // known on rank 0 only until now
  if (outcome.interrupted) return rankme::exit_interrupted;
  return outcome.any_error || results_lost ? rankme::exit_dataset_failed : rankme::exit_success;
}

}  // namespace

int rankme::run_program(int argc, char** argv) {
  const rankme::MpiSession mpi(argc, argv);
  return run_program_in_mpi_session(argc, argv);
}

int rankme::run_program_in_mpi_session(int argc, char** argv) {
  const rankme::Communicator world = rankme::Communicator::world();
  const rankme::SilenceHdf5Errors silence;
  rankme::install_stop_request_handlers();

  const rankme::ParsedCommandLine parsed = rankme::parse_command_line(argc, argv);
  if (parsed.exit_code >= 0) {
    if (world.is_root()) (parsed.message_is_error ? std::cerr : std::cout) << parsed.message << std::flush;
    return parsed.exit_code;
  }
  try {
    // Every rank plans (one collective: the ranks on each node) and sets its own BLAS threads.
    const rankme::ThreadPlan threads = rankme::plan_blas_threads(
        world, parsed.command_line.threads > 0 ? std::optional<int>(parsed.command_line.threads) : std::nullopt);
    rankme::apply_blas_threads(threads.threads);
    if (world.is_root()) {
      for (const std::string& warning : threads.warnings) std::cerr << "rankme: warning: " << warning << '\n';
      for (const std::string& note : threads.notes) std::cerr << "rankme: note: " << note << '\n';
      if (parsed.command_line.verbose) std::cerr << rankme::describe_thread_plan(threads) << '\n';
    }
    rankme::CommandLine command_line = parsed.command_line;
    // Collective (ranks per node), so on every rank whatever was given.
    const std::uint64_t default_limit = rankme::default_memory_limit_per_rank(world);
    command_line.score.max_memory = command_line.max_memory.value_or(default_limit);
    return run(world, command_line);
  } catch (const rankme::CollectiveError& error) {
    // Raised on every rank at once: an orderly exit.
    if (world.is_root()) std::cerr << "rankme: error: " << error.what() << std::endl;
    return rankme::exit_dataset_failed;
  } catch (const std::exception& error) {
    // Raised on this rank alone, outside any agreed stage: the other ranks may be waiting in a
    // collective, so only an abort is sure to end them all.
    std::cerr << "rankme: internal error on rank " << world.rank() << ": " << error.what() << std::endl;
    world.abort(rankme::exit_internal);
  }
}
