// Hyperparameters end to end: params from paths and HDF5 attributes in JSONL and CSV (one frame: the same
// param columns in every line), kept by --output, --resume (whose CSV file gains the new columns) and
// rankme-merge; --best-per for the three common layouts (one file per run, one group per run, params in
// the path beside the epoch) and for explicit keys, from rankme at 1 and 2 ranks and from rankme-merge on
// JSONL and CSV results. Each group's best is checked against the per-dataset results of the same sweep.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <cmath>
#include <filesystem>
#include <limits>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "support/cli_output.hpp"
#include "support/cli_runs.hpp"
#include "support/hdf5_attributes.hpp"
#include "support/hdf5_matrix_writer.hpp"
#include "support/temporary_directory.hpp"

namespace rankme {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using testing::RunResult;

constexpr double run_timeout_seconds = 120;

// An embedding whose spectrum decays with `decay` (a larger decay, a smaller RankMe); NaN in one value when
// `diverged`.
void write_embedding(const std::string& file, const std::string& dataset, double decay, bool diverged = false) {
  constexpr std::uint64_t rows = 24, cols = 6;
  std::vector<double> values(rows * cols);
  for (std::uint64_t row = 0; row < rows; ++row) {
    for (std::uint64_t col = 0; col < cols; ++col) {
      values[row * cols + col] =
          (static_cast<double>((row * 7 + col * 5) % 13) - 6) * std::exp(-decay * static_cast<double>(col));
    }
  }
  if (diverged) values[5] = std::numeric_limits<double>::quiet_NaN();
  testing::write_matrix(file, dataset, values, rows, cols, {testing::StoredType::Kind::floating, 8});
}

// The sweep, in four directories, one per layout:
//   a/run_a.h5, a/run_b.h5        one file per run: /epoch_10/z ... with the lr as a root attribute
//   b/sweep.h5                    one group per run: /run_a/epoch_1 ..., an attribute opt on each run's group;
//                                 /run_b/epoch_2 diverged, /run_c has only a diverged checkpoint
//   c/lr=0.1_wd=0/epoch_1.h5 ...  params in the directory, the epoch in the file name; one file's lr
//                                 attribute overrides its path
//   d/lr=0.3_wd=0_epoch_1.h5 ...  params and epoch in one file name
class CliParams : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    root_ = new testing::TemporaryDirectory("rankme-cli-params-");
    const auto file = [](const std::string& name) { return root_->file(name); };
    fs::create_directories(root_->path() / "a");
    fs::create_directories(root_->path() / "b");
    fs::create_directories(root_->path() / "c" / "lr=0.1_wd=0");
    fs::create_directories(root_->path() / "c" / "lr=0.01_wd=0");
    fs::create_directories(root_->path() / "d");
    const double a_decays[] = {0.9, 0.2, 0.5}, b_decays[] = {0.1, 0.6, 0.3};
    for (int i = 0; i < 3; ++i) {
      write_embedding(file("a/run_a.h5"), "/epoch_" + std::to_string(10 * (i + 1)) + "/z", a_decays[i]);
      write_embedding(file("a/run_b.h5"), "/epoch_" + std::to_string(10 * (i + 1)) + "/z", b_decays[i]);
    }
    testing::write_number_attribute(file("a/run_a.h5"), "/", "lr", 0.1);
    testing::write_number_attribute(file("a/run_b.h5"), "/", "lr", 0.01);
    write_embedding(file("b/sweep.h5"), "/run_a/epoch_1", 0.8);
    write_embedding(file("b/sweep.h5"), "/run_a/epoch_2", 0.4);
    write_embedding(file("b/sweep.h5"), "/run_b/epoch_1", 0.05);
    write_embedding(file("b/sweep.h5"), "/run_b/epoch_2", 0.05, true);
    write_embedding(file("b/sweep.h5"), "/run_c/epoch_1", 0.05, true);
    testing::write_text_attribute(file("b/sweep.h5"), "/run_a", "opt", "adamw");
    testing::write_text_attribute(file("b/sweep.h5"), "/run_b", "opt", "sgd");
    write_embedding(file("c/lr=0.1_wd=0/epoch_1.h5"), "/z", 0.7);
    write_embedding(file("c/lr=0.1_wd=0/epoch_2.h5"), "/z", 0.35);
    write_embedding(file("c/lr=0.01_wd=0/epoch_1.h5"), "/z", 0.15);
    write_embedding(file("c/lr=0.01_wd=0/epoch_2.h5"), "/z", 0.25);
    testing::write_number_attribute(file("c/lr=0.01_wd=0/epoch_2.h5"), "/", "lr", 0.02);
    write_embedding(file("d/lr=0.3_wd=0_epoch_1.h5"), "/z", 0.45);
    write_embedding(file("d/lr=0.3_wd=0_epoch_2.h5"), "/z", 0.65);
  }
  static void TearDownTestSuite() {
    delete root_;
    root_ = nullptr;
  }

  // Runs from the sweep's root, so that paths are given relative to it as a user names a sweep.
  static RunResult run_in_root(const std::vector<std::string>& argv) {
    const fs::path previous = fs::current_path();
    fs::current_path(root_->path());
    RunResult result = testing::run_command(argv, run_timeout_seconds);
    fs::current_path(previous);
    if (result.hung) ADD_FAILURE() << "hung: no exit within " << run_timeout_seconds << " s" << result;
    testing::expect_no_crash_hang_or_signal(result);
    return result;
  }
  static RunResult rankme(int ranks, std::vector<std::string> args) {
    args.push_back("--quiet");
    return run_in_root(testing::mpiexec_command(RANKME_MPIEXEC, ranks, RANKME_BINARY, args));
  }
  static RunResult merge(const std::vector<std::string>& args) {
    std::vector<std::string> argv = {RANKME_MERGE};
    argv.insert(argv.end(), args.begin(), args.end());
    return run_in_root(argv);
  }

  static testing::TemporaryDirectory* root_;
};

