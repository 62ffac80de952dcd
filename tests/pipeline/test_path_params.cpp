// Hyperparameters from paths (path_params.hpp): every form issue 14 names, and the ambiguous ones as the
// header resolves them.
#include "rankme/pipeline/path_params.hpp"

#include <gtest/gtest.h>

#include <string>

namespace rankme {
namespace {

double number(const Params& params, const std::string& key) {
  const auto found = params.find(key);
  if (found == params.end()) {
    ADD_FAILURE() << "no key " << key;
    return -1;
  }
  if (!std::holds_alternative<double>(found->second)) {
    ADD_FAILURE() << key << " is text: " << std::get<std::string>(found->second);
    return -1;
  }
  return std::get<double>(found->second);
}

std::string text(const Params& params, const std::string& key) {
  const auto found = params.find(key);
  if (found == params.end() || !std::holds_alternative<std::string>(found->second)) {
    ADD_FAILURE() << "no text key " << key;
    return {};
  }
  return std::get<std::string>(found->second);
}

TEST(PathParams, SeparatorsAndNumbers) {
  const Params p = params_of_component("lr=0.001,wd=0;bs=256 opt=adamw");
  EXPECT_EQ(p.size(), 4u);
  EXPECT_DOUBLE_EQ(number(p, "lr"), 0.001);
  EXPECT_DOUBLE_EQ(number(p, "wd"), 0.0);
  EXPECT_DOUBLE_EQ(number(p, "bs"), 256.0);
  EXPECT_EQ(text(p, "opt"), "adamw");
  EXPECT_DOUBLE_EQ(number(params_of_component("lr=1e-4"), "lr"), 1e-4);
  EXPECT_DOUBLE_EQ(number(params_of_component("shift=-3.5"), "shift"), -3.5);
  // Not numbers: hex, inf, trailing text, empty.
  EXPECT_EQ(text(params_of_component("seed=0x1f"), "seed"), "0x1f");
  EXPECT_EQ(text(params_of_component("clip=inf"), "clip"), "inf");
  EXPECT_EQ(text(params_of_component("lr=3e-4x"), "lr"), "3e-4x");
  EXPECT_EQ(text(params_of_component("tag="), "tag"), "");
}

TEST(PathParams, UnderscoresInKeysAndBetweenPairs) {
  const Params p = params_of_component("weight_decay=0.05");
  EXPECT_EQ(p.size(), 1u);
  EXPECT_DOUBLE_EQ(number(p, "weight_decay"), 0.05);
  const Params q = params_of_component("opt=adamw_bs=256");
  EXPECT_EQ(text(q, "opt"), "adamw");
  EXPECT_DOUBLE_EQ(number(q, "bs"), 256);
  const Params r = params_of_component("lr=0.1_weight_decay=0.05_proj_dim=8192");
  EXPECT_DOUBLE_EQ(number(r, "lr"), 0.1);
  EXPECT_DOUBLE_EQ(number(r, "weight_decay"), 0.05);
  EXPECT_DOUBLE_EQ(number(r, "proj_dim"), 8192);
  const Params s = params_of_component("model=vit_b_lr=0.1");
  EXPECT_EQ(text(s, "model"), "vit_b");
  EXPECT_DOUBLE_EQ(number(s, "lr"), 0.1);
}

TEST(PathParams, BracketsAreIgnored) {
  const Params p = params_of_component("run 03 [lr=0.001, wd=0]");
  EXPECT_EQ(p.size(), 2u);
  EXPECT_DOUBLE_EQ(number(p, "lr"), 0.001);
  EXPECT_DOUBLE_EQ(number(p, "wd"), 0);
  EXPECT_DOUBLE_EQ(number(params_of_component("(lr=2){wd=3}"), "wd"), 3);
}

TEST(PathParams, CheckpointPositions) {
  EXPECT_DOUBLE_EQ(number(params_of_component("epoch_100"), "epoch"), 100);
  EXPECT_DOUBLE_EQ(number(params_of_component("epoch 100"), "epoch"), 100);
  EXPECT_DOUBLE_EQ(number(params_of_component("ep100"), "epoch"), 100);
  EXPECT_DOUBLE_EQ(number(params_of_component("Epoch-7"), "epoch"), 7);
  EXPECT_DOUBLE_EQ(number(params_of_component("step=5000"), "step"), 5000);
  EXPECT_DOUBLE_EQ(number(params_of_component("checkpoint-5000"), "step"), 5000);
  EXPECT_DOUBLE_EQ(number(params_of_component("ckpt_250"), "step"), 250);
  const Params p = params_of_component("lr=0.1_epoch_3");
  EXPECT_DOUBLE_EQ(number(p, "lr"), 0.1);
  EXPECT_DOUBLE_EQ(number(p, "epoch"), 3) << "a number ends at its first '_'; what follows may be a position";
  // Text runs on when no key follows it.
  EXPECT_EQ(text(params_of_component("opt=adamw_final"), "opt"), "adamw_final");
  // An explicit key wins over a position spelled beside it.
  EXPECT_DOUBLE_EQ(number(params_of_component("epoch=4 epoch_9"), "epoch"), 4);
  // Words that only look alike are not positions.
  EXPECT_TRUE(params_of_component("run 03").empty());
  EXPECT_TRUE(params_of_component("steps").empty());
  EXPECT_TRUE(params_of_component("epochs_x").empty());
}

TEST(PathParams, WholePathsInnerComponentsWin) {
  const Params p = params_of_path("/data/sweep lr=0.1/wd=0_bs=64/epoch_12.h5", true);
  EXPECT_DOUBLE_EQ(number(p, "lr"), 0.1);
  EXPECT_DOUBLE_EQ(number(p, "wd"), 0);
  EXPECT_DOUBLE_EQ(number(p, "bs"), 64);
  EXPECT_DOUBLE_EQ(number(p, "epoch"), 12);
  EXPECT_DOUBLE_EQ(number(params_of_path("lr=0.1/lr=0.2", false), "lr"), 0.2);
  // Only a file name's extension is dropped, and a number's decimals are not an extension.
  EXPECT_DOUBLE_EQ(number(params_of_path("runs/lr=0.1", true), "lr"), 0.1);
  EXPECT_DOUBLE_EQ(number(params_of_path("runs/lr=0.25.safetensors", true), "lr"), 0.25);
  EXPECT_EQ(text(params_of_path("/group/name=emb.v2", false), "name"), "emb.v2");
  EXPECT_TRUE(params_of_path("", true).empty());
  EXPECT_TRUE(params_of_path("///", false).empty());
}

TEST(PathParams, OddNamesGiveNoKeysRatherThanWrongOnes) {
  EXPECT_TRUE(params_of_component("=5").empty());
  EXPECT_TRUE(params_of_component("==").empty());
  EXPECT_TRUE(params_of_component("3d=1").empty()) << "keys start with a letter";
  const Params p = params_of_component("a=b=c");
  EXPECT_EQ(text(p, "a"), "b=c");
}

TEST(PathParams, RepeatedKeysUnicodeAndEmptyValues) {
  EXPECT_DOUBLE_EQ(number(params_of_component("lr=1,lr=2"), "lr"), 2) << "a later token replaces an earlier one";
  const Params p = params_of_component("mod\xc3\xa8le=vit caf\xc3\xa9=cr\xc3\xa8me");
  EXPECT_EQ(text(p, "mod\xc3\xa8le"), "vit");
  EXPECT_EQ(text(p, "caf\xc3\xa9"), "cr\xc3\xa8me");
  const Params q = params_of_component("tag=_lr=0.5");
  EXPECT_EQ(text(q, "tag"), "") << "an empty value before the next key";
  EXPECT_DOUBLE_EQ(number(q, "lr"), 0.5);
  EXPECT_TRUE(params_of_component("=").empty());
  EXPECT_TRUE(params_of_component("lr==").size() == 1u);
  EXPECT_EQ(text(params_of_component("lr=="), "lr"), "=");
}

TEST(PathParams, DatasetPathsAddTheirGroupsToTheFile) {
  const Params p = params_of_dataset_path("sweep/lr=0.1/epoch_3.h5", "/z");
  EXPECT_EQ(p.size(), 2u);
  EXPECT_DOUBLE_EQ(number(p, "lr"), 0.1);
  EXPECT_DOUBLE_EQ(number(p, "epoch"), 3);
  const Params q = params_of_dataset_path("runs/lr=0.1.h5", "/lr=0.2/checkpoint-5000/emb");
  EXPECT_DOUBLE_EQ(number(q, "lr"), 0.2) << "the dataset's groups are inner to the file";
  EXPECT_DOUBLE_EQ(number(q, "step"), 5000);
  const Params r = params_of_dataset_path("/abs/run 03 [lr=0.001, wd=0]/emb.npy", "/");
  EXPECT_DOUBLE_EQ(number(r, "lr"), 0.001);
  EXPECT_DOUBLE_EQ(number(r, "wd"), 0);
  EXPECT_TRUE(params_of_dataset_path("run_a.h5", "/epoch/z").empty()) << "a position needs its number";
  // Separators inside a dataset's name: safetensors and torch names.
  EXPECT_TRUE(params_of_dataset_path("model.safetensors", "encoder.layer.0.weight").empty());
}

TEST(PathParams, WithoutPositionsMasksOnlyTheNumbersOfPositions) {
  EXPECT_EQ(without_positions("runs/lr=0.1_wd=0/epoch_10.h5", true), "runs/lr=0.1_wd=0/epoch_*.h5");
  EXPECT_EQ(without_positions("runs/lr=0.1_wd=0_epoch_10.h5", true), "runs/lr=0.1_wd=0_epoch_*.h5");
  EXPECT_EQ(without_positions("/run_a/epoch 100/z", false), "/run_a/epoch */z");
  EXPECT_EQ(without_positions("/ep100", false), "/ep*");
  EXPECT_EQ(without_positions("step=5000,lr=0.1", false), "step=*,lr=0.1");
  // A bare position before a key=value one: both masked, each where it is.
  EXPECT_EQ(without_positions("epoch_100 step=5.h5", true), "epoch_* step=*.h5");
  EXPECT_EQ(without_positions("checkpoint-5000.pt", true), "checkpoint-*.pt");
  EXPECT_EQ(without_positions("ckpt5000", true), "ckpt*");
  EXPECT_EQ(without_positions("Epoch-7/run 03 [lr=0.001, epoch=2]", false), "Epoch-*/run 03 [lr=0.001, epoch=*]");
  // Nothing else changes: numbers that are no position, extensions with digits, the run's own name.
  EXPECT_EQ(without_positions("run_03/lr=10.h5", true), "run_03/lr=10.h5");
  EXPECT_EQ(without_positions("model_v2.mp4", true), "model_v2.mp4");
  EXPECT_EQ(without_positions("steps_10/epochs_x", false), "steps_10/epochs_x");
  EXPECT_EQ(without_positions("", true), "");
  EXPECT_EQ(without_positions("//a//", false), "//a//");
  // A file name's extension is no part of its words: "epoch_10.h5" is epoch 10, and a position's digits
  // before an extension are masked, not the extension's.
  EXPECT_EQ(without_positions("a/epoch_3.h5", false), "a/epoch_3.h5") << "not a file name: '3.h5' is no number";
}

}  // namespace
}  // namespace rankme
