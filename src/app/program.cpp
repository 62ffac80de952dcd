#include "rankme/app/program.hpp"

#include <iostream>
#include <optional>

#include "rankme/app/command_line.hpp"
#include "rankme/app/dataset_listing.hpp"
#include "rankme/app/result_sink.hpp"
#include "rankme/app/skip_notes.hpp"
#include "rankme/app/spectrum_file.hpp"
#include "rankme/io/hdf5_error.hpp"
#include "rankme/os/stop_request.hpp"
#include "rankme/parallel/blas_threads.hpp"
#include "rankme/parallel/collective_status.hpp"
#include "rankme/parallel/communicator.hpp"
#include "rankme/parallel/mpi_session.hpp"
#include "rankme/pipeline/dataset_discovery.hpp"
#include "rankme/pipeline/memory_budget.hpp"
#include "rankme/pipeline/target_concatenation.hpp"
#include "rankme/pipeline/target_order.hpp"
#include "rankme/pipeline/target_lidar.hpp"
#include "rankme/pipeline/target_pooling.hpp"
#include "rankme/sweep/group_plan.hpp"
#include "rankme/sweep/resume.hpp"
#include "rankme/sweep/sweep_scheduler.hpp"

namespace {

// The sweep's datasets: discovered on rank 0 and broadcast, notes said, in the one deterministic order (by
// file, then dataset) that every task of a job array cuts its --shard from.
std::vector<rankme::DatasetTarget> select_targets(const rankme::Communicator& world,
                                                  const rankme::CommandLine& command_line) {
  rankme::Discovery discovery = rankme::discover_arguments_on_root(world, command_line.inputs);
  // Every rank the same, from the same broadcast discovery: arrays pooled, then shards stacked (in the
  // inputs' order, before sorting).
  if (command_line.score.lidar) rankme::lidar_targets(discovery, command_line.groups);  // before --pool
  rankme::pool_targets(discovery, command_line.pool);
  rankme::concatenate_targets(discovery, command_line.concat);
  if (world.is_root()) {
    for (const std::string& note : rankme::summarise_skip_notes(discovery.notes, command_line.verbose)) {
      std::cerr << "rankme: note: " << note << '\n';
    }
  }
  rankme::sort_targets(discovery.targets);
  rankme::remove_repeated_targets(discovery.targets);
  return rankme::select_shard(discovery.targets, command_line.shard.index, command_line.shard.count);
}

int list_targets(const rankme::Communicator& world, const rankme::CommandLine& command_line,
                 const std::vector<rankme::DatasetTarget>& selected) {
  // Every rank holds the same list, so every rank knows the exit code without talking.
  bool all_listed = true;
  for (const auto& target : selected) all_listed = all_listed && target.scorable();
  if (world.is_root()) rankme::print_listing(selected, command_line.format, std::cout);
  return all_listed ? rankme::exit_success : rankme::exit_dataset_failed;
}

int run(const rankme::Communicator& world, const rankme::CommandLine& command_line,
        const rankme::BlasKernelReport& blas) {
  const std::vector<rankme::DatasetTarget> selected = select_targets(world, command_line);
  if (command_line.list_only) return list_targets(world, command_line, selected);
  // --output, --resume (what earlier runs settled) and --spectrum, opened on rank 0 before any scoring.
  std::optional<rankme::SpectrumFile> spectrum;
  rankme::ResumedRun output =
      rankme::open_results_and_resume(world, selected, command_line.output, command_line.resume, [&] {
        if (!command_line.spectrum.empty()) spectrum.emplace(rankme::SpectrumFile::open(command_line.spectrum));
      });
  const std::vector<rankme::DatasetTarget>& targets = output.to_score;
  std::optional<rankme::ResultSink> sink;  // rank 0
  if (world.is_root()) sink.emplace(command_line, targets, output.earlier, output.file, spectrum);
  const int group_size = rankme::choose_group_size(targets, world.size(), command_line.group_size);
  const rankme::SweepOutcome outcome =
      rankme::run_sweep(world, targets, command_line.score, group_size,
                        [&](const rankme::DatasetResult& result) {
                          // Rank 0's kernel on every result line (announce_blas_kernel warned if a rank differs).
                          rankme::DatasetResult with_blas = result;
                          with_blas.blas = blas;
                          sink->add(with_blas);
                        },
                        sink ? &sink->progress() : nullptr);
  if (sink) sink->finish(outcome.interrupted);
  const bool results_lost = world.any(sink && sink->lost_results());  // known on rank 0 only until now
  if (outcome.interrupted) return rankme::exit_interrupted;
  return outcome.any_error || results_lost ? rankme::exit_dataset_failed : rankme::exit_success;
}

}  // namespace

int rankme::run_program(int argc, char** argv) {
  const rankme::GuardedKernel blas = rankme::guard_blas_kernel(argv);
  const rankme::MpiSession mpi(argc, argv);
  return run_program_in_mpi_session(argc, argv, blas);
}

int rankme::run_program_in_mpi_session(int argc, char** argv) {
  return run_program_in_mpi_session(argc, argv, rankme::observe_blas_kernel());
}

int rankme::run_program_in_mpi_session(int argc, char** argv, const rankme::GuardedKernel& blas) {
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
    rankme::announce_blas_kernel(world, blas, parsed.command_line.verbose, std::cerr);  // collective
    rankme::CommandLine command_line = parsed.command_line;
    // Collective (ranks per node), so on every rank whatever was given.
    const std::uint64_t default_limit = rankme::default_memory_limit_per_rank(world);
    command_line.score.max_memory = command_line.max_memory.value_or(default_limit);
    return run(world, command_line, blas.report);
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
