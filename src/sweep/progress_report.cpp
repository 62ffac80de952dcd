#include "rankme/sweep/progress_report.hpp"

#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <utility>

namespace rankme {

namespace {
std::string clock_text(double seconds) {
  if (!std::isfinite(seconds) || seconds < 0) return "--:--";
  const auto total = static_cast<long long>(seconds + 0.5);
  char buffer[32];
  if (total >= 3600) {
    std::snprintf(buffer, sizeof buffer, "%lld:%02lld:%02lld", total / 3600, total / 60 % 60, total % 60);
  } else {
    std::snprintf(buffer, sizeof buffer, "%02lld:%02lld", total / 60, total % 60);
  }
  return buffer;
}
}  // namespace

ProgressReport::ProgressReport(Style style, std::size_t total_datasets, double total_work, std::FILE* stream,
                               std::chrono::milliseconds log_interval, Clock clock)
    : style_(style),
      total_datasets_(total_datasets),
      total_work_(total_work),
      stream_(stream),
      log_interval_(log_interval),
      clock_(std::move(clock)),
      start_(clock_()),
      last_print_(start_) {
  advance();
}

ProgressReport::Style ProgressReport::style_for(std::FILE* stream, Choice choice) {
  switch (choice) {
    case Choice::bar: return Style::live_bar;
    case Choice::lines: return Style::log_lines;
    case Choice::none: return Style::none;
    case Choice::automatic: break;
  }
  return isatty(fileno(stream)) ? Style::live_bar : Style::log_lines;
}

double ProgressReport::dataset_fraction() const {
  return total_datasets_ > 0 ? static_cast<double>(datasets_done_) / static_cast<double>(total_datasets_) : 1.0;
}

void ProgressReport::dataset_done(std::uint64_t rows, double work) {
  ++datasets_done_;
  rows_done_ += rows;
  work_done_ += work;
  work_in_progress_ = 0;
  advance();
  tick();
}

void ProgressReport::partial(double work, double fraction) {
  work_in_progress_ = work * std::clamp(fraction, 0.0, 1.0);
  advance();
  tick();
}

void ProgressReport::advance() {
  // The estimate can fall: a dataset in flight starts again (--method auto's TSQR pass, --precision auto's
  // double pass), or finishes as an error or with fewer rows than planned and counts less than its partial
  // work did. What is shown holds at its highest instead: a percentage that goes back reads as a bug.
  const double estimate = datasets_done_ >= total_datasets_ ? 1.0
                          : total_work_ > 0       ? std::min(1.0, (work_done_ + work_in_progress_) / total_work_)
                                                  : dataset_fraction();
  // Never "100.0%" before the last dataset is in.
  const double ceiling = datasets_done_ < total_datasets_ ? 0.999 : 1.0;
  fraction_shown_ = std::max(fraction_shown_, std::min(estimate, ceiling));
}

void ProgressReport::clear_line() {
  if (!bar_on_screen_) return;
  std::fprintf(stream_, "\r\033[K");
  std::fflush(stream_);
  bar_on_screen_ = false;
}

std::string ProgressReport::line() const {
  const double elapsed = std::chrono::duration<double>(clock_() - start_).count();
  const double done = fraction_shown_;
  // The ETA extrapolates the work done so far (in flops, not datasets: sizes differ a lot in a sweep).
  const double eta = done > 0 ? elapsed * (1 - done) / done : NAN;
  const double rows_per_second = elapsed > 0 ? static_cast<double>(rows_done_) / elapsed : 0;
  char buffer[256];
  std::snprintf(buffer, sizeof buffer, "%zu/%zu datasets %5.1f%% | %.3g rows/s | elapsed %s | ETA %s", datasets_done_,
                total_datasets_, 100 * done, rows_per_second, clock_text(elapsed).c_str(), clock_text(eta).c_str());
  return buffer;
}

void ProgressReport::print(bool final_line) {
  const std::string text = "rankme: " + line();
  if (style_ == Style::live_bar) {
    const int width = 24, filled = static_cast<int>(dataset_fraction() * width);
    std::fprintf(stream_, "\r[%s%s] %s\033[K%s", std::string(static_cast<std::size_t>(filled), '#').c_str(),
                 std::string(static_cast<std::size_t>(width - filled), '.').c_str(), text.c_str(), final_line ? "\n" : "");
    bar_on_screen_ = !final_line;
  } else {
    std::fprintf(stream_, "%s\n", text.c_str());
  }
  std::fflush(stream_);
  last_print_ = clock_();
}

void ProgressReport::tick() {
  if (style_ == Style::none) return;
  const auto now = clock_();
  const auto interval = style_ == Style::live_bar ? std::chrono::milliseconds(200) : log_interval_;
  if (now - last_print_ >= interval) print(false);
}

void ProgressReport::finish() {
  advance();
  if (style_ != Style::none) print(true);
}

}  // namespace rankme
