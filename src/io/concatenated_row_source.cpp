#include "rankme/io/concatenated_row_source.hpp"

#include <algorithm>
#include <stdexcept>
#include <string>
#include <utility>

namespace rankme {

ConcatenatedRowSource::ConcatenatedRowSource(std::vector<std::unique_ptr<RowSource>> parts) : parts_(std::move(parts)) {
  if (parts_.empty()) throw std::invalid_argument("no parts to concatenate");
  for (const auto& part : parts_) {
    if (part->cols() != parts_.front()->cols() || !(part->stored_type() == parts_.front()->stored_type())) {
      throw std::invalid_argument("parts of different columns or types cannot be concatenated");
    }
    first_rows_.push_back(rows_);
    rows_ += part->rows();
  }
  first_rows_.push_back(rows_);
}

void ConcatenatedRowSource::read_rows(const std::vector<RowRun>& runs, unsigned char* out, std::size_t out_bytes) {
  // Each part's runs, in its own row numbers, and where its rows go in `out`. The runs ascend, so each
  // part's rows are consecutive in `out` too.
  const std::size_t row_bytes = this->row_bytes();
  std::vector<std::vector<RowRun>> part_runs(parts_.size());
  std::vector<std::size_t> part_offset(parts_.size(), 0);
  std::vector<std::uint64_t> part_rows(parts_.size(), 0);
  std::size_t written = 0;
  std::size_t part = 0;
  for (const RowRun& run : runs) {
    if (run.first > rows_ || run.count > rows_ - run.first) {
      throw std::out_of_range("rows " + std::to_string(run.first) + ".." + std::to_string(run.first + run.count) +
                              " of " + std::to_string(rows_));
    }
    for (std::uint64_t first = run.first, end = run.first + run.count; first < end;) {
      while (first_rows_[part + 1] <= first) ++part;
      const std::uint64_t count = std::min(end, first_rows_[part + 1]) - first;
      if (part_runs[part].empty()) part_offset[part] = written;
      part_runs[part].push_back(RowRun{first - first_rows_[part], count});
      part_rows[part] += count;
      written += static_cast<std::size_t>(count) * row_bytes;
      first += count;
    }
  }
  if (written > out_bytes) throw std::logic_error("a block of " + std::to_string(written / std::max<std::size_t>(row_bytes, 1)) + " rows does not fit its buffer");
  for (std::size_t index = 0; index < parts_.size(); ++index) {
    const std::size_t bytes = static_cast<std::size_t>(part_rows[index]) * row_bytes;
    parts_[index]->read_rows(part_runs[index], out + part_offset[index], bytes);
  }
}

FileFingerprint ConcatenatedRowSource::fingerprint() const {
  std::vector<FileFingerprint> own;
  for (const auto& part : parts_) own.push_back(part->fingerprint());
  return combine(own);
}

FileFingerprint ConcatenatedRowSource::combine(const std::vector<FileFingerprint>& parts) {
  // Not a file's own: device and inode mix every part's (a part replaced by another file changes them),
  // size is the parts' total (a truncated part is reported as such), and mtime_ns mixes every part's size
  // and modification time in order (a part rewritten in place changes it). Only comparisons read it.
  constexpr std::uint64_t prime = 1099511628211ULL;  // FNV-1a's 64-bit prime
  FileFingerprint combined;
  std::uint64_t times = 14695981039346656037ULL;
  for (const FileFingerprint& own : parts) {
    combined.device = (combined.device ^ own.device) * prime;
    combined.inode = (combined.inode ^ own.inode) * prime;
    combined.size += own.size;
    times = (times ^ static_cast<std::uint64_t>(own.mtime_ns)) * prime;
    times = (times ^ own.size) * prime;
  }
  combined.mtime_ns = static_cast<std::int64_t>(times);
  return combined;
}

int ConcatenatedRowSource::decode_threads() const {
  int threads = 0;
  for (const std::unique_ptr<RowSource>& part : parts_) threads = std::max(threads, part->decode_threads());
  return threads;
}

void ConcatenatedRowSource::use_decode_threads(int threads) {
  for (const std::unique_ptr<RowSource>& part : parts_) part->use_decode_threads(threads);
}

double ConcatenatedRowSource::decode_seconds() const {
  double seconds = 0;
  for (const std::unique_ptr<RowSource>& part : parts_) seconds += part->decode_seconds();
  return seconds;
}

}  // namespace rankme
