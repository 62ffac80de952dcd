// Which filter pipelines rankme decodes itself (chunk_filters.hpp), HDF5's shuffle undone as HDF5 does it,
// and one chunk decoded with the filters its mask leaves.
#include "rankme/io/chunk_filters.hpp"

#include <gtest/gtest.h>
#include <hdf5.h>

#include <cstdint>
#include <functional>
#include <random>
#include <stdexcept>
#include <string>
#include <vector>

#include "rankme/io/hdf5_handle.hpp"

namespace rankme {
namespace {

// A dataset creation property list for 2-D chunks of 8 x 8, set up by `configure`.
Hdf5Handle creation_properties(const std::function<void(hid_t)>& configure) {
  Hdf5Handle properties(H5Pcreate(H5P_DATASET_CREATE), H5Pclose);
  const hsize_t chunk[2] = {8, 8};
  H5Pset_chunk(properties.get(), 2, chunk);
  configure(properties.get());
  return properties;
}

TEST(ChunkFilters, DeflateWithOrWithoutShuffleBeforeIt) {
  const Hdf5Handle deflate = creation_properties([](hid_t p) { H5Pset_deflate(p, 4); });
  const auto alone = decodable_chunk_filters(deflate.get());
  ASSERT_TRUE(alone.has_value());
  EXPECT_EQ(alone->deflate_position, 0);
  EXPECT_EQ(alone->shuffle_position, -1);

  // H5Pset_shuffle leaves the element size to the dataset's creation: set here as HDF5 then does.
  const Hdf5Handle shuffled = creation_properties([](hid_t p) {
    const unsigned element_bytes = 8;
    H5Pset_filter(p, H5Z_FILTER_SHUFFLE, H5Z_FLAG_OPTIONAL, 1, &element_bytes);
    H5Pset_deflate(p, 9);
  });
  const auto both = decodable_chunk_filters(shuffled.get());
  ASSERT_TRUE(both.has_value());
  EXPECT_EQ(both->shuffle_position, 0);
  EXPECT_EQ(both->deflate_position, 1);
  EXPECT_EQ(both->shuffle_element_bytes, 8u);
  // Masks: bit i skips the filter at position i.
  EXPECT_TRUE(both->deflate_applies(0));
  EXPECT_FALSE(both->deflate_applies(2));
  EXPECT_TRUE(both->shuffle_applies(2));
  EXPECT_FALSE(both->shuffle_applies(1));
}

TEST(ChunkFilters, EveryOtherPipelineIsLeftToHdf5) {
  const std::vector<std::pair<std::string, std::function<void(hid_t)>>> others = {
      {"no filter", [](hid_t) {}},
      {"shuffle alone", [](hid_t p) { H5Pset_shuffle(p); }},
      {"deflate then shuffle", [](hid_t p) {
         H5Pset_deflate(p, 4);
         H5Pset_shuffle(p);
       }},
      {"deflate twice", [](hid_t p) {
         H5Pset_deflate(p, 4);
         H5Pset_deflate(p, 1);
       }},
      {"fletcher32 after deflate", [](hid_t p) {
         H5Pset_deflate(p, 4);
         H5Pset_fletcher32(p);
       }},
      {"nbit", [](hid_t p) {
         H5Pset_nbit(p);
         H5Pset_deflate(p, 4);
       }},
      {"scaleoffset", [](hid_t p) { H5Pset_scaleoffset(p, H5Z_SO_FLOAT_DSCALE, 3); }},
      {"lzf (a plugin's id)", [](hid_t p) { H5Pset_filter(p, 32000, H5Z_FLAG_OPTIONAL, 0, nullptr); }},
  };
  for (const auto& [name, configure] : others) {
    const Hdf5Handle properties = creation_properties(configure);
    EXPECT_FALSE(decodable_chunk_filters(properties.get()).has_value()) << name;
  }
  // A mandatory deflate is as good as an optional one; a contiguous dataset has no chunks at all.
  const Hdf5Handle mandatory = creation_properties([](hid_t p) {
    const unsigned level = 4;
    H5Pset_filter(p, H5Z_FILTER_DEFLATE, H5Z_FLAG_MANDATORY, 1, &level);
  });
  EXPECT_TRUE(decodable_chunk_filters(mandatory.get()).has_value());
  Hdf5Handle contiguous(H5Pcreate(H5P_DATASET_CREATE), H5Pclose);
  EXPECT_FALSE(decodable_chunk_filters(contiguous.get()).has_value());
  // Edge chunks left unfiltered: decoded here, knowing it.
  const Hdf5Handle edges = creation_properties([](hid_t p) {
    H5Pset_chunk_opts(p, H5D_CHUNK_DONT_FILTER_PARTIAL_CHUNKS);
    H5Pset_deflate(p, 4);
  });
  const auto unfiltered_edges = decodable_chunk_filters(edges.get());
  ASSERT_TRUE(unfiltered_edges.has_value());
  EXPECT_TRUE(unfiltered_edges->partial_edge_chunks_unfiltered);
  EXPECT_FALSE(decodable_chunk_filters(mandatory.get())->partial_edge_chunks_unfiltered);
}

// HDF5's shuffle, forward, written out independently: byte b of element e to b * elements + e.
std::vector<unsigned char> shuffle(const std::vector<unsigned char>& in, std::size_t element_bytes) {
  const std::size_t elements = in.size() / element_bytes;
  if (element_bytes <= 1 || elements <= 1) return in;
  std::vector<unsigned char> out(in);
  for (std::size_t e = 0; e < elements; ++e) {
    for (std::size_t b = 0; b < element_bytes; ++b) out[b * elements + e] = in[e * element_bytes + b];
  }
  return out;  // the bytes after the last whole element stay where they were
}

std::vector<unsigned char> random_bytes(std::size_t count, std::uint64_t seed) {
  std::mt19937_64 random(seed);
  std::vector<unsigned char> bytes(count);
  for (unsigned char& byte : bytes) byte = static_cast<unsigned char>(random());
  return bytes;
}

TEST(ChunkFilters, UnshuffleUndoesHdf5sShuffle) {
  for (std::size_t element_bytes : {1, 2, 3, 4, 8}) {
    for (std::size_t bytes : {0, 1, 7, 8, 64, 4099}) {
      SCOPED_TRACE(std::to_string(bytes) + " bytes of " + std::to_string(element_bytes));
      const std::vector<unsigned char> original = random_bytes(bytes, bytes * 10 + element_bytes);
      std::vector<unsigned char> back(bytes + 1, 0x77);  // one byte past: never written
      unshuffle(shuffle(original, element_bytes).data(), bytes, element_bytes, back.data());
      EXPECT_EQ(std::vector<unsigned char>(back.begin(), back.end() - 1), original);
      EXPECT_EQ(back.back(), 0x77);
    }
  }
  // 5 elements of 4 bytes and 3 left over: the planes, then the 3 bytes as they were.
  std::vector<unsigned char> planes(23);
  for (std::size_t i = 0; i < planes.size(); ++i) planes[i] = static_cast<unsigned char>(i);
  std::vector<unsigned char> out(23);
  unshuffle(planes.data(), planes.size(), 4, out.data());
  EXPECT_EQ(out[0], 0);
  EXPECT_EQ(out[1], 5);
  EXPECT_EQ(out[2], 10);
  EXPECT_EQ(out[3], 15);
  EXPECT_EQ(out[4], 1);
  EXPECT_EQ(out[19], 19);
  EXPECT_EQ(out[20], 20);
  EXPECT_EQ(out[22], 22);
}

TEST(ChunkFilters, AChunkWhoseMaskSkipsFiltersIsDecodedWithTheOthers) {
  const ChunkFilters filters{1, 0, 4};  // shuffle at 0, deflate at 1
  const std::vector<unsigned char> chunk = random_bytes(256, 7);
  ZlibInflater inflater;
  std::vector<unsigned char> out(chunk.size()), stage(chunk.size());
  // Both skipped: stored as it is.
  decode_chunk(filters, 3, chunk.data(), chunk.size(), out.data(), chunk.size(), stage.data(), inflater);
  EXPECT_EQ(out, chunk);
  // Deflate skipped: stored shuffled.
  const std::vector<unsigned char> shuffled = shuffle(chunk, 4);
  std::fill(out.begin(), out.end(), 0);
  decode_chunk(filters, 2, shuffled.data(), shuffled.size(), out.data(), chunk.size(), stage.data(), inflater);
  EXPECT_EQ(out, chunk);
  // Stored uncompressed but not of the chunk's size: refused, saying so.
  try {
    decode_chunk(filters, 3, chunk.data(), chunk.size() - 1, out.data(), chunk.size(), stage.data(), inflater);
    FAIL() << "a short chunk was accepted";
  } catch (const std::runtime_error& error) {
    EXPECT_NE(std::string(error.what()).find("255 bytes, not the chunk's 256"), std::string::npos) << error.what();
  }
  // Deflate applies: garbage is a corrupt stream.
  try {
    decode_chunk(filters, 1, chunk.data(), chunk.size(), out.data(), chunk.size(), stage.data(), inflater);
    FAIL() << "garbage inflated";
  } catch (const std::runtime_error& error) {
    EXPECT_STREQ(error.what(), "deflate stream is corrupt");
  }
}

}  // namespace
}  // namespace rankme