testing::TemporaryDirectory* CliParams::root_ = nullptr;

const std::vector<std::string> whole_sweep = {"a", "b", "c", "d"};

std::vector<std::string> with(std::vector<std::string> args, const std::vector<std::string>& more) {
  args.insert(args.end(), more.begin(), more.end());
  return args;
}

std::string key_of(const json& row) { return row.at("file").get<std::string>() + ":" + row.at("dataset").get<std::string>(); }

// The run each dataset of the sweep belongs to, as the test knows its layout.
std::string expected_run(const std::string& file, const std::string& dataset) {
  if (file.rfind("a/", 0) == 0) return file + ":/epoch_*/z";
  if (file.rfind("b/", 0) == 0) return file + ":" + dataset.substr(0, dataset.rfind('/')) + "/epoch_*";
  if (file.rfind("c/", 0) == 0) return file.substr(0, file.rfind('/')) + "/epoch_*.h5:/z";
  return "d/lr=0.3_wd=0_epoch_*.h5:/z";
}

// Every line has the header's number of fields; returns the header's names.
std::vector<std::string> expect_one_frame(const std::vector<std::string>& lines) {
  EXPECT_FALSE(lines.empty());
  if (lines.empty()) return {};
  const std::vector<std::string> header = testing::csv_fields(lines[0]);
  for (const std::string& line : lines) EXPECT_EQ(testing::csv_fields(line).size(), header.size()) << line;
  return header;
}

std::vector<std::string> param_columns_of(const std::vector<std::string>& header) {
  std::vector<std::string> columns;
  for (const std::string& name : header) {
    if (name.rfind("param.", 0) == 0) columns.push_back(name);
  }
  return columns;
}

