#include "rankme/io/hdf5_chunk_reader.hpp"

#include <algorithm>
#include <chrono>
#include <exception>
#include <stdexcept>
#include <system_error>
#include <utility>

#include "rankme/io/hdf5_error.hpp"
#include "rankme/io/hdf5_handle.hpp"

namespace rankme {

namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point start) { return std::chrono::duration<double>(Clock::now() - start).count(); }

}  // namespace

Hdf5ChunkReader::Hdf5ChunkReader(hid_t dataset, std::string name, ChunkGrid grid, std::size_t value_bytes,
                                 ChunkFilters filters, int threads)
    : dataset_(dataset),
      name_(std::move(name)),
      grid_(std::move(grid)),
      value_bytes_(value_bytes),
      chunk_bytes_(static_cast<std::size_t>(grid_.chunk_values()) * value_bytes),
      filters_(filters),
      threads_(std::max(threads, 1)),
      active_threads_(threads_) {
  // A stored chunk said to lie past the end of the file is refused before its size is allocated.
  Hdf5Handle file(check_hdf5(H5Iget_file_id(dataset_), "H5Iget_file_id"), H5Fclose);
  hsize_t file_bytes = 0;
  check_hdf5(H5Fget_filesize(file.get(), &file_bytes), "H5Fget_filesize");
  file_bytes_ = file_bytes;
  scratch_.resize(static_cast<std::size_t>(threads_));
}

bool Hdf5ChunkReader::overhangs(const Origin& origin) const {
  for (std::size_t axis = 0; axis < origin.size(); ++axis) {
    if (origin[axis] + grid_.chunk[axis] > grid_.dims[axis]) return true;
  }
  return false;
}

std::string Hdf5ChunkReader::chunk_name(const Origin& origin) const {
  return "chunk at " + grid_.describe(origin) + " of '" + name_ + "'";
}

TaskPool& Hdf5ChunkReader::pool() {
  if (!pool_) {
    try {
      pool_.emplace(threads_);
    } catch (const std::system_error&) {
      pool_.emplace(1);  // no thread to be had: the caller decodes alone
      threads_ = active_threads_ = 1;
    }
  }
  return *pool_;
}

const unsigned char* Hdf5ChunkReader::read_stored_chunk(const Origin& origin, std::size_t& stored_bytes,
                                                        unsigned& filter_mask, std::size_t batch_bytes,
                                                        double& hdf5_seconds) {
  const std::vector<hsize_t> offset(origin.begin(), origin.end());
  unsigned mask = 0;
  haddr_t address = HADDR_UNDEF;
  hsize_t size = 0;
  Clock::time_point started = Clock::now();
  check_hdf5(H5Dget_chunk_info_by_coord(dataset_, offset.data(), &mask, &address, &size),
             chunk_name(origin) + ": H5Dget_chunk_info_by_coord");
  hdf5_seconds += seconds_since(started);
  // Every chunk was stored when the dataset was opened (Hdf5RowSource reads no other this way).
  if (size == 0 || address == HADDR_UNDEF) throw std::runtime_error(chunk_name(origin) + ": not stored in the file");
  if (address > file_bytes_ || size > file_bytes_ - address) {
    throw std::runtime_error(chunk_name(origin) + ": its " + std::to_string(size) + " stored bytes at byte " +
                             std::to_string(address) + " run past the end of the file (" +
                             std::to_string(file_bytes_) + " bytes)");
  }
  if (batch_used_ + size > batch_.size()) {
    pool().wait();  // the queued chunks point into the batch: decoded first
    batch_used_ = 0;
    if (batch_.size() < std::max<std::size_t>(batch_bytes, size)) {
      batch_ = UninitialisedBuffer<unsigned char>(std::max<std::size_t>(batch_bytes, size));
    }
  }
  unsigned char* stored = batch_.data() + batch_used_;
  std::uint32_t read_mask = 0;
  started = Clock::now();
  check_hdf5(H5Dread_chunk(dataset_, H5P_DEFAULT, offset.data(), &read_mask, stored), chunk_name(origin) + ": H5Dread_chunk");
  hdf5_seconds += seconds_since(started);
  batch_used_ += size;
  stored_bytes = size;
  filter_mask = read_mask;
  return stored;
}

