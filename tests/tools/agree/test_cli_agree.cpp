// rankme-agree end to end: results files written by rankme's own writer (JSONL with params, CSV matched by
// file and dataset), accuracies CSVs, the printed statistics checked against closed forms, --within, the
// diverged run that is never picked, and the errors (exit 1) and usage errors (exit 2).
#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "rankme/sweep/results_file.hpp"
#include "support/child_process.hpp"
#include "support/temporary_directory.hpp"

namespace rankme {
namespace {

testing::RunResult agree(const std::vector<std::string>& args) {
  std::vector<std::string> argv = {RANKME_AGREE};
  argv.insert(argv.end(), args.begin(), args.end());
  return testing::run_command(argv, 60);
}

void write_text(const std::string& path, const std::string& text) { std::ofstream(path) << text; }

std::vector<nlohmann::json> json_lines(const std::string& text) {
  std::vector<nlohmann::json> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    if (!line.empty()) lines.push_back(nlohmann::json::parse(line));
  }
  return lines;
}

const nlohmann::json* entry(const std::vector<nlohmann::json>& lines, const std::string& metric,
                            const std::string& group = "") {
  for (const nlohmann::json& line : lines) {
    if (line.at("metric") == metric && (group.empty() || line.at("group") == group)) return &line;
  }
  return nullptr;
}

DatasetResult run(const std::string& file, double rankme, Params params) {
  DatasetResult result;
  result.file = file;
  result.dataset = "/emb";
  result.rows = 1000;
  result.cols = 64;
  result.dtype = "float32";
  result.rankme = rankme;
  result.params = std::move(params);
  result.solver = "lapack";
  return result;
}

// Six runs whose RankMe orders them as their accuracies, except the top two swapped, and a diverged seventh
// with the best accuracy of all. Closed forms: Spearman 1 - 6 sum d^2 / (n (n^2 - 1)) = 1 - 12/210 with one
// adjacent swap; Kendall (C - D) / 15 = 13/15, its exact p-value 2 P(C <= 1) = 2 (1 + 5) / 6! = 1/60; the
// pick is the run with accuracy 0.70 where 0.75 was best: regret 0.05.
class AgreeSweep : public ::testing::Test {
 protected:
  void SetUp() override {
    const double lrs[] = {1e-4, 1e-3, 1e-2};
    const double rankmes[] = {10, 20, 30, 40, 60, 50};
    for (int i = 0; i < 6; ++i) {
      const std::string method = i % 2 == 0 ? "simclr" : "vicreg";
      DatasetResult result = run("runs/run" + std::to_string(i) + ".h5", rankmes[i],
                                 {{"lr", lrs[i / 2]}, {"wd", i % 2 == 0 ? 0.0 : 0.05}, {"method", method}});
      result.metrics["condition_number"] = 6.0 - i;  // lower is better: picks run 5, the most accurate
      if (i < 2) result.lidar = 3.0 + i;              // two runs only: too few for LiDAR's row
      if (i < 3) result.metrics["effective_rank"] = 1.0 + i;
      results_.push_back(result);
    }
    DatasetResult diverged = run("runs/run6.h5", 0, {{"lr", 1.0}, {"wd", 0.0}, {"method", std::string("simclr")}});
    diverged.rankme.reset();
    diverged.status = ResultStatus::nonfinite;
    results_.push_back(diverged);
    results_jsonl_ = directory_.file("results.jsonl");
    write_results_file(results_jsonl_, results_);
  }

  std::string accuracies(const std::string& text) {
    const std::string path = directory_.file("acc" + std::to_string(++written_) + ".csv");
    write_text(path, text);
    return path;
  }

  // Rows by params, spelled otherwise than the results (1e-4 for 0.0001, quoted, shuffled), plus one that
  // names no run.
  std::string by_params() {
    return accuracies(
        "lr,wd,accuracy\n"
        "0.01,0.05,0.75\n"
        "1e-4,0,0.50\n"
        "\"0.0001\",0.05,0.55\n"
        "0.001,0,0.60\n"
        "1e-3,5e-2,0.65\n"
        "0.01,0,0.70\n"
        "1,0,0.99\n"
        "7,0,0.10\n");
  }