TEST_F(CliParams, JsonlCarriesParamsFromPathsAndAttributes) {
  for (const int ranks : {1, 2}) {
    const RunResult result = rankme(ranks, with(whole_sweep, {"--format", "jsonl"}));
    EXPECT_EQ(result.exit_code, 0) << result;
    std::map<std::string, json> params;
    for (const json& row : testing::parse_jsonl(result)) params[key_of(row)] = row.at("params");
    ASSERT_EQ(params.size(), 17u) << result;
    EXPECT_EQ(params["a/run_a.h5:/epoch_20/z"], (json{{"epoch", 20}, {"lr", 0.1}}));
    EXPECT_EQ(params["b/sweep.h5:/run_b/epoch_1"], (json{{"epoch", 1}, {"opt", "sgd"}}));
    EXPECT_EQ(params["c/lr=0.1_wd=0/epoch_2.h5:/z"], (json{{"epoch", 2}, {"lr", 0.1}, {"wd", 0}}));
    EXPECT_EQ(params["c/lr=0.01_wd=0/epoch_2.h5:/z"], (json{{"epoch", 2}, {"lr", 0.02}, {"wd", 0}}))
        << "the attribute wins over the path";
    EXPECT_EQ(params["d/lr=0.3_wd=0_epoch_1.h5:/z"], (json{{"epoch", 1}, {"lr", 0.3}, {"wd", 0}}));
    EXPECT_TRUE(params["a/run_a.h5:/epoch_20/z"].at("epoch").is_number_integer()) << "100, not 100.0";
  }
}

TEST_F(CliParams, CsvHasTheUnionOfParamColumnsInEveryLine) {
  const RunResult result = rankme(2, with(whole_sweep, {"--format", "csv"}));
  EXPECT_EQ(result.exit_code, 0) << result;
  const std::vector<std::string> lines = testing::lines_of(result.out);
  ASSERT_EQ(lines.size(), 18u) << result;
  const std::vector<std::string> header = expect_one_frame(lines);
  EXPECT_EQ(param_columns_of(header), (std::vector<std::string>{"param.epoch", "param.lr", "param.opt", "param.wd"}));
  std::map<std::string, std::size_t> column;
  for (std::size_t i = 0; i < header.size(); ++i) column[header[i]] = i;
  for (std::size_t i = 1; i < lines.size(); ++i) {
    const std::vector<std::string> fields = testing::csv_fields(lines[i]);
    const std::string where = fields[column["file"]] + ":" + fields[column["dataset"]];
    EXPECT_FALSE(fields[column["param.epoch"]].empty()) << where;
    EXPECT_EQ(fields[column["param.opt"]].empty(), where.rfind("b/sweep.h5:/run_c", 0) == 0 || where[0] != 'b') << where;
    if (where == "a/run_b.h5:/epoch_30/z") {
      EXPECT_EQ(fields[column["param.lr"]], "0.01");
      EXPECT_EQ(fields[column["param.epoch"]], "30");
      EXPECT_EQ(fields[column["param.wd"]], "");
    }
  }
}

