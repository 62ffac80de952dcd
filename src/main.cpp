// rankme: every rank parses the command line, rank 0 discovers the datasets, all ranks score them one
// after the other, rank 0 reports. Every rank returns the same exit code.
#include <iostream>

#include "rankme/collective_status.hpp"
#include "rankme/command_line.hpp"
#include "rankme/communicator.hpp"
#include "rankme/dataset_discovery.hpp"
#include "rankme/dataset_score.hpp"
#include "rankme/hdf5_error.hpp"
#include "rankme/mpi_session.hpp"
#include "rankme/report.hpp"

namespace {

int run(const rankme::Communicator& world, const rankme::CommandLine& command_line) {
  std::vector<rankme::InputSpec> inputs;
  for (const std::string& argument : command_line.inputs) inputs.push_back(rankme::parse_input_spec(argument));
  const rankme::Discovery discovery = rankme::discover_targets_on_root(world, inputs);
  if (world.is_root()) {
    for (const std::string& note : discovery.notes) std::cerr << "rankme: note: " << note << '\n';
  }
  rankme::ResultReport report(command_line.format, std::cout);
  bool any_failed = false;
  for (const rankme::DatasetTarget& target : discovery.targets) {
    const rankme::DatasetResult result = rankme::score_dataset(world, target, command_line.score);
    any_failed = any_failed || result.status == rankme::ResultStatus::error;
    if (world.is_root()) {
      if (result.status == rankme::ResultStatus::error) std::cerr << "rankme: error: " << result.error << std::endl;
      if (result.status == rankme::ResultStatus::nonfinite) {
        std::cerr << "rankme: warning: '" << result.dataset << "' in '" << result.file
                  << "' holds NaN or infinite values; no RankMe reported" << std::endl;
      }
      report.add(result);
    }
  }
  if (world.is_root()) report.finish();
  return any_failed ? rankme::exit_dataset_failed : rankme::exit_success;
}

}  // namespace

int main(int argc, char** argv) {
  rankme::MpiSession mpi(argc, argv);
  const rankme::Communicator world = rankme::Communicator::world();
  const rankme::SilenceHdf5Errors silence;

  const rankme::ParsedCommandLine parsed = rankme::parse_command_line(argc, argv);
  if (parsed.exit_code >= 0) {
    if (world.is_root()) (parsed.message_is_error ? std::cerr : std::cout) << parsed.message << std::flush;
    return parsed.exit_code;
  }
  try {
    return run(world, parsed.command_line);
  } catch (const rankme::CollectiveError& error) {
    // Raised on every rank at once: an orderly exit.
    if (world.is_root()) std::cerr << "rankme: error: " << error.what() << std::endl;
    return rankme::exit_dataset_failed;
  } catch (const std::exception& error) {
    // Raised on this rank alone, outside any agreed stage: the other ranks may be waiting in a
    // collective, so only an abort is sure to end them all.
    std::cerr << "rankme: internal error on rank " << world.rank() << ": " << error.what() << std::endl;
    MPI_Abort(MPI_COMM_WORLD, rankme::exit_internal);
    return rankme::exit_internal;
  }
}
