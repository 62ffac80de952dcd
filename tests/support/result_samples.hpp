// Results and targets as the report and results-file tests need them, and small text-file helpers.
#pragma once

#include <cstdint>
#include <fstream>
#include <limits>
#include <sstream>
#include <string>
#include <vector>

#include "rankme/pipeline/dataset_target.hpp"
#include "rankme/pipeline/dataset_result.hpp"

namespace rankme::testing {

inline DatasetResult scored(const std::string& dataset, double rankme, std::int64_t mtime_ns = 1700000000123456789) {
  DatasetResult result;
  result.file = "runs/sweep.h5";
  result.dataset = dataset;
  result.rows = 4096;
  result.cols = 256;
  result.dtype = "float32";
  result.rankme = rankme;
  result.seconds = 0.25;
  result.ranks = 2;
  result.solver = "lapack";
  result.file_size = 123456;
  result.file_mtime_ns = mtime_ns;
  return result;
}

// One scored result and one failed input as the reports print them (names that need quoting included).
inline DatasetResult report_sample() {
  DatasetResult result;
  result.file = "sweep.h5";
  result.dataset = "/runs/lr=0.1/emb";
  result.rows = 25600;
  result.cols = 2048;
  result.dtype = "float32";
  result.rankme = 123.456789012345678;
  result.seconds = 1.5;
  result.ranks = 4;
  result.solver = "scalapack 2x2/64";
  return result;
}

inline DatasetResult failed_sample() {
  DatasetResult result;
  result.file = "odd, \"name\".h5";
  result.status = ResultStatus::error;
  result.error = "no such file: 'odd, \"name\".h5'";
  return result;
}

// A scored result whose metrics hold a finite value, an infinity and a NaN: what the encoders must carry.
inline DatasetResult scored_with_metrics(const std::string& file, const std::string& dataset, double rankme) {
  DatasetResult result;
  result.file = file;
  result.dataset = dataset;
  result.rows = 1000;
  result.cols = 3;
  result.rankme = rankme;
  result.metrics["stable_rank"] = 1.5;
  result.metrics["condition_number"] = std::numeric_limits<double>::infinity();
  result.metrics["alpha_req"] = std::numeric_limits<double>::quiet_NaN();
  return result;
}

inline DatasetResult with_status(DatasetResult result, ResultStatus status, const std::string& error = "") {
  result.status = status;
  result.rankme.reset();
  result.error = error;
  result.solver.clear();
  return result;
}

inline DatasetTarget target_of(const DatasetResult& result) {
  DatasetTarget target;
  target.file = result.file;
  target.dataset = result.dataset;
  target.rows = result.rows;
  target.cols = result.cols;
  target.dtype = result.dtype;
  target.file_size = result.file_size;
  target.file_mtime_ns = result.file_mtime_ns;
  target.canonical_file = result.canonical_file;
  return target;
}

inline std::string read_text(const std::string& path) {
  std::ifstream stream(path, std::ios::binary);
  std::ostringstream text;
  text << stream.rdbuf();
  return text.str();
}

// Every line, complete or not (a missing last newline is invisible here: check the text for that).
inline std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream stream(text);
  for (std::string line; std::getline(stream, line);) lines.push_back(line);
  return lines;
}

inline void append_text(const std::string& path, const std::string& text) {
  std::ofstream stream(path, std::ios::binary | std::ios::app);
  stream << text;
}

}  // namespace rankme::testing
