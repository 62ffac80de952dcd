#pragma once
// --best-per KEYS: the results grouped by the values of some params, and each group's best checkpoint by
// RankMe, for picking a run and its checkpoint without labels.
//
// A key is a param's name, or `run`: the result's `run` param when it has one, else the file as given and the
// dataset's path with the number of every checkpoint position replaced by '*' (path_params.hpp:
// without_positions), so that the checkpoints of one run meet with no configuration whichever layout the sweep
// has: one file per run (run_a.h5:/epoch_10/z -> "run_a.h5:/epoch_*/z"), one group per run
// (sweep.h5:/run_a/epoch_10 -> "sweep.h5:/run_a/epoch_*"), or params in the path beside the position
// (lr=0.1_wd=0/epoch_10.h5, lr=0.1_wd=0_epoch_10.h5 -> "...epoch_*.h5:/z").
#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "rankme/pipeline/dataset_result.hpp"
#include "rankme/pipeline/run_params.hpp"

namespace rankme {

// "run", "lr,wd", "lr, wd": the keys in order. Throws std::invalid_argument on an empty list or key, or a key
// given twice.
std::vector<std::string> parse_group_keys(const std::string& text);

// The run a result belongs to (see above).
ParamValue run_of(const DatasetResult& result);

// The value a result groups under for `key`; nothing when it has no such param.
std::optional<ParamValue> group_value(const DatasetResult& result, const std::string& key);

struct ResultGroup {
  std::vector<std::optional<ParamValue>> values;  // one per key; nothing: the results have no such param
  // The best checkpoint: the highest finite RankMe among the scored results (the first of equals); when none
  // is scored, the first nonfinite result (a diverged run), else the first error.
  DatasetResult best;
  std::size_t results = 0;  // in the group
  std::size_t scored = 0;   // with a finite RankMe
};

struct BestPerGroup {
  std::vector<std::string> keys;
  // Best first: groups with a score by their best RankMe (ties in order of appearance), then groups whose
  // results are all nonfinite, then those with only errors; no group is left out.
  std::vector<ResultGroup> groups;
  std::vector<std::size_t> missing;  // per key: how many results have no such param
};

BestPerGroup best_per_group(const std::vector<DatasetResult>& results, const std::vector<std::string>& keys);

}  // namespace rankme
