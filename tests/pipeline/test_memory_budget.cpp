// What --max-memory holds datasets to: the per-rank estimate (checked against what the pipeline
// allocates), sizes as written on the command line, and the node's memory.
#include <gtest/gtest.h>

#include <cstdint>
#include <limits>
#include <stdexcept>

#include "rankme/pipeline/memory_budget.hpp"

namespace rankme {
namespace {

TEST(MemorySize, ParsesBinaryMultiplesWithOrWithoutIB) {
  EXPECT_EQ(parse_memory_size("100000000"), 100000000u);
  EXPECT_EQ(parse_memory_size("512M"), std::uint64_t{512} << 20);
  EXPECT_EQ(parse_memory_size("4G"), std::uint64_t{4} << 30);
  EXPECT_EQ(parse_memory_size("4GiB"), std::uint64_t{4} << 30);
  EXPECT_EQ(parse_memory_size("4gb"), std::uint64_t{4} << 30);
  EXPECT_EQ(parse_memory_size("1.5K"), 1536u);
  EXPECT_EQ(parse_memory_size("2T"), std::uint64_t{2} << 40);
  for (const char* bad : {"", "lots", "4X", "-1G", "0", "4GG", "1e30T", "nan"}) {
    EXPECT_THROW(parse_memory_size(bad), std::invalid_argument) << bad;
  }
}

TEST(MemorySize, DescribesBytesInTheLargestUnitBelowTheValue) {
  EXPECT_EQ(describe_bytes(512), "512 bytes");
  EXPECT_EQ(describe_bytes(1536), "1.5 KiB");
  EXPECT_EQ(describe_bytes(std::uint64_t{128} << 30), "128.0 GiB");
  EXPECT_EQ(describe_bytes(std::numeric_limits<std::uint64_t>::max()), "more than 16 EiB");
}

MemoryShape shape_of(std::uint64_t cols, std::uint64_t block_rows = 1000) {
  MemoryShape shape;
  shape.cols = cols;
  shape.block_rows = block_rows;
  shape.stored_bytes = 4;
  return shape;
}

TEST(MemoryEstimate, CountsTheGramMatrixTheBlocksAndTheFloatScratch) {
  MemoryShape shape = shape_of(1024);
  const MemoryEstimate double_route = estimate_memory_per_rank(shape);
  EXPECT_EQ(double_route.gram, std::uint64_t{1024} * 1024 * 8);
  EXPECT_EQ(double_route.single, 0u);
  EXPECT_EQ(double_route.blocks, std::uint64_t{2} * 1000 * 1024 * (4 + 8));  // two slots, stored + decoded
  EXPECT_EQ(double_route.chunks, 0u);
  shape.mixed = true;
  shape.value_bytes = 4;
  const MemoryEstimate mixed = estimate_memory_per_rank(shape);
  EXPECT_EQ(mixed.single, std::uint64_t{1024} * 1024 * 4);
  EXPECT_GT(mixed.total(), double_route.total());
  // Chunks of 128 x 1024 float32 (512 KiB) decoded on 2 threads: a stored block of chunks in a batch
  // (1000 x 1024 x 4 bytes), 2 chunks of scratch per thread, the chunk row kept for the next block.
  shape.chunk_bytes = 512 << 10;
  shape.chunk_rows = 128;
  shape.decode_threads = 2;
  EXPECT_EQ(estimate_memory_per_rank(shape).chunks, std::uint64_t{1000} * 1024 * 4 + (std::uint64_t{2} << 20) + (512 << 10));
  // Chunks of 1 GiB, taller than a block: the batch holds two of them, the scratch two, the kept row one.
  shape.chunk_bytes = std::uint64_t{1} << 30;
  shape.chunk_rows = 1 << 18;
  shape.decode_threads = 1;
  EXPECT_EQ(estimate_memory_per_rank(shape).chunks, std::uint64_t{5} << 30);
}

TEST(MemoryEstimate, TsqrCountsOneFactorPerThreadAPartnersAndThePanels) {
  MemoryShape shape = shape_of(1024);
  shape.tsqr = true;
  for (int threads : {1, 2, 4}) {
    shape.threads = threads;
    const MemoryEstimate tsqr = estimate_memory_per_rank(shape);
    EXPECT_EQ(tsqr.gram, std::uint64_t{1024} * 1024 * 8 * static_cast<std::uint64_t>(threads + 1)) << threads;
    // Two slots of stored + decoded values, the panels of the block's rows and each thread's K x 128 product.
    EXPECT_EQ(tsqr.blocks, std::uint64_t{2} * 1000 * 1024 * (4 + 8) + 1000 * 128 * 8 +
                               static_cast<std::uint64_t>(threads) * 1024 * 128 * 8) << threads;
  }
}

TEST(MemoryEstimate, ScalapackPiecesShrinkWithTheRanksAndLapackWorksInPlace) {
  MemoryShape shape = shape_of(8192);
  const std::uint64_t lapack = estimate_memory_per_rank(shape).eigensolve;
  EXPECT_LT(lapack, std::uint64_t{8192} * 8192);  // a band workspace, not another matrix
  shape.scalapack = true;
  shape.ranks = 4;
  const std::uint64_t four = estimate_memory_per_rank(shape).eigensolve;
  shape.ranks = 16;
  const std::uint64_t sixteen = estimate_memory_per_rank(shape).eigensolve;
  EXPECT_GT(four, sixteen);
  EXPECT_GE(four, std::uint64_t{8192} * 8192 * 16 / 4);
}

TEST(MemoryEstimate, DeclaredShapesThatOverflowSaturateInsteadOfWrapping) {
  // K = 2^33: K^2 * 8 is 2^69 bytes, beyond 64 bits; a wrapped product could look small enough.
  const MemoryEstimate huge = estimate_memory_per_rank(shape_of(std::uint64_t{1} << 33, std::uint64_t{1} << 40));
  EXPECT_EQ(huge.gram, std::numeric_limits<std::uint64_t>::max());
  EXPECT_EQ(huge.total(), std::numeric_limits<std::uint64_t>::max());
  EXPECT_NE(huge.describe().find("more than 16 EiB"), std::string::npos) << huge.describe();
  // 2^20 columns: 8 TiB of Gram matrix, said so.
  const MemoryEstimate wide = estimate_memory_per_rank(shape_of(std::uint64_t{1} << 20, 64));
  EXPECT_NE(wide.describe().find("Gram matrix 8.0 TiB"), std::string::npos) << wide.describe();
}

TEST(NodeMemory, IsKnownHereAndNoMoreThanThePhysicalMemory) {
  const auto memory = node_memory_bytes();
  ASSERT_TRUE(memory.has_value());
  EXPECT_GT(*memory, std::uint64_t{64} << 20);
}

}  // namespace
}  // namespace rankme
