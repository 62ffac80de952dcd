#pragma once
// Inflating a whole zlib stream (RFC 1950: deflate with an Adler-32 check, what HDF5's deflate filter
// writes through zlib's compress2) into a buffer of known size, with libdeflate: a thin owning wrapper
// over one libdeflate decompressor. libdeflate decodes a whole buffer about 4x faster than zlib's
// streaming inflate, which HDF5's own filter uses (0.47 against 0.11 GB/s measured on the benchmark's
// gzip chunks).
//
// A decompressor may not be shared by two threads at once: each decoding thread owns one.
#include <cstddef>

struct libdeflate_decompressor;

namespace rankme {

class ZlibInflater {
 public:
  // Throws std::bad_alloc when libdeflate cannot allocate its decompressor.
  ZlibInflater();
  ~ZlibInflater();
  ZlibInflater(const ZlibInflater&) = delete;
  ZlibInflater& operator=(const ZlibInflater&) = delete;
  ZlibInflater(ZlibInflater&& other) noexcept;
  ZlibInflater& operator=(ZlibInflater&& other) noexcept;

  // Inflates the stream at the start of [in, in + in_bytes) into exactly `out_bytes` bytes at `out`.
  // Bytes after the stream's end are ignored, as zlib's inflate (and so HDF5) ignores them. Throws
  // std::runtime_error with the reason, which is about the stream only (the caller says whose it is):
  // "deflate stream is corrupt" (bad codes, a wrong Adler-32, a stream cut short), "deflate stream
  // inflates to more than the N bytes expected", "deflate stream inflates to M bytes, not N".
  void inflate_exactly(const unsigned char* in, std::size_t in_bytes, unsigned char* out, std::size_t out_bytes);

 private:
  libdeflate_decompressor* decompressor_ = nullptr;
};

}  // namespace rankme
