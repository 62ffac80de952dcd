#pragma once
// --concat: the datasets of several inputs scored as one matrix, their rows stacked (DDP ranks' shards,
// emb_rank0.npy, emb_rank1.npy, ...), for every format alike. Applied to the discovery (after
// pool_targets), before the targets are sorted, so that the parts keep the order of the inputs.
//
// Which datasets make one matrix: those of the same dataset name (a bare .npy's "/", HDF5's "/emb"), so
// that shards holding several arrays (/train/emb and /val/emb) give one matrix per name; with
// ConcatMode::by_directory, also of the same parent directory, so that a sweep of sharded runs
// (runs/lr0.1/emb_rank*.npy, runs/lr0.2/emb_rank*.npy) gives one matrix per run in one job.
//
// The order of the parts: the order of the inputs, where a directory's files come in natural order
// (input_expansion), and a run of consecutive files of one directory named on the command line in byte
// order, as a shell glob gives them (emb_rank10 before emb_rank2), is put in natural order too; a run in
// any other order was put so by hand and is kept as given.
//
// What the matrix is called: `file` is the parts' common parent directory as spelled ("runs/lr0.1"),
// or the first part's file when they have none in common; `dataset` their dataset name; `parts` lists
// them (and --resume knows the matrix by all of their identities); `params` are those every part has with the
// same value.
#include <string>

#include "rankme/pipeline/dataset_target.hpp"

namespace rankme {

enum class ConcatMode { none, all, by_directory };

// "none", "all", "directory" (as --concat spells them).
const char* concat_mode_name(ConcatMode mode);

// Replaces the scorable targets of each group by one target whose `parts` are them. A group whose parts
// differ in columns or stored type becomes an error target naming the first part that differs and what
// it has; a group one of whose inputs failed (an unreadable file of that directory, with by_directory; any,
// otherwise) becomes an error target naming it, as the stacked matrix would silently lack its rows. Error
// targets of single inputs stay as they are. ConcatMode::none leaves the discovery as it is.
void concatenate_targets(Discovery& discovery, ConcatMode mode);

}  // namespace rankme