TEST_F(CliParams, OutputResumeAndMergeKeepParamsAndOneCsvHeader) {
  testing::TemporaryDirectory scratch("rankme-cli-params-out-");
  const std::string csv = scratch.file("results.csv");
  RunResult first = rankme(2, {"a", "--output", csv});
  EXPECT_EQ(first.exit_code, 0) << first;
  std::vector<std::string> lines = testing::lines_of(testing::read_whole_file(csv));
  EXPECT_EQ(param_columns_of(expect_one_frame(lines)), (std::vector<std::string>{"param.epoch", "param.lr"}));
  // The sweep grows by runs with other params: the file gets one header with the union of columns.
  RunResult resumed = rankme(2, {"a", "c", "--output", csv, "--resume", "--format", "jsonl"});
  EXPECT_EQ(resumed.exit_code, 0) << resumed;
  EXPECT_EQ(testing::parse_jsonl(resumed).size(), 4u) << "only c's datasets are scored again";
  lines = testing::lines_of(testing::read_whole_file(csv));
  ASSERT_EQ(lines.size(), 11u);
  EXPECT_EQ(param_columns_of(expect_one_frame(lines)), (std::vector<std::string>{"param.epoch", "param.lr", "param.wd"}));
  // --best-per after a resume covers what earlier runs settled: a's runs (scored by the first run) too.
  RunResult best = rankme(2, {"a", "c", "--output", csv, "--resume", "--best-per", "run", "--format", "jsonl"});
  EXPECT_EQ(best.exit_code, 0) << best;
  std::map<std::string, std::size_t> results_per_run;
  for (const json& group : testing::parse_jsonl(best)) {
    results_per_run[group.at("group").at("run").get<std::string>()] = group.at("results").get<std::size_t>();
  }
  EXPECT_EQ(results_per_run, (std::map<std::string, std::size_t>{{"a/run_a.h5:/epoch_*/z", 3},
                                                                  {"a/run_b.h5:/epoch_*/z", 3},
                                                                  {"c/lr=0.01_wd=0/epoch_*.h5:/z", 2},
                                                                  {"c/lr=0.1_wd=0/epoch_*.h5:/z", 2}}));
  // Nothing left to score, and the merged results keep every result's params.
  RunResult again = rankme(1, {"a", "c", "--output", csv, "--resume", "--format", "jsonl"});
  EXPECT_EQ(again.exit_code, 0) << again;
  EXPECT_TRUE(testing::parse_jsonl(again).empty());
  const std::string merged = scratch.file("merged.jsonl");
  RunResult merging = merge({csv, "--output", merged});
  EXPECT_EQ(merging.exit_code, 0) << merging;
  std::map<std::string, json> params;
  for (const json& row : testing::parse_jsonl_file(merged).rows) params[key_of(row)] = row.at("params");
  ASSERT_EQ(params.size(), 10u);
  EXPECT_EQ(params["a/run_b.h5:/epoch_10/z"], (json{{"epoch", 10}, {"lr", 0.01}}));
  EXPECT_EQ(params["c/lr=0.1_wd=0/epoch_1.h5:/z"], (json{{"epoch", 1}, {"lr", 0.1}, {"wd", 0}}));
  // And back to CSV on stdout: the union again.
  RunResult as_csv = merge({merged, "--format", "csv"});
  EXPECT_EQ(as_csv.exit_code, 0) << as_csv;
  EXPECT_EQ(param_columns_of(expect_one_frame(testing::lines_of(as_csv.out))),
            (std::vector<std::string>{"param.epoch", "param.lr", "param.wd"}));
}

// The per-dataset results, and --best-per run's rows, of the whole sweep: each group is the test's own idea
// of the run, its best the highest RankMe among its checkpoints, its counts right.
void expect_best_per_run(const std::vector<json>& per_dataset, const std::vector<json>& groups) {
  std::map<std::string, std::vector<json>> runs;
  for (const json& row : per_dataset) {
    runs[expected_run(row.at("file").get<std::string>(), row.at("dataset").get<std::string>())].push_back(row);
  }
  ASSERT_EQ(runs.size(), 8u);
  ASSERT_EQ(groups.size(), runs.size());
  double previous = std::numeric_limits<double>::infinity();
  for (const json& group : groups) {
    const std::string run = group.at("group").at("run").get<std::string>();
    ASSERT_TRUE(runs.count(run)) << run;
    const std::vector<json>& members = runs[run];
    EXPECT_EQ(group.at("results").get<std::size_t>(), members.size()) << run;
    const json* best = nullptr;
    std::size_t scored = 0;
    for (const json& row : members) {
      if (row.at("status") != "ok") continue;
      ++scored;
      if (best == nullptr || row.at("rankme").get<double>() > best->at("rankme").get<double>()) best = &row;
    }
    EXPECT_EQ(group.at("scored").get<std::size_t>(), scored) << run;
    if (best == nullptr) {
      EXPECT_EQ(group.at("status"), "nonfinite") << run;
      EXPECT_TRUE(group.at("rankme").is_null()) << run;
      previous = -1;  // the groups without a score come last
      continue;
    }
    EXPECT_EQ(key_of(group), key_of(*best)) << run;
    EXPECT_EQ(group.at("rankme").get<double>(), best->at("rankme").get<double>()) << run;
    EXPECT_EQ(group.at("epoch"), best->at("params").at("epoch")) << run;
    EXPECT_LE(group.at("rankme").get<double>(), previous) << "best group first";
    previous = group.at("rankme").get<double>();
  }
}

