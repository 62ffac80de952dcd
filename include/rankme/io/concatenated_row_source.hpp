#pragma once
// Several inputs scored as one matrix (--concat): a RowSource over parts of the same columns and stored
// type, their rows stacked in the order of the parts (DDP ranks' shards: emb_rank0, emb_rank1, ...). No
// rows are copied beyond the block: a run of rows is mapped onto the parts it spans, and each part copies
// its rows to their place in the block.
//
// Every part is read once per read of this source, with no runs when the block does not touch it, so a
// collective part (parallel HDF5) keeps its contract. The fingerprint combines the parts': a change to any
// of them changes it.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

#include "rankme/io/row_source.hpp"

namespace rankme {

class ConcatenatedRowSource : public RowSource {
 public:
  // Throws std::invalid_argument when there are no parts or they differ in columns or stored type (the
  // caller checks that earlier, with messages naming the files).
  explicit ConcatenatedRowSource(std::vector<std::unique_ptr<RowSource>> parts);

  std::uint64_t rows() const override { return rows_; }
  std::uint64_t cols() const override { return parts_.front()->cols(); }
  StoredType stored_type() const override { return parts_.front()->stored_type(); }
  void read_rows(const std::vector<RowRun>& runs, unsigned char* out, std::size_t out_bytes) override;
  // Mixes every part's fingerprint (see the .cpp): a part replaced, truncated or rewritten changes it.
  FileFingerprint fingerprint() const override;
  double decode_seconds() const override;  // the parts' summed
  int decode_threads() const override;     // the most of any part
  void use_decode_threads(int threads) override;  // every part
  // The same mix of fingerprints taken elsewhere (each part's as it was opened).
  static FileFingerprint combine(const std::vector<FileFingerprint>& parts);

 private:
  std::vector<std::unique_ptr<RowSource>> parts_;
  std::vector<std::uint64_t> first_rows_;  // the first row of each part in the stacked matrix, then rows_
  std::uint64_t rows_ = 0;
};

}  // namespace rankme
