#include "rankme/sweep/sweep_scheduler.hpp"

#include <nlohmann/json.hpp>

#include <chrono>
#include <cstdint>
#include <deque>
#include <optional>
#include <thread>

#include "rankme/os/stop_request.hpp"
#include "rankme/sweep/dataset_result_json.hpp"
#include "rankme/sweep/group_plan.hpp"

namespace rankme {

namespace {

constexpr int tag_request = 7101;     // group leader -> rank 0: the previous result (CBOR) or nothing, length first
constexpr int tag_assignment = 7102;  // rank 0 -> group leader: index of the next target, or -1: stop
constexpr std::int64_t no_more_work = -1;

// Results travel as CBOR: exact doubles, and HDF5 names that need not be UTF-8.
std::vector<std::uint8_t> encode(const DatasetResult& result) { return nlohmann::json::to_cbor(result_to_json(result)); }

DatasetResult decode(const std::vector<std::uint8_t>& bytes) { return result_from_json(nlohmann::json::from_cbor(bytes)); }

// World rank 0's side: the queue of datasets, the results coming back, the progress line.
class Dispatcher {
 public:
  Dispatcher(const std::vector<DatasetTarget>& targets, int other_leaders,
             const std::function<void(const DatasetResult&)>& on_result, ProgressReport* progress)
      : targets_(targets), other_leaders_(other_leaders), on_result_(on_result), progress_(progress) {
    for (std::size_t index : handout_order(targets)) queue_.push_back(index);
  }

  std::int64_t next() {
    if (stop_requested()) stopping_ = true;
    if (stopping_ || queue_.empty()) return no_more_work;
    const std::size_t index = queue_.front();
    queue_.pop_front();
    return static_cast<std::int64_t>(index);
  }

  void accept(const DatasetResult& result) {
    if (result.status == ResultStatus::interrupted) {
      stopping_ = abandoned_ = true;  // a group was told to stop: hand out nothing more
      return;
    }
    any_error_ = any_error_ || result.status == ResultStatus::error;
    on_result_(result);
    if (progress_ != nullptr) {
      const bool read = result.status != ResultStatus::error;
      progress_->dataset_done(read ? result.rows : 0, read ? cost_of(result) : 0);
    }
  }

  // Answers every request already waiting; never blocks.
  void serve_waiting(const Communicator& world) {
    while (const std::optional<int> leader = world.waiting_sender(tag_request)) serve(world, *leader);
    if (progress_ != nullptr) progress_->tick();
  }

  // Serves until every other group leader has been told there is no more work.
  void serve_until_leaders_done(const Communicator& world) {
    while (other_leaders_ > 0) {
      serve_waiting(world);
      // Polling rather than a blocking probe keeps the progress line and the stop flag alive.
      if (other_leaders_ > 0) std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
  }

  bool any_error() const { return any_error_; }
  // Stopped with work left: datasets never handed out, or one abandoned half-way.
  bool interrupted() const { return stopping_ && (!queue_.empty() || abandoned_); }
  double cost_of_target(std::size_t index) const { return scoring_cost(targets_[index]); }

 private:
  void serve(const Communicator& world, int leader) {
    const std::vector<std::uint8_t> message = world.receive_message(leader, tag_request);
    if (!message.empty()) accept(decode(message));
    const std::int64_t assignment = next();
    world.send(&assignment, 1, leader, tag_assignment);
    if (assignment == no_more_work) --other_leaders_;
  }

  static double cost_of(const DatasetResult& result) {
    DatasetTarget target;
    target.rows = result.rows;
    target.cols = result.cols;
    return scoring_cost(target);
  }

  const std::vector<DatasetTarget>& targets_;
  std::deque<std::size_t> queue_;
  int other_leaders_;
  const std::function<void(const DatasetResult&)>& on_result_;
  ProgressReport* progress_;
  bool stopping_ = false;
  bool abandoned_ = false;
  bool any_error_ = false;
};

// Every rank of a group learns its leader's assignment.
std::int64_t share_assignment(const Communicator& group, std::int64_t assignment) {
  group.broadcast(assignment, 0);
  return assignment;
}

// The loop of every group but the one holding world rank 0.
void run_remote_group(const Communicator& world, const Communicator& group, const std::vector<DatasetTarget>& targets,
                      const ScoreOptions& options) {
  std::vector<std::uint8_t> previous;  // the last result, sent with the next request
  for (;;) {
    std::int64_t assignment = no_more_work;
    if (group.is_root()) {
      world.send_message(previous, 0, tag_request);
      world.receive(&assignment, 1, 0, tag_assignment);
    }
    assignment = share_assignment(group, assignment);
    if (assignment == no_more_work) return;
    const DatasetResult result = score_dataset(group, targets[static_cast<std::size_t>(assignment)], options);
    if (group.is_root()) previous = encode(result);
  }
}

// The loop of the group holding world rank 0, which also dispatches (dispatcher non-null on rank 0 only).
void run_home_group(const Communicator& world, const Communicator& group, const std::vector<DatasetTarget>& targets,
                    const ScoreOptions& options, Dispatcher* dispatcher, ProgressReport* progress) {
  for (;;) {
    std::int64_t assignment = dispatcher != nullptr ? dispatcher->next() : no_more_work;
    assignment = share_assignment(group, assignment);
    if (assignment == no_more_work) return;
    ScoreOptions serving = options;
    if (dispatcher != nullptr) {
      const double work = dispatcher->cost_of_target(static_cast<std::size_t>(assignment));
      serving.after_block = [&, work](std::uint64_t done, std::uint64_t total) {
        dispatcher->serve_waiting(world);
        if (progress != nullptr) progress->partial(work, static_cast<double>(done) / static_cast<double>(total));
      };
    }
    const DatasetResult result = score_dataset(group, targets[static_cast<std::size_t>(assignment)], serving);
    if (dispatcher != nullptr) {
      dispatcher->accept(result);
      dispatcher->serve_waiting(world);
    }
  }
}

}  // namespace

SweepOutcome run_sweep(const Communicator& world, const std::vector<DatasetTarget>& targets,
                       const ScoreOptions& options, int group_size,
                       const std::function<void(const DatasetResult&)>& on_result, ProgressReport* progress) {
  SweepOutcome outcome;
  outcome.group_size = std::max(1, std::min(group_size, world.size()));
  const int groups = (world.size() + outcome.group_size - 1) / outcome.group_size;
  const Communicator group = world.split(world.rank() / outcome.group_size, world.rank());
  const bool home = world.rank() < outcome.group_size;  // the group of world rank 0

  std::optional<Dispatcher> dispatcher;
  if (world.is_root()) {
    dispatcher.emplace(targets, groups - 1, on_result, progress);
    // Targets that failed before any reading are results already.
    for (const DatasetTarget& target : targets) {
      if (!target.scorable()) dispatcher->accept(score_dataset(group, target, options));
    }
  }
  if (home) {
    run_home_group(world, group, targets, options, dispatcher ? &*dispatcher : nullptr, progress);
  } else {
    run_remote_group(world, group, targets, options);
  }
  int flags[2] = {0, 0};
  if (world.is_root()) {
    dispatcher->serve_until_leaders_done(world);
    flags[0] = dispatcher->any_error() ? 1 : 0;
    flags[1] = dispatcher->interrupted() ? 1 : 0;
  }
  world.broadcast(flags, 2, 0);
  outcome.any_error = flags[0] != 0;
  outcome.interrupted = flags[1] != 0;
  return outcome;
}

}  // namespace rankme