void Hdf5ChunkReader::read(const std::vector<RowRun>& runs, const std::vector<std::uint64_t>& start,
                           const std::vector<std::uint64_t>& count, unsigned char* out, std::size_t out_bytes) {
  const Clock::time_point started = Clock::now();
  double hdf5_seconds = 0;
  const std::vector<ChunkBand> bands = bands_of(grid_, runs);
  if (bands.empty()) return;
  // The last band stays decoded when rows after this read's last remain in it: the next block's.
  const ChunkBand& last_band = bands.back();
  const std::uint64_t last_row = last_band.pieces.back().first + last_band.pieces.back().count - 1;
  const bool keep_last_band = std::min(last_band.first_row + grid_.chunk[0], grid_.dims[0]) > last_row + 1;
  std::map<Origin, UninitialisedBuffer<unsigned char>> earlier = std::move(kept_);
  kept_.clear();
  const std::size_t batch_bytes = std::max(out_bytes, 2 * static_cast<std::size_t>(threads_) * chunk_bytes_);
  TaskPool& tasks = pool();
  tasks.set_active_threads(active_threads_);
  try {
    for (const ChunkBand& band : bands) {
      const bool keep = keep_last_band && &band == &last_band;
      const std::vector<RowPiece>* pieces = &band.pieces;
      for (Origin& origin : chunks_in_band(grid_, band.first_row, start, count)) {
        const auto found = earlier.find(origin);
        if (found != earlier.end()) {  // decoded by the previous read: copied from there
          const unsigned char* decoded = found->second.data();
          if (keep) kept_.emplace(origin, std::move(found->second));  // the buffer moves, its bytes stay put
          tasks.submit([this, origin, decoded, pieces, &start, &count, out](int) {
            copy_from_chunk(grid_, origin, decoded, value_bytes_, *pieces, start, count, out);
          });
          continue;
        }
        std::size_t stored_bytes = 0;
        unsigned mask = 0;
        const unsigned char* stored = read_stored_chunk(origin, stored_bytes, mask, batch_bytes, hdf5_seconds);
        if (filters_.partial_edge_chunks_unfiltered && overhangs(origin)) mask = ~0U;  // stored as it is
        ++chunks_decoded_;
        // A chunk the read wants whole is decoded in place; the others into scratch, then copied in part.
        const std::int64_t span = output_span_of_chunk(grid_, origin, *pieces, start, count);
        unsigned char* destination = span >= 0 ? out + static_cast<std::size_t>(span) * value_bytes_ : nullptr;
        if (keep) destination = kept_.emplace(origin, UninitialisedBuffer<unsigned char>(chunk_bytes_)).first->second.data();
        tasks.submit([this, origin, pieces, stored, stored_bytes, mask, destination, span, &start, &count, out](int thread) {
          try {
            ThreadScratch& own = scratch_[static_cast<std::size_t>(thread)];
            unsigned char* decoded = destination;
            if (decoded == nullptr) {
              if (own.chunk.size() < chunk_bytes_) own.chunk = UninitialisedBuffer<unsigned char>(chunk_bytes_);
              decoded = own.chunk.data();
            }
            if (filters_.shuffle_applies(mask) && own.stage.size() < chunk_bytes_) {
              own.stage = UninitialisedBuffer<unsigned char>(chunk_bytes_);
            }
            decode_chunk(filters_, mask, stored, stored_bytes, decoded, chunk_bytes_, own.stage.data(), own.inflater);
            if (span < 0) copy_from_chunk(grid_, origin, decoded, value_bytes_, *pieces, start, count, out);
          } catch (const std::exception& error) {
            throw std::runtime_error(chunk_name(origin) + ": " + error.what());
          }
        });
      }
    }
    tasks.wait();
  } catch (...) {
    // No task may outlive the read: they write into `out` and read the batch and `earlier`.
    try {
      tasks.wait();
    } catch (...) {
      // the first failure is the one reported
    }
    kept_.clear();
    batch_used_ = 0;
    decode_seconds_ += seconds_since(started) - hdf5_seconds;
    throw;
  }
  batch_used_ = 0;
  decode_seconds_ += seconds_since(started) - hdf5_seconds;
}

}  // namespace rankme
