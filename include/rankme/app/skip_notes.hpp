#pragma once
// Discovery's notes for stderr. A whole-file scan notes every dataset it skips ("skipped dataset '/labels' in
// 'run.h5': int32 2048: 1-D, ..."); a checkpoint with 17 label and index arrays would bury the one warning
// that matters under 17 lines. Without --verbose each file's skips become one line.
#include <string>
#include <vector>

namespace rankme {

// `notes` in order, those about skipped datasets of a file with more than one replaced, where the first was,
// by "'FILE': N datasets skipped, e.g. '/labels' (REASON); --verbose lists them" (with a word on --pool when
// some of them need it). `verbose`: every note as it is.
std::vector<std::string> summarise_skip_notes(const std::vector<std::string>& notes, bool verbose);

}  // namespace rankme
