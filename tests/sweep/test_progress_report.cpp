#include "rankme/sweep/progress_report.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cctype>
#include <string>
#include <vector>

namespace rankme {
namespace {

// What a ProgressReport printed into a temporary FILE.
class CapturedStream {
 public:
  CapturedStream() : file_(std::tmpfile()) {}
  ~CapturedStream() { std::fclose(file_); }
  std::FILE* get() { return file_; }
  std::string text() {
    std::fflush(file_);
    std::rewind(file_);
    std::string all;
    for (int c; (c = std::fgetc(file_)) != EOF;) all += static_cast<char>(c);
    return all;
  }

 private:
  std::FILE* file_;
};

// A clock that moves only when the test says so: what is printed when depends on nothing else.
class FakeClock {
 public:
  void advance(std::chrono::milliseconds by) { now_ += by; }
  ProgressReport::Clock clock() {
    return [this] { return now_; };
  }

 private:
  std::chrono::steady_clock::time_point now_{std::chrono::hours(1)};
};

TEST(ProgressReport, LineSaysDatasetsPercentRowsElapsedAndEta) {
  CapturedStream stream;
  FakeClock clock;
  ProgressReport progress(ProgressReport::Style::none, 4, 100.0, stream.get(), std::chrono::seconds(5), clock.clock());
  progress.dataset_done(1000, 25.0);
  const std::string line = progress.line();
  EXPECT_NE(line.find("1/4 datasets"), std::string::npos) << line;
  EXPECT_NE(line.find("25.0%"), std::string::npos) << line;
  EXPECT_NE(line.find("rows/s"), std::string::npos) << line;
  EXPECT_NE(line.find("elapsed 00:00"), std::string::npos) << line;
  EXPECT_NE(line.find("ETA"), std::string::npos) << line;
  progress.partial(50.0, 0.5);  // half of a dataset worth 50 on rank 0's group
  EXPECT_NE(progress.line().find("50.0%"), std::string::npos) << progress.line();
}

TEST(ProgressReport, ElapsedRateAndEtaFollowTheClock) {
  CapturedStream stream;
  FakeClock clock;
  ProgressReport progress(ProgressReport::Style::none, 4, 100.0, stream.get(), std::chrono::seconds(5), clock.clock());
  clock.advance(std::chrono::seconds(90));
  progress.dataset_done(900, 25.0);
  // A quarter of the work in 90 s: 270 s to go at that pace; 900 rows in 90 s.
  const std::string line = progress.line();
  EXPECT_NE(line.find("10 rows/s"), std::string::npos) << line;
  EXPECT_NE(line.find("elapsed 01:30"), std::string::npos) << line;
  EXPECT_NE(line.find("ETA 04:30"), std::string::npos) << line;
  clock.advance(std::chrono::seconds(3600));  // past an hour the clock text gains hours
  EXPECT_NE(progress.line().find("elapsed 1:01:30"), std::string::npos) << progress.line();
}

TEST(ProgressReport, QuietPrintsNothingAtAll) {
  CapturedStream stream;
  ProgressReport progress(ProgressReport::Style::none, 2, 2.0, stream.get());
  progress.dataset_done(10, 1.0);
  progress.finish();
  EXPECT_EQ(stream.text(), "");
  using Choice = ProgressReport::Choice;
  EXPECT_EQ(ProgressReport::style_for(stream.get(), Choice::none), ProgressReport::Style::none);
  EXPECT_EQ(ProgressReport::style_for(stream.get(), Choice::automatic), ProgressReport::Style::log_lines);  // no tty
  EXPECT_EQ(ProgressReport::style_for(stream.get(), Choice::bar), ProgressReport::Style::live_bar);
  EXPECT_EQ(ProgressReport::style_for(stream.get(), Choice::lines), ProgressReport::Style::log_lines);
}

TEST(ProgressReport, LogLinesComeAtTheIntervalAndAtTheEnd) {
  CapturedStream stream;
  FakeClock clock;
  ProgressReport progress(ProgressReport::Style::log_lines, 3, 3.0, stream.get(), std::chrono::milliseconds(50),
                          clock.clock());
  progress.dataset_done(10, 1.0);  // too soon after the start: nothing yet
  EXPECT_EQ(stream.text(), "");
  clock.advance(std::chrono::milliseconds(49));
  progress.tick();  // still inside the interval
  EXPECT_EQ(stream.text(), "");
  clock.advance(std::chrono::milliseconds(11));
  progress.dataset_done(10, 1.0);
  progress.finish();
  const std::string text = stream.text();
  EXPECT_NE(text.find("2/3 datasets"), std::string::npos) << text;
  EXPECT_EQ(text.find('\r'), std::string::npos) << "log lines never redraw in place";
  EXPECT_EQ(std::count(text.begin(), text.end(), '\n'), 2) << text;
}

TEST(ProgressReport, LiveBarRedrawsInPlace) {
  CapturedStream stream;
  FakeClock clock;
  ProgressReport progress(ProgressReport::Style::live_bar, 2, 2.0, stream.get(), std::chrono::seconds(5), clock.clock());
  progress.dataset_done(10, 1.0);
  EXPECT_EQ(stream.text(), "") << "a bar is redrawn at most 5 times a second";
  clock.advance(std::chrono::milliseconds(200));
  progress.dataset_done(10, 1.0);
  EXPECT_NE(stream.text().find("2/2 datasets"), std::string::npos) << "redrawn once 200 ms have passed";
  progress.finish();
  const std::string text = stream.text();
  EXPECT_EQ(text.front(), '\r');
  EXPECT_EQ(std::count(text.begin(), text.end(), '\r'), 2) << "one redraw at 200 ms, one at the end" << text;
  EXPECT_NE(text.find("[########################]"), std::string::npos) << text;
  EXPECT_EQ(text.back(), '\n');
}

// The percentage of every line, in order.
std::vector<double> percentages(const std::string& text) {
  std::vector<double> found;
  for (std::size_t at = text.find('%'); at != std::string::npos; at = text.find('%', at + 1)) {
    std::size_t begin = at;
    while (begin > 0 && (std::isdigit(static_cast<unsigned char>(text[begin - 1])) != 0 || text[begin - 1] == '.')) --begin;
    found.push_back(std::stod(text.substr(begin, at - begin)));
  }
  return found;
}

TEST(ProgressReport, PercentNeverGoesBack) {
  CapturedStream stream;
  FakeClock clock;
  ProgressReport progress(ProgressReport::Style::log_lines, 3, 100.0, stream.get(), std::chrono::milliseconds(1),
                          clock.clock());
  auto step = [&](auto&& update) {
    clock.advance(std::chrono::milliseconds(2));
    update();
  };
  step([&] { progress.dataset_done(10, 10.0); });  // 10%
  step([&] { progress.partial(60.0, 0.5); });      // 40%: half of the dataset in flight
  step([&] { progress.partial(60.0, 0.1); });      // the same dataset scored again (TSQR after Gram): 16%
  step([&] { progress.dataset_done(0, 0.0); });    // and it failed: counts nothing, 10%
  step([&] { progress.partial(30.0, 0.5); });
  step([&] { progress.dataset_done(10, 30.0); });
  progress.finish();
  const std::vector<double> shown = percentages(stream.text());
  ASSERT_EQ(shown.size(), 7u) << stream.text();
  for (std::size_t i = 1; i < shown.size(); ++i) {
    EXPECT_GE(shown[i], shown[i - 1]) << "line " << i << " of\n" << stream.text();
  }
  EXPECT_DOUBLE_EQ(shown[1], 40.0);
  EXPECT_DOUBLE_EQ(shown[3], 40.0) << "held at its highest when the estimate falls";
  EXPECT_DOUBLE_EQ(shown.back(), 100.0);
}

TEST(ProgressReport, NoHundredPercentBeforeTheLastDataset) {
  CapturedStream stream;
  ProgressReport progress(ProgressReport::Style::none, 2, 10.0, stream.get());
  progress.dataset_done(10, 10.0);  // the cost estimate of the first is the whole total
  EXPECT_NE(progress.line().find("99.9%"), std::string::npos) << progress.line();
  progress.dataset_done(10, 0.0);
  EXPECT_NE(progress.line().find("100.0%"), std::string::npos) << progress.line();
}

TEST(ProgressReport, ClearLineErasesALiveBarOnly) {
  CapturedStream stream;
  FakeClock clock;
  ProgressReport progress(ProgressReport::Style::live_bar, 2, 2.0, stream.get(), std::chrono::seconds(5), clock.clock());
  progress.clear_line();
  EXPECT_EQ(stream.text(), "") << "no bar drawn yet: nothing to erase";
  clock.advance(std::chrono::milliseconds(200));
  progress.dataset_done(10, 1.0);
  progress.clear_line();
  const std::string text = stream.text();
  const std::string erase = "\r\033[K";
  ASSERT_GE(text.size(), erase.size());
  EXPECT_EQ(text.substr(text.size() - erase.size()), erase) << "the message after it starts on a clean line";
  progress.clear_line();
  EXPECT_EQ(stream.text(), text) << "erased once";
  progress.finish();
  progress.clear_line();
  EXPECT_EQ(stream.text().back(), '\n') << "the final line stays";

  CapturedStream lines_stream;
  ProgressReport lines(ProgressReport::Style::log_lines, 1, 1.0, lines_stream.get(), std::chrono::milliseconds(0));
  lines.dataset_done(1, 1.0);
  const std::string before = lines_stream.text();
  lines.clear_line();
  EXPECT_EQ(lines_stream.text(), before) << "log lines end with a newline already";
}

}  // namespace
}  // namespace rankme
