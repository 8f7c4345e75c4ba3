// Bit operations on byte strings, against a bit-by-bit model.
#include "types/bitmap.h"

#include <gtest/gtest.h>

#include <random>
#include <string>

namespace ember::bitmap {
namespace {

std::string RandomBytes(std::mt19937_64& rng, size_t n, int density) {
  std::string s(n, '\0');
  for (char& c : s) {
    uint8_t b = 0;
    for (int i = 0; i < 8; ++i) b = static_cast<uint8_t>((b << 1) | (int(rng() % 100) < density));
    c = static_cast<char>(b);
  }
  return s;
}

TEST(BitmapTest, CountBitsMatchesABitByBitCount) {
  std::mt19937_64 rng(1);
  for (size_t n : {0, 1, 7, 8, 9, 31, 32, 33, 100, 1000}) {
    std::string s = RandomBytes(rng, n, 50);
    uint64_t expected = 0;
    for (uint64_t i = 0; i < n * 8; ++i) expected += GetBit(s, i);
    EXPECT_EQ(CountBits(s), expected) << n;
  }
  EXPECT_EQ(CountBits(std::string(1000, '\xff')), 8000u);
}

TEST(BitmapTest, FindBitFindsTheFirstMatchingBitInRange) {
  std::mt19937_64 rng(2);
  for (int round = 0; round < 300; ++round) {
    size_t n = 1 + rng() % 40;
    // Sparse and dense strings, so long runs of equal words are skipped.
    std::string s = RandomBytes(rng, n, round % 3 == 0 ? 1 : round % 3 == 1 ? 99 : 50);
    uint64_t first = rng() % (n * 8), last = first + rng() % (n * 8 - first);
    for (bool bit : {false, true}) {
      int64_t expected = -1;
      for (uint64_t i = first; i <= last; ++i) {
        if (GetBit(s, i) == bit) {
          expected = static_cast<int64_t>(i);
          break;
        }
      }
      EXPECT_EQ(FindBit(s, first, last, bit), expected) << round << " " << first << " " << last;
    }
  }
}

TEST(BitmapTest, SetBitAndGetBitUseMostSignificantBitFirst) {
  uint8_t bytes[2] = {0, 0};
  SetBit(bytes, 0, true);
  SetBit(bytes, 15, true);
  EXPECT_EQ(bytes[0], 0x80);
  EXPECT_EQ(bytes[1], 0x01);
  std::string_view v(reinterpret_cast<char*>(bytes), 2);
  EXPECT_TRUE(GetBit(v, 0));
  EXPECT_FALSE(GetBit(v, 1));
  EXPECT_FALSE(GetBit(v, 100));  // past the end: zero
  SetBit(bytes, 0, false);
  EXPECT_EQ(bytes[0], 0);
}

TEST(BitmapTest, ComputePadsShorterSourcesWithZeros) {
  std::string a = "\xff\x0f\xf0", b = "\x0f";
  std::string_view sources[] = {a, b};
  uint8_t out[3];
  Compute(BitOp::kAnd, sources, out, 3);
  EXPECT_EQ(std::string(reinterpret_cast<char*>(out), 3), std::string("\x0f\x00\x00", 3));
  Compute(BitOp::kOr, sources, out, 3);
  EXPECT_EQ(std::string(reinterpret_cast<char*>(out), 3), "\xff\x0f\xf0");
  Compute(BitOp::kXor, sources, out, 3);
  EXPECT_EQ(std::string(reinterpret_cast<char*>(out), 3), "\xf0\x0f\xf0");
  Compute(BitOp::kNot, std::span(sources, 1), out, 3);
  EXPECT_EQ(std::string(reinterpret_cast<char*>(out), 3), std::string("\x00\xf0\x0f", 3));
}

TEST(BitmapTest, FieldsRoundTripAtEveryWidthAndOffset) {
  std::mt19937_64 rng(3);
  for (int bits = 1; bits <= 64; ++bits) {
    for (uint64_t offset : {0, 1, 5, 7, 8, 13, 63}) {
      uint8_t bytes[24] = {};
      uint64_t value = rng();
      SetField(bytes, offset, static_cast<uint8_t>(bits), value);
      std::string_view v(reinterpret_cast<char*>(bytes), sizeof(bytes));
      uint64_t mask = bits == 64 ? ~uint64_t{0} : (uint64_t{1} << bits) - 1;
      ASSERT_EQ(GetField(v, offset, static_cast<uint8_t>(bits)), value & mask) << bits;
      // Nothing outside the field was touched.
      EXPECT_EQ(CountBits(v), static_cast<uint64_t>(std::popcount(value & mask)));
      for (uint64_t i = 0; i < offset; ++i) EXPECT_FALSE(GetBit(v, i));
    }
  }
  // Signed fields read sign-extended; reads past the end see zeros.
  uint8_t bytes[1] = {0xf0};
  std::string_view v(reinterpret_cast<char*>(bytes), 1);
  EXPECT_EQ(GetFieldValue(v, 0, {true, 4}), -1);
  EXPECT_EQ(GetFieldValue(v, 0, {false, 4}), 15);
  EXPECT_EQ(GetFieldValue(v, 4, {true, 8}), 0);
  EXPECT_EQ(GetFieldValue(v, 2, {true, 4}), -4);  // 1100
}

TEST(BitmapTest, AddToFieldWrapsSaturatesOrFails) {
  int64_t r;
  FieldType i8{true, 8}, u8{false, 8}, i64{true, 64}, u63{false, 63};
  EXPECT_TRUE(AddToField(i8, 100, 100, Overflow::kWrap, &r));
  EXPECT_EQ(r, -56);
  EXPECT_TRUE(AddToField(i8, 100, 100, Overflow::kSat, &r));
  EXPECT_EQ(r, 127);
  EXPECT_TRUE(AddToField(i8, -100, -100, Overflow::kSat, &r));
  EXPECT_EQ(r, -128);
  EXPECT_FALSE(AddToField(i8, 100, 100, Overflow::kFail, &r));
  EXPECT_TRUE(AddToField(u8, 250, 10, Overflow::kWrap, &r));
  EXPECT_EQ(r, 4);
  EXPECT_TRUE(AddToField(u8, 5, -10, Overflow::kSat, &r));
  EXPECT_EQ(r, 0);
  EXPECT_TRUE(AddToField(u8, 5, -10, Overflow::kWrap, &r));
  EXPECT_EQ(r, 251);
  // SET of a negative number to an unsigned field: a huge value, so SAT gives the maximum.
  EXPECT_TRUE(AddToField(u8, -1, 0, Overflow::kSat, &r));
  EXPECT_EQ(r, 255);
  EXPECT_TRUE(AddToField(i64, INT64_MAX, 1, Overflow::kWrap, &r));
  EXPECT_EQ(r, INT64_MIN);
  EXPECT_TRUE(AddToField(i64, INT64_MIN, -1, Overflow::kSat, &r));
  EXPECT_EQ(r, INT64_MIN);
  EXPECT_TRUE(AddToField(u63, INT64_MAX, 1, Overflow::kWrap, &r));
  EXPECT_EQ(r, 0);
  EXPECT_TRUE(AddToField(i8, 1, 2, Overflow::kFail, &r));
  EXPECT_EQ(r, 3);
}

}  // namespace
}  // namespace ember::bitmap
