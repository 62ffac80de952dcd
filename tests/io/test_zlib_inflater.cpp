// libdeflate behind ZlibInflater (zlib_inflater.hpp), on a stream HDF5's own deflate filter wrote (zlib's
// compress2, through H5Pset_deflate): it inflates to the bytes HDF5 reads back, ignores bytes after the
// stream as zlib does, and refuses a damaged stream, a wrong checksum and a size other than expected, each
// with its own reason.
#include "rankme/io/zlib_inflater.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "support/hdf5_stored_chunks.hpp"
#include "support/temporary_directory.hpp"

namespace rankme {
namespace {

struct DeflatedChunk {
  std::vector<unsigned char> stream;    // as stored
  std::vector<unsigned char> inflated;  // as HDF5 reads it
};

// One chunk of 64 x 32 float32 that deflate shrinks (smooth values), written by HDF5 at `level`.
DeflatedChunk deflated_chunk(int level) {
  testing::TemporaryDirectory directory("rankme-zlib-inflater-");
  const std::string file = directory.file("chunk.h5");
  std::vector<float> values(64 * 32);
  for (std::size_t i = 0; i < values.size(); ++i) values[i] = static_cast<float>(std::sin(0.01 * static_cast<double>(i)));
  testing::ChunkedFloat32 options;
  options.chunk = {64, 32};
  options.gzip_level = level;
  testing::write_chunked_float32(file, "/x", values, {64, 32}, options);
  const std::vector<testing::StoredChunk> chunks = testing::stored_chunks(file, "/x");
  if (chunks.size() != 1) throw std::runtime_error("expected one chunk");
  DeflatedChunk chunk;
  chunk.stream.resize(chunks[0].size);
  std::ifstream in(file, std::ios::binary);
  in.seekg(static_cast<std::streamoff>(chunks[0].address));
  in.read(reinterpret_cast<char*>(chunk.stream.data()), static_cast<std::streamsize>(chunk.stream.size()));
  chunk.inflated = testing::read_with_hdf5(file, "/x", {{0, 64}});
  return chunk;
}

std::string failure(ZlibInflater& inflater, const std::vector<unsigned char>& stream, std::size_t out_bytes) {
  std::vector<unsigned char> out(out_bytes + 16);
  try {
    inflater.inflate_exactly(stream.data(), stream.size(), out.data(), out_bytes);
  } catch (const std::runtime_error& error) {
    return error.what();
  }
  return "";
}

TEST(ZlibInflater, InflatesWhatHdf5DeflatedToTheBytesHdf5Reads) {
  ZlibInflater inflater;
  for (int level : {1, 6, 9}) {
    SCOPED_TRACE("level " + std::to_string(level));
    const DeflatedChunk chunk = deflated_chunk(level);
    ASSERT_LT(chunk.stream.size(), chunk.inflated.size()) << "the fixture did not compress";
    std::vector<unsigned char> out(chunk.inflated.size());
    inflater.inflate_exactly(chunk.stream.data(), chunk.stream.size(), out.data(), out.size());
    EXPECT_EQ(out, chunk.inflated);
    // Bytes after the stream's end are not part of it (zlib's inflate stops at its end too).
    std::vector<unsigned char> padded = chunk.stream;
    padded.insert(padded.end(), 100, 0xab);
    std::fill(out.begin(), out.end(), 0);
    inflater.inflate_exactly(padded.data(), padded.size(), out.data(), out.size());
    EXPECT_EQ(out, chunk.inflated);
  }
}

TEST(ZlibInflater, RefusesDamageAndSizesOtherThanExpected) {
  ZlibInflater inflater;
  const DeflatedChunk chunk = deflated_chunk(4);
  const std::size_t size = chunk.inflated.size();
  EXPECT_EQ(failure(inflater, chunk.stream, size), "");
  // The Adler-32 of the inflated bytes ends the stream: one bit of it wrong.
  std::vector<unsigned char> checksum = chunk.stream;
  checksum.back() ^= 0x01;
  EXPECT_EQ(failure(inflater, checksum, size), "deflate stream is corrupt");
  // Cut short, and garbage from the start.
  const std::vector<unsigned char> cut(chunk.stream.begin(), chunk.stream.begin() + static_cast<std::ptrdiff_t>(chunk.stream.size() / 2));
  EXPECT_EQ(failure(inflater, cut, size), "deflate stream is corrupt");
  EXPECT_EQ(failure(inflater, std::vector<unsigned char>(chunk.stream.size(), 0xff), size), "deflate stream is corrupt");
  // Bytes flipped in the middle: refused, whatever the decoder makes of them first.
  std::vector<unsigned char> flipped = chunk.stream;
  for (std::size_t i = flipped.size() / 3; i < flipped.size() / 3 + 8; ++i) flipped[i] ^= 0x5a;
  EXPECT_NE(failure(inflater, flipped, size), "");
  // A good stream of another size than the chunk's.
  EXPECT_EQ(failure(inflater, chunk.stream, size - 4), "deflate stream inflates to more than the " + std::to_string(size - 4) + " bytes expected");
  EXPECT_EQ(failure(inflater, chunk.stream, size + 4), "deflate stream inflates to " + std::to_string(size) + " bytes, not " + std::to_string(size + 4));
  // And the inflater is still good after all that.
  EXPECT_EQ(failure(inflater, chunk.stream, size), "");
}

TEST(ZlibInflater, MovesItsDecompressor) {
  const DeflatedChunk chunk = deflated_chunk(4);
  ZlibInflater first;
  ZlibInflater second(std::move(first));
  ZlibInflater third;
  third = std::move(second);
  std::vector<unsigned char> out(chunk.inflated.size());
  third.inflate_exactly(chunk.stream.data(), chunk.stream.size(), out.data(), out.size());
  EXPECT_EQ(out, chunk.inflated);
}

}  // namespace
}  // namespace rankme
