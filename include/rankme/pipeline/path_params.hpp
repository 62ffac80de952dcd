#pragma once
// A run's hyperparameters as its paths spell them: `key=value` tokens in file names and group names, and the
// checkpoint's position (epoch or step). Pure text, no HDF5: attributes (which win over the path) are read
// elsewhere and merged over these.
//
// Tokens are separated by ',', ';', space and '/', and by '_' where another `key=` follows inside a value, so
// keys may hold '_' (`weight_decay=0.05`) and `opt=adamw_bs=256` gives opt and bs. Where a value could end at
// several '_' before the next key (`model=vit_b_lr=0.1`), a number ends at its first '_' (numbers hold none;
// what follows may be a position: `lr=0.1_epoch_3`) and text at the last one: `lr=0.1_weight_decay=0`, `model=vit_b_lr=0.1` and `opt=adamw_bs=256` all split as
// meant; `opt=adam_weight_decay=0` gives opt=adam_weight and decay=0 (write such names with another
// separator). Brackets are ignored: `run 03 [lr=0.001, wd=0]` gives lr and wd. Values are numbers where the
// whole value parses as one finite double, else strings.
//
// The checkpoint's position comes from `epoch=`/`step=` keys, or from components such as `epoch_100`,
// `epoch 100`, `epoch-100`, `ep100`, `step_5000`, `checkpoint-5000` and `ckpt5000` (a step).
#include <string>

#include "rankme/pipeline/run_params.hpp"

namespace rankme {

// The params of one path component (a file name without its extension, or one group name). A later token
// naming the same key replaces an earlier one.
Params params_of_component(const std::string& component);

// The params of a whole path, component by component from the outermost: "sweep/lr=0.1/wd=0_epoch_3.h5".
// Inner components override outer ones. `file_name_last`: the last component is a file name, whose
// extension (a '.' and 1-12 letters or digits starting with a letter: ".h5", ".pt", ".safetensors") is
// dropped; "lr=0.1" keeps its ".1".
Params params_of_path(const std::string& path, bool file_name_last);

// The params of one dataset as its names spell them: the file as given on the command line (its directories
// too: "sweep/lr=0.1/epoch_3.h5"), then the dataset's path inside it (its groups and its own name), inner
// components overriding outer ones.
Params params_of_dataset_path(const std::string& file, const std::string& dataset);

// A value as the path rules read it: a number when the whole text parses as one finite double, else the text.
ParamValue param_value_of(const std::string& text);

// `path` with the number of every checkpoint position that params_of_component recognises replaced by '*'
// ("runs/lr=0.1_epoch_10.h5" -> "runs/lr=0.1_epoch_*.h5", "/run_a/ep100" -> "/run_a/ep*", "step=5000" ->
// "step=*"): what the checkpoints of one run have in common, --best-per's `run`.
std::string without_positions(const std::string& path, bool file_name_last);

}  // namespace rankme
