#include "rankme/formats/inflating_stream.hpp"

#include <zlib.h>

#include <algorithm>
#include <stdexcept>

namespace rankme {

namespace {
constexpr std::size_t input_buffer_bytes = 256 << 10;
constexpr std::size_t discard_buffer_bytes = 256 << 10;
}  // namespace

// The zlib state, ended by its destructor whatever happens.
struct InflatingStream::Inflater {
  z_stream state{};
  bool initialised = false;
  ~Inflater() {
    if (initialised) inflateEnd(&state);
  }
};

InflatingStream::InflatingStream(const ReadOnlyFile& file, DeflatedStream stream, std::string what)
    : file_(file), stream_(stream), what_(std::move(what)) {}

InflatingStream::~InflatingStream() = default;

void InflatingStream::fail(const std::string& problem) const {
  throw std::runtime_error(what_ + ": " + problem);
}

void InflatingStream::restart() {
  if (!inflater_) {
    inflater_ = std::make_unique<Inflater>();
    // Raw deflate (negative window bits): zip members carry no zlib header.
    if (inflateInit2(&inflater_->state, -15) != Z_OK) fail("cannot start zlib");
    inflater_->initialised = true;
  } else if (inflateReset(&inflater_->state) != Z_OK) {
    fail("cannot restart zlib");
  }
  inflater_->state.next_in = nullptr;
  inflater_->state.avail_in = 0;
  consumed_ = 0;
  position_ = 0;
  crc_ = static_cast<std::uint32_t>(crc32(0L, Z_NULL, 0));
  ended_ = false;
  ++passes_;
}

std::size_t InflatingStream::inflate_some(unsigned char* into, std::size_t bytes) {
  z_stream& state = inflater_->state;
  if (into == nullptr) {
    if (discard_.empty()) discard_.resize(discard_buffer_bytes);
    into = discard_.data();
    bytes = std::min(bytes, discard_.size());
  }
  // zlib counts in uInt.
  bytes = std::min<std::size_t>(bytes, 1u << 30);
  while (!ended_) {
    if (state.avail_in == 0) {
      const std::uint64_t left = stream_.compressed_bytes - consumed_;
      if (left == 0) {
        fail("the deflated data ends after " + std::to_string(position_) + " of its " +
             std::to_string(stream_.inflated_bytes) + " bytes (truncated or corrupt member)");
      }
      if (input_.empty()) input_.resize(input_buffer_bytes);
      const auto chunk = static_cast<std::size_t>(std::min<std::uint64_t>(left, input_.size()));
      file_.read_exactly(stream_.data_offset + consumed_, input_.data(), chunk);
      consumed_ += chunk;
      state.next_in = input_.data();
      state.avail_in = static_cast<uInt>(chunk);
    }
    state.next_out = into;
    state.avail_out = static_cast<uInt>(bytes);
    const int status = inflate(&state, Z_NO_FLUSH);
    if (status == Z_STREAM_END) {
      ended_ = true;
    } else if (status != Z_OK && status != Z_BUF_ERROR) {
      fail(std::string("corrupt deflated data (zlib: ") + (state.msg != nullptr ? state.msg : "error " + std::to_string(status)) +
           ") after " + std::to_string(position_) + " inflated bytes");
    }
    const std::size_t produced = bytes - state.avail_out;
    crc_ = static_cast<std::uint32_t>(crc32(crc_, into, static_cast<uInt>(produced)));
    position_ += produced;
    if (position_ > stream_.inflated_bytes) {
      fail("inflates to more than the " + std::to_string(stream_.inflated_bytes) +
           " bytes the zip directory declares (corrupt, or a zip bomb)");
    }
    if (produced > 0) return produced;
  }
  return 0;
}

void InflatingStream::finish() {
  if (!ended_) {
    unsigned char extra;
    if (inflate_some(&extra, 1) != 0) fail("inflates to more bytes than the zip directory declares");
  }
  if (crc_ != stream_.crc32) fail("its CRC-32 does not match the zip directory's (corrupt member)");
}

void InflatingStream::read(std::uint64_t offset, std::size_t bytes, unsigned char* into) {
  if (offset > stream_.inflated_bytes || bytes > stream_.inflated_bytes - offset) {
    fail("bytes [" + std::to_string(offset) + ", " + std::to_string(offset + bytes) + ") are beyond its " +
         std::to_string(stream_.inflated_bytes) + " inflated bytes");
  }
  if (!inflater_ || offset < position_) restart();
  auto short_stream = [&] {
    fail("the deflate stream ends after " + std::to_string(position_) + " bytes, but the zip directory declares " +
         std::to_string(stream_.inflated_bytes));
  };
  while (position_ < offset) {
    if (inflate_some(nullptr, static_cast<std::size_t>(std::min<std::uint64_t>(offset - position_, discard_buffer_bytes))) == 0) {
      short_stream();
    }
  }
  for (std::size_t done = 0; done < bytes;) {
    const std::size_t got = inflate_some(into + done, bytes - done);
    if (got == 0) short_stream();
    done += got;
  }
  if (position_ == stream_.inflated_bytes) finish();
}

}  // namespace rankme
