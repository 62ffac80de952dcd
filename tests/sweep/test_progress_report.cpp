#include "rankme/sweep/progress_report.hpp"

#include <gtest/gtest.h>

#include <cstdio>
#include <string>
#include <thread>

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

TEST(ProgressReport, LineSaysDatasetsPercentRowsElapsedAndEta) {
  CapturedStream stream;
  ProgressReport progress(ProgressReport::Style::none, 4, 100.0, stream.get());
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
  ProgressReport progress(ProgressReport::Style::log_lines, 3, 3.0, stream.get(), std::chrono::milliseconds(50));
  progress.dataset_done(10, 1.0);  // too soon after the start: nothing yet
  EXPECT_EQ(stream.text(), "");
  std::this_thread::sleep_for(std::chrono::milliseconds(60));
  progress.dataset_done(10, 1.0);
  progress.finish();
  const std::string text = stream.text();
  EXPECT_NE(text.find("2/3 datasets"), std::string::npos) << text;
  EXPECT_EQ(text.find('\r'), std::string::npos) << "log lines never redraw in place";
  EXPECT_EQ(std::count(text.begin(), text.end(), '\n'), 2) << text;
}

TEST(ProgressReport, LiveBarRedrawsInPlace) {
  CapturedStream stream;
  ProgressReport progress(ProgressReport::Style::live_bar, 2, 2.0, stream.get());
  progress.dataset_done(10, 1.0);
  progress.dataset_done(10, 1.0);
  progress.finish();
  const std::string text = stream.text();
  EXPECT_EQ(text.front(), '\r');
  EXPECT_NE(text.find("[########################]"), std::string::npos) << text;
  EXPECT_EQ(text.back(), '\n');
}

}  // namespace
}  // namespace rankme
