#pragma once
// Opening one listed dataset for scoring, on every rank: the RowSource the pipeline reads it through, and
// the fingerprint of the input as it was opened. HDF5 today (hdf5_row_source.hpp); other file formats
// will be told apart here.
#include <memory>

#include "rankme/io/row_source.hpp"
#include "rankme/os/file_fingerprint.hpp"
#include "rankme/parallel/communicator.hpp"
#include "rankme/pipeline/dataset_target.hpp"

namespace rankme {

struct OpenedInput {
  std::unique_ptr<RowSource> source;
  // Taken once the dataset is open, before its shape is compared with discovery: any later change is
  // seen when the fingerprint is compared again at the end (check_input_unchanged, block_pass.hpp).
  FileFingerprint opened;
};

// Collective. Throws CollectiveError on every rank when the input cannot be opened on some rank, or when
// it no longer is what discovery listed (shape, type, or its data incomplete): it may have been rewritten
// between discovery and now (another job writing it); then only what was listed is scored, or nothing.
OpenedInput open_input(const Communicator& comm, const DatasetTarget& target);

}  // namespace rankme