  testing::TemporaryDirectory directory_{"rankme-agree-cli-"};
  std::vector<DatasetResult> results_;
  std::string results_jsonl_;
  int written_ = 0;
};

TEST_F(AgreeSweep, MatchesByParamsAndPrintsTheStatisticsAndTheRegret) {
  const testing::RunResult result = agree({results_jsonl_, by_params(), "--format", "jsonl"});
  ASSERT_EQ(result.exit_code, 0) << result;
  const std::vector<nlohmann::json> lines = json_lines(result.out);
  const nlohmann::json* rankme = entry(lines, "rankme");
  ASSERT_NE(rankme, nullptr) << result.out;
  EXPECT_EQ(rankme->at("n"), 6);
  const double rho = 1 - 12.0 / 210;
  EXPECT_NEAR(rankme->at("spearman_rho").get<double>(), rho, 1e-12);
  // Student t with 4 degrees of freedom: P(|T| >= t) = 1 - sqrt(u) (3 - u) / 2, u = t^2 / (4 + t^2).
  const double t = rho * std::sqrt(4 / ((1 + rho) * (1 - rho)));
  const double u = t * t / (4 + t * t);
  EXPECT_NEAR(rankme->at("spearman_p").get<double>(), 1 - std::sqrt(u) * (3 - u) / 2, 1e-12);
  EXPECT_NEAR(rankme->at("kendall_tau").get<double>(), 13.0 / 15, 1e-12);
  EXPECT_NEAR(rankme->at("kendall_p").get<double>(), 1.0 / 60, 1e-14);
  EXPECT_EQ(rankme->at("kendall_p_method"), "exact");
  EXPECT_EQ(rankme->at("picked_file"), "runs/run4.h5");
  EXPECT_EQ(rankme->at("picked"), "lr=0.01 wd=0");
  EXPECT_EQ(rankme->at("picked_accuracy").get<double>(), 0.70);
  EXPECT_EQ(rankme->at("best_accuracy").get<double>(), 0.75);
  EXPECT_NEAR(rankme->at("regret").get<double>(), 0.05, 1e-15);

  // Lower is better for the condition number: it picks the best run; its order is the accuracies' reversed.
  const nlohmann::json* condition = entry(lines, "condition_number");
  ASSERT_NE(condition, nullptr) << result.out;
  EXPECT_EQ(condition->at("better"), "lower");
  EXPECT_EQ(condition->at("spearman_rho").get<double>(), -1);
  EXPECT_EQ(condition->at("picked_file"), "runs/run5.h5");
  EXPECT_EQ(condition->at("regret").get<double>(), 0);
  // Three runs have an effective rank (a row of its own), two a LiDAR (no row).
  const nlohmann::json* effective = entry(lines, "effective_rank");
  ASSERT_NE(effective, nullptr) << result.out;
  EXPECT_EQ(effective->at("n"), 3);
  EXPECT_EQ(entry(lines, "lidar"), nullptr) << result.out;

  // The diverged run has the best accuracy, yet is neither ranked nor picked; the stray row is reported.
  EXPECT_NE(result.err.find("line 8 (lr=1 wd=0, accuracy 0.99) is a run without a finite RankMe (nonfinite): left out "
                            "of every statistic and never picked"),
            std::string::npos)
      << result.err;
  EXPECT_NE(result.err.find("warning: line 9 (lr=7 wd=0): matches no result"), std::string::npos) << result.err;
  EXPECT_NE(result.err.find("7 of 8 accuracy rows in"), std::string::npos) << result.err;
}

TEST_F(AgreeSweep, TableAndCsvCarryTheSameNumbers) {
  const std::string acc = by_params();
  const testing::RunResult table = agree({results_jsonl_, acc});
  ASSERT_EQ(table.exit_code, 0) << table;
  // The table's rows, cell by cell (the picked run's label holds a space).
  std::istringstream lines(table.out);
  std::string header, rankme;
  std::getline(lines, header);
  std::getline(lines, rankme);
  const auto words = [](const std::string& line) {
    std::istringstream in(line);
    std::vector<std::string> cells;
    for (std::string cell; in >> cell;) cells.push_back(cell);
    return cells;
  };
  EXPECT_EQ(words(header), (std::vector<std::string>{"metric", "better", "n", "spearman", "p", "kendall", "p", "picked",
                                                     "accuracy", "best", "regret"}));
  EXPECT_EQ(words(rankme), (std::vector<std::string>{"rankme", "higher", "6", "+0.943", "0.0048", "+0.867", "0.017",
                                                     "lr=0.01", "wd=0", "0.7", "0.75", "0.05"}));
  const testing::RunResult csv = agree({results_jsonl_, acc, "--format", "csv"});
  ASSERT_EQ(csv.exit_code, 0) << csv;
  EXPECT_EQ(csv.out.rfind("metric,better,n,spearman_rho,spearman_p,kendall_tau,kendall_p,kendall_p_method,picked,", 0), 0u)
      << csv.out;
  EXPECT_NE(csv.out.find("\nrankme,higher,6,0.94285714285714"), std::string::npos) << csv.out;
}

TEST_F(AgreeSweep, WithinComparesRunsOfOneMethod) {
  const testing::RunResult result = agree({results_jsonl_, by_params(), "--within", "method", "--format", "jsonl"});
  ASSERT_EQ(result.exit_code, 0) << result;
  const std::vector<nlohmann::json> lines = json_lines(result.out);
  // simclr: runs 0, 2, 4 (RankMe 10, 30, 60; accuracy 0.50, 0.60, 0.70): perfect agreement, no regret.
  const nlohmann::json* simclr = entry(lines, "rankme", "method=simclr");
  ASSERT_NE(simclr, nullptr) << result.out;
  EXPECT_EQ(simclr->at("n"), 3);
  EXPECT_EQ(simclr->at("spearman_rho").get<double>(), 1);
  EXPECT_EQ(simclr->at("regret").get<double>(), 0);
  // vicreg: runs 1, 3, 5 (RankMe 20, 40, 50; accuracy 0.55, 0.65, 0.75): likewise.
  const nlohmann::json* vicreg = entry(lines, "rankme", "method=vicreg");
  ASSERT_NE(vicreg, nullptr) << result.out;
  EXPECT_EQ(vicreg->at("picked_file"), "runs/run5.h5");
  EXPECT_EQ(vicreg->at("kendall_tau").get<double>(), 1);
  EXPECT_NEAR(vicreg->at("kendall_p").get<double>(), 1.0 / 3, 1e-15);  // 2 / 3!
}

TEST_F(AgreeSweep, CsvResultsMatchedByFileAndDataset) {
  const std::string results_csv = directory_.file("results.csv");
  write_results_file(results_csv, results_);
  // Basenames, a ./ spelling, datasets with and without the slash; run1 by its exact spelling.
  const std::string acc = accuracies(
      "file,dataset,accuracy\n"
      "run0.h5,emb,0.50\n"
      "runs/run1.h5,/emb,0.55\n"
      "./runs/run2.h5,/emb,0.60\n"
      "run3.h5,,0.65\n"
      "run4.h5,/emb,0.70\n"
      "run5.h5,emb,0.75\n");
  const testing::RunResult result = agree({results_csv, acc, "--format", "jsonl"});
  ASSERT_EQ(result.exit_code, 0) << result;
  const std::vector<nlohmann::json> lines = json_lines(result.out);
  const nlohmann::json* rankme = entry(lines, "rankme");
  ASSERT_NE(rankme, nullptr) << result.out;
  EXPECT_EQ(rankme->at("n"), 6);
  EXPECT_NEAR(rankme->at("spearman_rho").get<double>(), 1 - 12.0 / 210, 1e-12);
  EXPECT_NEAR(rankme->at("regret").get<double>(), 0.05, 1e-15);
  EXPECT_EQ(rankme->at("picked"), "file=run4.h5 dataset=/emb");
  // The metrics columns of the CSV results: the condition number is compared too.
  const nlohmann::json* condition = entry(lines, "condition_number");
  ASSERT_NE(condition, nullptr) << result.out;
  EXPECT_EQ(condition->at("picked_file"), "runs/run5.h5");
  EXPECT_NE(result.err.find("6 of 6 accuracy rows"), std::string::npos) << result.err;
}

TEST_F(AgreeSweep, ErrorsExitOneAndSayWhy) {
  const testing::RunResult none = agree({results_jsonl_, accuracies("lr,accuracy\n5,0.1\n6,0.2\n")});
  EXPECT_EQ(none.exit_code, 1) << none;
  EXPECT_NE(none.err.find("error: no row of"), std::string::npos) << none.err;
  EXPECT_TRUE(none.out.empty()) << none.out;

  const testing::RunResult column = agree({results_jsonl_, accuracies("lr,top1\n0.01,0.1\n")});
  EXPECT_EQ(column.exit_code, 1) << column;
  EXPECT_NE(column.err.find("no column 'accuracy' (the columns are: lr, top1)"), std::string::npos) << column.err;
  // ... which --accuracy-column fixes.
  const std::string top1 = accuracies("lr,wd,top1\n0.01,0,0.1\n0.001,0,0.2\n");
  EXPECT_EQ(agree({results_jsonl_, top1, "--accuracy-column", "top1"}).exit_code, 0);

  const testing::RunResult number = agree({results_jsonl_, accuracies("lr,wd,accuracy\n0.01,0,0.1\n0.001,0,72%\n")});
  EXPECT_EQ(number.exit_code, 1) << number;
  EXPECT_NE(number.err.find(":3: 'accuracy' is '72%', not a number"), std::string::npos) << number.err;

  const testing::RunResult param = agree({results_jsonl_, accuracies("lr,seed,accuracy\n0.01,1,0.1\n")});
  EXPECT_EQ(param.exit_code, 1) << param;
  EXPECT_NE(param.err.find("the column 'seed' is neither file, dataset nor a param"), std::string::npos) << param.err;
  // --match leaves it out.
  const std::string seeds = accuracies("lr,wd,seed,accuracy\n0.01,0,1,0.1\n");
  EXPECT_EQ(agree({"--match", "lr, wd", results_jsonl_, seeds}).exit_code, 0);
  EXPECT_EQ(agree({"--match", "lr,,wd", results_jsonl_, seeds}).exit_code, 2);

  const testing::RunResult missing = agree({directory_.file("nothing.jsonl"), by_params()});
  EXPECT_EQ(missing.exit_code, 1) << missing;
  EXPECT_NE(missing.err.find("no such file"), std::string::npos) << missing.err;

  const testing::RunResult within = agree({results_jsonl_, by_params(), "--within", "optimizer"});
  EXPECT_EQ(within.exit_code, 1) << within;
  EXPECT_NE(within.err.find("no matched run has the param 'optimizer'"), std::string::npos) << within.err;

  EXPECT_EQ(agree({results_jsonl_}).exit_code, 2);
  EXPECT_EQ(agree({results_jsonl_, by_params(), "--format", "xml"}).exit_code, 2);
}

}  // namespace
}  // namespace rankme
