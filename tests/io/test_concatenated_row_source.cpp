// ConcatenatedRowSource over matrices in memory: runs mapped onto the parts they span, every part read
// once per read (the collective contract), and a fingerprint that changes with any part.
#include "rankme/io/concatenated_row_source.hpp"

#include <gtest/gtest.h>

#include <cstring>
#include <memory>
#include <vector>

#include "rankme/io/memory_row_source.hpp"

namespace rankme {
namespace {

const StoredType int32{StoredType::Kind::signed_int, 4, false};

// `rows` rows of 2 int32 values: first + row, and -(first + row).
std::unique_ptr<MemoryRowSource> part(std::int32_t first, std::uint64_t rows, MemoryRowSource** keep = nullptr,
                                      const StoredType& type = int32, std::uint64_t cols = 2) {
  std::vector<std::int32_t> values;
  for (std::uint64_t row = 0; row < rows; ++row) {
    for (std::uint64_t col = 0; col < cols; ++col) values.push_back((col % 2 ? -1 : 1) * (first + static_cast<std::int32_t>(row)));
  }
  std::vector<unsigned char> bytes(values.size() * sizeof(std::int32_t));
  std::memcpy(bytes.data(), values.data(), bytes.size());
  auto source = std::make_unique<MemoryRowSource>(type, rows, cols, std::move(bytes));
  if (keep) *keep = source.get();
  return source;
}

std::vector<std::int32_t> firsts(ConcatenatedRowSource& source, const std::vector<RowRun>& runs) {
  std::uint64_t rows = 0;
  for (const RowRun& run : runs) rows += run.count;
  std::vector<std::int32_t> out(rows * 2);
  source.read_rows(runs, reinterpret_cast<unsigned char*>(out.data()), out.size() * sizeof(std::int32_t));
  std::vector<std::int32_t> column;
  for (std::size_t i = 0; i < out.size(); i += 2) {
    EXPECT_EQ(out[i + 1], -out[i]);
    column.push_back(out[i]);
  }
  return column;
}

TEST(ConcatenatedRowSource, StacksThePartsRowsInOrder) {
  std::vector<std::unique_ptr<RowSource>> parts;
  MemoryRowSource *a = nullptr, *b = nullptr, *c = nullptr;
  parts.push_back(part(0, 3, &a));      // rows 0..2
  parts.push_back(part(100, 1, &b));    // row 3
  parts.push_back(part(200, 4, &c));    // rows 4..7
  ConcatenatedRowSource stacked(std::move(parts));
  EXPECT_EQ(stacked.rows(), 8u);
  EXPECT_EQ(stacked.cols(), 2u);
  EXPECT_EQ(firsts(stacked, {{0, 8}}), (std::vector<std::int32_t>{0, 1, 2, 100, 200, 201, 202, 203}));
  EXPECT_EQ(firsts(stacked, {{2, 3}, {6, 2}}), (std::vector<std::int32_t>{2, 100, 200, 202, 203}));
  // Every part is read once per read, with nothing when the block does not touch it.
  EXPECT_EQ(firsts(stacked, {{5, 1}}), (std::vector<std::int32_t>{201}));
  EXPECT_EQ(firsts(stacked, {}), (std::vector<std::int32_t>{}));
  EXPECT_EQ(a->read_calls(), 4u);
  EXPECT_EQ(b->read_calls(), 4u);
  EXPECT_EQ(c->read_calls(), 4u);
  std::vector<std::int32_t> out(4);
  EXPECT_THROW(stacked.read_rows({{7, 2}}, reinterpret_cast<unsigned char*>(out.data()), 16), std::out_of_range);
}

TEST(ConcatenatedRowSource, RefusesPartsOfOtherWidthOrType) {
  std::vector<std::unique_ptr<RowSource>> wide;
  wide.push_back(part(0, 2));
  wide.push_back(part(0, 2, nullptr, int32, 4));
  EXPECT_THROW(ConcatenatedRowSource{std::move(wide)}, std::invalid_argument);
  std::vector<std::unique_ptr<RowSource>> typed;
  typed.push_back(part(0, 2));
  typed.push_back(part(0, 2, nullptr, StoredType{StoredType::Kind::unsigned_int, 4, false}));
  EXPECT_THROW(ConcatenatedRowSource{std::move(typed)}, std::invalid_argument);
  EXPECT_THROW(ConcatenatedRowSource{std::vector<std::unique_ptr<RowSource>>{}}, std::invalid_argument);
}

TEST(ConcatenatedRowSource, AChangeToAnyPartChangesTheFingerprint) {
  std::vector<std::unique_ptr<RowSource>> parts;
  MemoryRowSource* second = nullptr;
  parts.push_back(part(0, 2));
  parts.push_back(part(10, 2, &second));
  ConcatenatedRowSource stacked(std::move(parts));
  const FileFingerprint before = stacked.fingerprint();
  EXPECT_FALSE(before.change_to(stacked.fingerprint()).has_value());
  second->replace_bytes(std::vector<unsigned char>(2 * 2 * 4, 0));  // same size, rewritten
  EXPECT_TRUE(before.change_to(stacked.fingerprint()).has_value());
}

}  // namespace
}  // namespace rankme