TEST_F(CliParams, BestPerRunNeedsNoConfigurationForTheThreeLayouts) {
  testing::TemporaryDirectory scratch("rankme-cli-params-best-");
  const std::string jsonl = scratch.file("results.jsonl");
  const RunResult all = rankme(1, with(whole_sweep, {"--format", "jsonl", "--output", jsonl}));
  EXPECT_EQ(all.exit_code, 0) << all;
  const std::vector<json> per_dataset = testing::parse_jsonl(all);
  ASSERT_EQ(per_dataset.size(), 17u);
  for (const int ranks : {1, 2}) {
    const RunResult best = rankme(ranks, with(whole_sweep, {"--best-per", "run", "--format", "jsonl"}));
    EXPECT_EQ(best.exit_code, 0) << best;
    expect_best_per_run(per_dataset, testing::parse_jsonl(best));
  }
  // Without scoring again, from the results file, JSONL or CSV.
  const RunResult merged = merge({jsonl, "--best-per", "run", "--format", "jsonl"});
  EXPECT_EQ(merged.exit_code, 0) << merged;
  expect_best_per_run(per_dataset, testing::parse_jsonl(merged));
  const std::string csv = scratch.file("results.csv");
  EXPECT_EQ(merge({jsonl, "--output", csv}).exit_code, 0);
  const RunResult from_csv = merge({csv, "--best-per", "run", "--format", "jsonl"});
  EXPECT_EQ(from_csv.exit_code, 0) << from_csv;
  expect_best_per_run(per_dataset, testing::parse_jsonl(from_csv));
  // The table: a row per run, the diverged run among them.
  const RunResult table = merge({jsonl, "--best-per", "run"});
  EXPECT_EQ(table.exit_code, 0) << table;
  const std::vector<std::string> lines = testing::lines_of(table.out);
  ASSERT_EQ(lines.size(), 9u) << table;
  EXPECT_EQ(lines[0].rfind("run", 0), 0u) << lines[0];
  EXPECT_TRUE(testing::contains(lines[0], "rankme") && testing::contains(lines[0], "epoch")) << lines[0];
  EXPECT_TRUE(testing::contains(lines[8], "b/sweep.h5:/run_c/epoch_*") && testing::contains(lines[8], "nonfinite"))
      << table.out;
}

TEST_F(CliParams, BestPerExplicitKeysAndResultsWithoutThem) {
  const RunResult result = rankme(2, with(whole_sweep, {"--best-per", "lr,wd", "--format", "csv"}));
  EXPECT_EQ(result.exit_code, 0) << result;
  const std::vector<std::string> lines = testing::lines_of(result.out);
  const std::vector<std::string> header = expect_one_frame(lines);
  ASSERT_GE(header.size(), 2u);
  EXPECT_EQ(header[0], "group.lr");
  EXPECT_EQ(header[1], "group.wd");
  std::set<std::pair<std::string, std::string>> groups;
  for (std::size_t i = 1; i < lines.size(); ++i) {
    const std::vector<std::string> fields = testing::csv_fields(lines[i]);
    groups.insert({fields[0], fields[1]});
  }
  // a's two lr (no wd), c's and d's lr with wd, b's results with neither.
  EXPECT_EQ(groups, (std::set<std::pair<std::string, std::string>>{
                        {"0.1", ""}, {"0.01", ""}, {"0.1", "0"}, {"0.01", "0"}, {"0.02", "0"}, {"0.3", "0"}, {"", ""}}));
  EXPECT_TRUE(testing::contains(result.err, "5 of 17 results have no param 'lr'")) << result.err;
  EXPECT_TRUE(testing::contains(result.err, "11 of 17 results have no param 'wd'")) << result.err;
}

TEST_F(CliParams, BestPerNeedsKeys) {
  for (const std::string& keys : {"", "lr,,wd", "lr,lr"}) {
    const RunResult result = rankme(1, {"a", "--best-per", keys});
    EXPECT_EQ(result.exit_code, 2) << result;
    EXPECT_TRUE(testing::contains(result.err, "--best-per")) << result.err;
    const RunResult merging = merge({"whatever.jsonl", "--best-per", keys});
    EXPECT_EQ(merging.exit_code, 2) << merging;
  }
}

}  // namespace
}  // namespace rankme
