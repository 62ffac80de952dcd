// concatenate_targets: which datasets --concat stacks, in which order, what the matrix is called, and
// which shards it refuses.
#include "rankme/pipeline/target_concatenation.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace rankme {
namespace {

DatasetTarget shard(const std::string& file, const std::string& dataset = "/", std::uint64_t rows = 10,
                    std::uint64_t cols = 4, StoredType type = StoredType{StoredType::Kind::floating, 4, false}) {
  DatasetTarget target;
  target.file = file;
  target.dataset = dataset;
  target.rows = rows;
  target.cols = cols;
  target.shape = {rows, cols};
  target.type = type;
  target.dtype = type.name();
  target.file_size = 100;
  target.file_mtime_ns = static_cast<std::int64_t>(rows);
  return target;
}

std::vector<std::string> part_files(const DatasetTarget& target) {
  std::vector<std::string> files;
  for (const DatasetTarget& part : target.parts) files.push_back(part.file);
  return files;
}

TEST(TargetConcatenation, TheMatrixHasTheParamsItsPartsShare) {
  Discovery discovery;
  discovery.targets = {shard("runs/lr=0.1/emb_rank0.npy"), shard("runs/lr=0.1/emb_rank1.npy"),
                       shard("runs/lr=0.2/emb_rank0.npy"), shard("runs/lr=0.2/emb_rank1.npy")};
  discovery.targets[0].params = {{"lr", 0.1}, {"rank", 0.0}, {"opt", std::string("adamw")}};
  discovery.targets[1].params = {{"lr", 0.1}, {"rank", 1.0}, {"opt", std::string("adamw")}};
  discovery.targets[2].params = {{"lr", 0.2}, {"rank", 0.0}, {"opt", std::string("adamw")}};
  discovery.targets[3].params = {{"lr", 0.2}, {"rank", 1.0}};
  concatenate_targets(discovery, ConcatMode::by_directory);
  ASSERT_EQ(discovery.targets.size(), 2u);
  EXPECT_EQ(discovery.targets[0].params, (Params{{"lr", 0.1}, {"opt", std::string("adamw")}}))
      << "what tells the parts apart is no param of the whole";
  EXPECT_EQ(discovery.targets[1].params, (Params{{"lr", 0.2}})) << "a key one part lacks is not shared";
  EXPECT_EQ(discovery.targets[0].parts[1].params.at("rank"), ParamValue(1.0)) << "the parts keep their own";
}

TEST(TargetConcatenation, NoneLeavesTheTargetsAlone) {
  Discovery discovery;
  discovery.targets = {shard("a.npy"), shard("b.npy")};
  concatenate_targets(discovery, ConcatMode::none);
  EXPECT_EQ(discovery.targets.size(), 2u);
  EXPECT_TRUE(discovery.targets[0].parts.empty());
}

TEST(TargetConcatenation, AllInputsStackInOrderWithAGlobsRunInNaturalOrder) {
  Discovery discovery;
  // As a shell glob gives them (byte-wise), then a file of another directory named after them.
  discovery.targets = {shard("run/emb_rank0.npy", "/", 3), shard("run/emb_rank1.npy", "/", 4),
                       shard("run/emb_rank10.npy", "/", 5), shard("run/emb_rank2.npy", "/", 6),
                       shard("extra/last.npy", "/", 7)};
  concatenate_targets(discovery, ConcatMode::all);
  ASSERT_EQ(discovery.targets.size(), 1u);
  const DatasetTarget& whole = discovery.targets[0];
  EXPECT_EQ(part_files(whole), (std::vector<std::string>{"run/emb_rank0.npy", "run/emb_rank1.npy", "run/emb_rank2.npy",
                                                         "run/emb_rank10.npy", "extra/last.npy"}));
  EXPECT_EQ(whole.rows, 25u);
  EXPECT_EQ(whole.cols, 4u);
  EXPECT_EQ(whole.file, ".");  // relative paths with no directory in common
  EXPECT_EQ(whole.dataset, "/");
  EXPECT_EQ(whole.file_size, 500u);
  // Any part's time changes the stacked matrix's identity.
  Discovery touched;
  touched.targets = {shard("run/emb_rank0.npy", "/", 3), shard("run/emb_rank1.npy", "/", 4)};
  Discovery same = touched;
  touched.targets[1].file_mtime_ns += 1;
  concatenate_targets(touched, ConcatMode::all);
  concatenate_targets(same, ConcatMode::all);
  EXPECT_NE(touched.targets[0].file_mtime_ns, same.targets[0].file_mtime_ns);
  EXPECT_TRUE(whole.scorable());
}

TEST(TargetConcatenation, TheMatrixIsNamedByTheDirectoryHoldingEveryPart) {
  Discovery same;
  same.targets = {shard("runs/lr0.1/emb_rank0.npy"), shard("runs/lr0.1/emb_rank1.npy")};
  concatenate_targets(same, ConcatMode::all);
  EXPECT_EQ(same.targets[0].file, "runs/lr0.1");
  Discovery tree;
  tree.targets = {shard("runs/lr0.1/emb.npy"), shard("runs/lr0.2/emb.npy")};
  concatenate_targets(tree, ConcatMode::all);
  EXPECT_EQ(tree.targets[0].file, "runs");
  Discovery apart;
  apart.targets = {shard("/data/a.npy"), shard("b.npy")};
  concatenate_targets(apart, ConcatMode::all);
  EXPECT_EQ(apart.targets[0].file, "/data/a.npy");  // nothing in common: the first part
}

TEST(TargetConcatenation, OneMatrixPerDatasetNameAndPerDirectory) {
  Discovery discovery;
  discovery.targets = {shard("runs/a/s0.h5", "/train"), shard("runs/a/s0.h5", "/val"), shard("runs/a/s1.h5", "/train"),
                       shard("runs/a/s1.h5", "/val"),   shard("runs/b/s0.h5", "/train"), shard("runs/b/s1.h5", "/train")};
  Discovery by_directory = discovery;
  concatenate_targets(by_directory, ConcatMode::by_directory);
  ASSERT_EQ(by_directory.targets.size(), 3u);
  EXPECT_EQ(by_directory.targets[0].file, "runs/a");
  EXPECT_EQ(by_directory.targets[0].dataset, "/train");
  EXPECT_EQ(part_files(by_directory.targets[0]), (std::vector<std::string>{"runs/a/s0.h5", "runs/a/s1.h5"}));
  EXPECT_EQ(by_directory.targets[1].dataset, "/val");
  EXPECT_EQ(by_directory.targets[2].file, "runs/b");
  concatenate_targets(discovery, ConcatMode::all);
  ASSERT_EQ(discovery.targets.size(), 2u);
  EXPECT_EQ(discovery.targets[0].parts.size(), 4u);
  EXPECT_EQ(discovery.targets[0].file, "runs");
}

TEST(TargetConcatenation, MismatchedShardsAreAnErrorNamingTheFile) {
  Discovery wide;
  wide.targets = {shard("r/emb_rank0.npy"), shard("r/emb_rank1.npy", "/", 10, 5), shard("r/emb_rank2.npy")};
  concatenate_targets(wide, ConcatMode::all);
  ASSERT_EQ(wide.targets.size(), 1u);
  EXPECT_NE(wide.targets[0].error.find("'r/emb_rank1.npy'"), std::string::npos) << wide.targets[0].error;
  EXPECT_NE(wide.targets[0].error.find("5 columns"), std::string::npos) << wide.targets[0].error;
  Discovery typed;
  typed.targets = {shard("r/emb_rank0.npy"), shard("r/emb_rank1.npy", "/", 10, 4, StoredType::bfloat16())};
  concatenate_targets(typed, ConcatMode::all);
  EXPECT_NE(typed.targets[0].error.find("'r/emb_rank1.npy'"), std::string::npos) << typed.targets[0].error;
  EXPECT_NE(typed.targets[0].error.find("bfloat16"), std::string::npos) << typed.targets[0].error;
}

TEST(TargetConcatenation, AFailedInputFailsTheMatrixItBelongsTo) {
  Discovery discovery;
  discovery.targets = {shard("a/emb_rank0.npy"), failed_target("a/emb_rank1.npy", "", "cannot open"),
                       shard("b/emb_rank0.npy")};
  Discovery by_directory = discovery;
  concatenate_targets(by_directory, ConcatMode::by_directory);
  ASSERT_EQ(by_directory.targets.size(), 3u);  // the failed input itself, then a's and b's matrices
  EXPECT_EQ(by_directory.targets[0].error, "cannot open");
  EXPECT_NE(by_directory.targets[1].error.find("'a/emb_rank1.npy'"), std::string::npos) << by_directory.targets[1].error;
  EXPECT_TRUE(by_directory.targets[2].scorable());
  concatenate_targets(discovery, ConcatMode::all);
  ASSERT_EQ(discovery.targets.size(), 2u);
  EXPECT_FALSE(discovery.targets[1].scorable());
}

}  // namespace
}  // namespace rankme
