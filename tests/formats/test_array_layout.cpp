#include "rankme/formats/array_layout.hpp"

#include <gtest/gtest.h>

#include <limits>
#include <stdexcept>

namespace rankme {
namespace {

const StoredType float32{StoredType::Kind::floating, 4, false};

TEST(ArrayLayout, COrderAndFortranOrderStrides) {
  const ArrayLayout c = ArrayLayout::c_order(float32, {5, 3, 2}, 128);
  EXPECT_EQ(c.strides, (std::vector<std::uint64_t>{6, 2, 1}));
  EXPECT_TRUE(c.c_contiguous());
  EXPECT_EQ(c.end_byte(), 128u + 30u * 4u);
  const ArrayLayout f = ArrayLayout::fortran_order(float32, {5, 3}, 0);
  EXPECT_EQ(f.strides, (std::vector<std::uint64_t>{1, 5}));
  EXPECT_FALSE(f.c_contiguous());
  EXPECT_EQ(f.end_byte(), 60u);
  // An axis of extent 1 is never stepped along: (1, 4) in Fortran order is contiguous.
  EXPECT_TRUE(ArrayLayout::fortran_order(float32, {1, 4}, 0).c_contiguous());
}

TEST(ArrayLayout, AViewEndsAtItsLastElementNotAtItsStorage) {
  // z.t() of a 4 x 3 tensor: shape (3, 4), strides (1, 3), storage offset 2 elements.
  const ArrayLayout view{float32, {3, 4}, {1, 3}, 8};
  EXPECT_EQ(view.end_byte(), 8u + (2u + 9u + 1u) * 4u);
  EXPECT_NO_THROW(view.check_inside(56, "t"));
  EXPECT_THROW(view.check_inside(55, "t"), std::runtime_error);
}

TEST(ArrayLayout, EmptyArraysOccupyNothing) {
  const ArrayLayout empty = ArrayLayout::c_order(float32, {0, 7}, 64);
  EXPECT_EQ(empty.element_count(), 0u);
  EXPECT_EQ(empty.end_byte(), 64u);
}

TEST(ArrayLayout, HeadersThatLieAreRefusedWithTheirNumbers) {
  const ArrayLayout lying = ArrayLayout::c_order(float32, {1000, 1000}, 128);
  try {
    lying.check_inside(4096, "'x.npy'");
    FAIL() << "accepted";
  } catch (const std::runtime_error& error) {
    const std::string message = error.what();
    EXPECT_NE(message.find("'x.npy'"), std::string::npos) << message;
    EXPECT_NE(message.find("(1000, 1000)"), std::string::npos) << message;
    EXPECT_NE(message.find("4096"), std::string::npos) << message;
  }
  const std::uint64_t huge = std::numeric_limits<std::uint64_t>::max() / 2;
  EXPECT_THROW(ArrayLayout::c_order(float32, {huge, huge}, 0).check_inside(100, "h"), std::runtime_error);
  EXPECT_THROW((ArrayLayout{float32, {huge}, {4}, 0}.check_inside(100, "h")), std::runtime_error);
  EXPECT_THROW((ArrayLayout{float32, {2, 2}, {1}, 0}.check_inside(100, "h")), std::runtime_error);
  EXPECT_THROW((ArrayLayout{float32, {}, {}, 0}.check_inside(100, "h")), std::runtime_error);
}

TEST(ShapeText, PrintsAsNumpyDoes) {
  EXPECT_EQ(shape_text({5}), "(5,)");
  EXPECT_EQ(shape_text({3, 4, 2}), "(3, 4, 2)");
}

}  // namespace
}  // namespace rankme
