#include "rankme/io/block_prefetcher.hpp"

#include <algorithm>
#include <chrono>
#include <exception>
#include <system_error>

#include "rankme/numerics/single_precision_block.hpp"

namespace rankme {

BlockPrefetcher::BlockPrefetcher(RowBlockReader& reader, BlockValues values, bool background)
    : reader_(reader),
      type_(reader.source().stored_type()),
      cols_(reader.source().cols()),
      values_(values),
      background_(background),
      most_decode_threads_(reader.source().decode_threads()) {
  const std::size_t values_per_block = reader_.stored_block_bytes() / static_cast<std::size_t>(type_.bytes);
  for (DecodedBlock& slot : slots_) {
    slot.raw = UninitialisedBuffer<unsigned char>(reader_.stored_block_bytes());
    const bool needs_wide = values_ == BlockValues::double_values || !fits_float_exactly(type_);
    if (needs_wide) slot.wide = UninitialisedBuffer<double>(values_per_block);
    // Native float32 is multiplied where it was read: no second copy of the block.
    slot.narrow_in_raw = values_ == BlockValues::float_values && is_native_float32(type_);
    if (values_ == BlockValues::float_values && !slot.narrow_in_raw) slot.narrow = UninitialisedBuffer<float>(values_per_block);
  }
}

BlockPrefetcher::~BlockPrefetcher() {
  if (pending_.valid()) pending_.wait();
}

void BlockPrefetcher::load(DecodedBlock& block) const {
  block.error.reset();
  block.rows = 0;
  block.stats = BlockStatistics{};
  block.float_exponent = 0;
  block.read_seconds = block.decode_seconds = block.convert_seconds = 0;
  try {
    // std::chrono, not MPI_Wtime: this thread may not call MPI while the caller might (SERIALIZED).
    using Clock = std::chrono::steady_clock;
    const Clock::time_point started = Clock::now();
    const double decoded_before = reader_.source().decode_seconds();
    block.rows = reader_.read_stored(block.index, block.raw.data());
    const Clock::time_point read = Clock::now();
    block.decode_seconds = reader_.source().decode_seconds() - decoded_before;
    block.read_seconds = std::chrono::duration<double>(read - started).count() - block.decode_seconds;
    const std::uint64_t count = block.rows * cols_;
    if (block.rows > 0) {
      if (values_ == BlockValues::double_values) {
        block.stats = widen_to_double(type_, block.raw.data(), count, block.wide.data());
      } else if (block.narrow_in_raw) {
        block.stats = float32_statistics(block.single(), count);
        block.float_exponent = float_block_exponent(block.stats.max_abs);
        scale_float_block(block.single(), count, block.float_exponent);
      } else if (fits_float_exactly(type_)) {
        block.stats = decode_to_float(type_, block.raw.data(), count, block.narrow.data());
        block.float_exponent = float_block_exponent(block.stats.max_abs);
        scale_float_block(block.narrow.data(), count, block.float_exponent);
      } else {
        block.stats = widen_to_double(type_, block.raw.data(), count, block.wide.data());
        block.float_exponent = float_block_exponent(block.stats.max_abs);
        narrow_to_float(block.wide.data(), count, block.float_exponent, block.narrow.data());
      }
    }
    block.loaded_at = Clock::now();
    block.convert_seconds = std::chrono::duration<double>(block.loaded_at - read).count();
  } catch (const std::exception& error) {
    block.error = error.what();
    block.loaded_at = std::chrono::steady_clock::now();
  }
}

int next_decode_threads(int current, int most, bool waited, double slack_seconds, double load_seconds) {
  if (waited) return std::min(current + 1, std::max(most, 1));
  if (slack_seconds > load_seconds) return std::max(current - 1, 1);
  return std::clamp(current, 1, std::max(most, 1));
}

void BlockPrefetcher::start(std::uint64_t index) {
  if (pending_.valid()) pending_.wait();
  DecodedBlock& slot = slots_[filling_];
  slot.index = index;
  // The first block, and every block read in the foreground, is read while nothing else runs: all threads.
  if (most_decode_threads_ > 0) {
    reader_.source().use_decode_threads(first_block_ || !background_ ? most_decode_threads_ : decode_threads_);
  }
  if (background_) {
    try {
      pending_ = std::async(std::launch::async, [this, &slot] { load(slot); });
      return;
    } catch (const std::system_error&) {
      background_ = false;  // no thread to be had: read in the foreground from now on
    }
  }
  load(slot);
}

DecodedBlock& BlockPrefetcher::wait() {
  bool waited = false;
  if (pending_.valid()) {
    waited = pending_.wait_for(std::chrono::seconds(0)) != std::future_status::ready;
    pending_.get();
  }
  DecodedBlock& filled = slots_[filling_];
  filling_ ^= 1;
  if (most_decode_threads_ > 1 && background_ && !first_block_) {
    const double slack = waited ? 0.0 : std::chrono::duration<double>(std::chrono::steady_clock::now() - filled.loaded_at).count();
    decode_threads_ = next_decode_threads(decode_threads_, most_decode_threads_, waited, slack,
                                          filled.read_seconds + filled.decode_seconds + filled.convert_seconds);
  }
  first_block_ = false;
  return filled;
}

}  // namespace rankme
