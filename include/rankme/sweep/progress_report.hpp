#pragma once
// Progress of a sweep on stderr, from rank 0 only: datasets done/total, rows/s, elapsed, ETA. A live
// bar redrawn in place when stderr is a terminal; a plain line every few seconds when it is not (SLURM
// logs); nothing when quiet. Updating only reads the clock and formats a line: no rank ever waits for it.
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <functional>
#include <string>

namespace rankme {

class ProgressReport {
 public:
  enum class Style { none, live_bar, log_lines };

  // Where the report reads the time: steady_clock, unless a test gives a clock it moves by hand.
  using Clock = std::function<std::chrono::steady_clock::time_point()>;

  // `total_work` in the units of scoring_cost(); Style chosen by for_stream() unless given.
  ProgressReport(Style style, std::size_t total_datasets, double total_work, std::FILE* stream = stderr,
                 std::chrono::milliseconds log_interval = std::chrono::seconds(5),
                 Clock clock = std::chrono::steady_clock::now);

  // --progress: `automatic` is a bar when `stream` is a terminal and log lines otherwise. Under mpirun a
  // rank's stderr is always a pipe to mpirun (even when mpirun's is a terminal), hence `bar` to ask for it.
  enum class Choice { automatic, bar, lines, none };
  static Style style_for(std::FILE* stream, Choice choice);

  // A dataset finished (whatever its status).
  void dataset_done(std::uint64_t rows, double work);
  // Part of a dataset in progress on rank 0's own group: `fraction` of `work` done.
  void partial(double work, double fraction);
  // Prints if due (a live bar at most 5 times a second; a log line every log_interval).
  void tick();
  // The last line (always printed unless Style::none).
  void finish();
  // Erases a live bar from its line, so that a message printed next starts on a clean line (the bar comes
  // back at the next tick); nothing in the other styles.
  void clear_line();

  // The current text, for tests. Its percentage never goes down: the work done, the dataset in flight
  // included, at its highest so far (below 100% until every dataset is done).
  std::string line() const;

 private:
  void print(bool final_line);
  void advance();
  double dataset_fraction() const;

  Style style_;
  std::size_t total_datasets_;
  double total_work_;
  std::FILE* stream_;
  std::chrono::milliseconds log_interval_;
  Clock clock_;
  std::chrono::steady_clock::time_point start_;
  std::chrono::steady_clock::time_point last_print_;
  std::size_t datasets_done_ = 0;
  std::uint64_t rows_done_ = 0;
  double work_done_ = 0;
  double work_in_progress_ = 0;
  double fraction_shown_ = 0;
  bool bar_on_screen_ = false;  // a live bar ends the line on stderr, without a newline
};

}  // namespace rankme
