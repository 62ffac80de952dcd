#include "rankme/sweep/resume.hpp"

#include <filesystem>
#include <iostream>
#include <map>
#include <set>

#include "rankme/parallel/collective_status.hpp"
#include "rankme/sweep/param_columns.hpp"

namespace rankme {

bool settles_dataset(const DatasetResult& result) {
  return result.status == ResultStatus::ok || result.status == ResultStatus::nonfinite;
}

std::vector<DatasetTarget> targets_to_resume(const std::vector<DatasetTarget>& targets,
                                             const ResultsFileContents& previous) {
  std::set<ResultIdentity> done;
  for (const DatasetResult& result : previous.results) {
    if (settles_dataset(result)) done.insert(identity_of(result));
  }
  std::vector<DatasetTarget> remaining;
  for (const DatasetTarget& target : targets) {
    if (!done.count(identity_of(target))) remaining.push_back(target);
  }
  return remaining;
}

std::vector<DatasetResult> final_result_per_dataset(const std::vector<DatasetResult>& results) {
  std::map<ResultIdentity, std::size_t> slot_of;  // identity -> index in `chosen`
  std::vector<DatasetResult> chosen;
  for (const DatasetResult& result : results) {
    const auto [found, is_new] = slot_of.emplace(identity_of(result), chosen.size());
    if (is_new) {
      chosen.push_back(result);
    } else if (settles_dataset(result) || !settles_dataset(chosen[found->second])) {
      chosen[found->second] = result;
    }
  }
  return chosen;
}

ResumeDecision decide_resume(const std::vector<DatasetTarget>& targets, const ResultsFileContents& previous) {
  ResumeDecision decision;
  std::set<ResultIdentity> remaining;
  for (const auto& target : targets_to_resume(targets, previous)) remaining.insert(identity_of(target));
  std::map<ResultIdentity, DatasetResult> settled;
  for (const auto& result : final_result_per_dataset(previous.results)) {
    if (settles_dataset(result)) settled.emplace(identity_of(result), result);
  }
  for (const auto& target : targets) {
    const auto found = settled.find(identity_of(target));
    if (!remaining.count(identity_of(target)) && found != settled.end()) {
      decision.earlier.push_back(found->second);
      // A result keeps the params it was written with; one written before rankme reported params (or read
      // from a CSV file without their columns) takes its dataset's.
      if (decision.earlier.back().params.empty()) decision.earlier.back().params = target.params;
    }
  }
  for (std::size_t i = 0; i < targets.size(); ++i) {
    if (remaining.count(identity_of(targets[i]))) decision.to_score.push_back(i);
  }
  return decision;
}

namespace {

// Rank 0: reads what earlier runs left in `output`, with a note on stderr for what is not a result.
ResumeDecision resume_from(const std::string& output, const std::vector<DatasetTarget>& targets) {
  if (!std::filesystem::exists(output)) {
    // Said, because a results file deleted by mistake means scoring the whole sweep again.
    std::cerr << "rankme: note: resuming: '" << output << "' does not exist (yet): every dataset is scored" << std::endl;
  }
  const ResultsFileContents previous = read_results_file(output);
  if (previous.skipped_lines > 0) {
    std::cerr << "rankme: note: '" << output << "': ignored " << previous.skipped_lines
              << " line(s) without a complete result (" << previous.first_problem << ")" << std::endl;
  }
  return decide_resume(targets, previous);
}

}  // namespace

ResumedRun open_results_and_resume(const Communicator& world, const std::vector<DatasetTarget>& targets,
                                   const std::string& output, bool resume,
                                   const std::function<void()>& open_more_on_root) {
  ResumedRun run;
  std::vector<std::uint64_t> kept;
  std::optional<std::string> error;
  if (world.is_root()) {
    try {
      if (resume) {
        ResumeDecision decision = resume_from(output, targets);
        kept = std::move(decision.to_score);
        run.earlier = std::move(decision.earlier);
      } else {
        for (std::size_t i = 0; i < targets.size(); ++i) kept.push_back(i);
      }
      // The CSV file's param columns: every key this run's datasets may carry (what the file holds is kept).
      if (!output.empty()) run.file.emplace(ResultsFile::open_for_append(output, param_keys_of(targets)));
      open_more_on_root();
    } catch (const std::exception& failure) {
      error = failure.what();
    }
  }
  if (auto agreed = agree_on_failure(world, error)) throw CollectiveError(*agreed);
  world.broadcast(kept, 0);
  for (const std::uint64_t index : kept) run.to_score.push_back(targets[static_cast<std::size_t>(index)]);
  if (world.is_root() && resume) {
    std::cerr << "rankme: note: resuming: " << run.earlier.size() << " dataset(s) already settled in '" << output
              << "', " << run.to_score.size() << " to score" << std::endl;
  }
  return run;
}

}  // namespace rankme
