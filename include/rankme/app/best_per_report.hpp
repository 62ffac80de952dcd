#pragma once
// --best-per's report on stdout (rankme after scoring, rankme-merge from results files): one row per group
// (sweep/best_per_group.hpp), best group first, in the run's --format:
// - table: the keys' values, rankme (or the status of a group with no score), epoch and step where known,
//   how many of the group's results were scored, the best checkpoint's file and dataset, and its other params;
// - jsonl: {"group": {key: value|null}, "status", "rankme", "epoch", "step", "file", "dataset", "results",
//   "scored", "params"} per group;
// - csv: group.<key> columns, then status, rankme, epoch, step, file, dataset, results, scored, and the
//   param.<key> columns of the best checkpoints' params (param_columns.hpp).
// A key some results lack groups them under "(none)" (null in JSON, an empty cell in CSV); best_per_notes
// says so.
#include <ostream>
#include <string>
#include <vector>

#include "rankme/app/report.hpp"
#include "rankme/sweep/best_per_group.hpp"

namespace rankme {

void print_best_per(const BestPerGroup& grouped, OutputFormat format, std::ostream& out);

// "4 of 10 results have no param 'lr': grouped under (none)", one per such key; nothing when every result
// has every key.
std::vector<std::string> best_per_notes(const BestPerGroup& grouped, std::size_t results);

}  // namespace rankme
