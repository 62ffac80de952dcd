#pragma once
// The inflated bytes of one deflated zip member, read forward through zlib with bounded buffers: bytes
// before the ones asked for are inflated and discarded, and asking for bytes behind the current position
// starts again from the member's first compressed byte. Nothing is ever allocated by a size the archive
// declares: a zip bomb costs time, not memory, and output beyond the declared inflated size is an error.
// When the stream is inflated to its end, its length and CRC-32 are checked against the zip directory.
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "rankme/formats/read_only_file.hpp"
#include "rankme/formats/tensor_entry.hpp"

namespace rankme {

class InflatingStream {
 public:
  // `what` names the member in messages ("'x.npz': member 'emb.npy'"). Reads through `file`, which must
  // outlive the stream.
  InflatingStream(const ReadOnlyFile& file, DeflatedStream stream, std::string what);
  ~InflatingStream();
  InflatingStream(const InflatingStream&) = delete;
  InflatingStream& operator=(const InflatingStream&) = delete;

  // Copies inflated bytes [offset, offset + bytes) to `into`. Throws std::runtime_error("<what>: ...") when
  // the member is corrupt, shorter than that, or inflates to more than it declares.
  void read(std::uint64_t offset, std::size_t bytes, unsigned char* into);
  // Bytes inflated since the last (re)start.
  std::uint64_t position() const { return position_; }
  // How many times inflating started from the member's beginning (1 after the first read).
  std::uint64_t passes() const { return passes_; }

 private:
  struct Inflater;
  void restart();
  // Inflates up to `bytes` more bytes into `into` (nullptr: discard them); returns how many came out.
  std::size_t inflate_some(unsigned char* into, std::size_t bytes);
  void finish();  // at the declared end: the stream must end there, with the right CRC-32
  [[noreturn]] void fail(const std::string& problem) const;

  const ReadOnlyFile& file_;
  DeflatedStream stream_;
  std::string what_;
  std::unique_ptr<Inflater> inflater_;
  std::vector<unsigned char> input_;    // compressed bytes read from the file, not yet consumed
  std::vector<unsigned char> discard_;  // where skipped bytes are inflated to
  std::uint64_t consumed_ = 0;          // compressed bytes read from the file since the (re)start
  std::uint64_t position_ = 0;
  std::uint64_t passes_ = 0;
  std::uint32_t crc_ = 0;
  bool ended_ = false;                  // zlib reported the end of the deflate stream
};

}  // namespace rankme
