// HyperLogLog in Redis's format: the hash, the encodings, the estimator's accuracy.
#include "types/hyperloglog.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <string>

namespace ember::hll {
namespace {

// Registers Redis 7.0 gives single elements (PFDEBUG DECODE of a one-element PFADD).
TEST(HyperLogLogTest, ElementsLandInTheRegistersRedisPicks) {
  struct Case {
    const char* element;
    uint32_t index;
    uint8_t count;
  } cases[] = {{"a", 12711, 2}, {"hello", 9216, 1}, {"", 5938, 2}, {"0123456789abcdef", 5949, 1}};
  for (const Case& c : cases) {
    Pattern p = PatternOf(c.element);
    EXPECT_EQ(p.index, c.index) << c.element;
    EXPECT_EQ(p.count, c.count) << c.element;
    std::string hll = NewEmpty();
    ASSERT_EQ(Add(hll, c.element, 3000), 1);
    std::string text;
    ASSERT_TRUE(DecodeSparse(hll, &text));
    EXPECT_EQ(text, "Z:" + std::to_string(c.index) + " v:" + std::to_string(c.count) +
                        ",1 Z:" + std::to_string(kRegisters - c.index - 1));
  }
}

// Redis's bytes for PFADD g a b c d e f g h followed by PFCOUNT g (cached count 8).
TEST(HyperLogLogTest, SparseBytesMatchRedis) {
  std::string hll = NewEmpty();
  EXPECT_EQ(hll, std::string("HYLL\x01\0\0\0\0\0\0\0\0\0\0\0\x7f\xff", 18));
  for (const char* e : {"a", "b", "c", "d", "e", "f", "g", "h"}) ASSERT_EQ(Add(hll, e, 3000), 1);
  bool invalid = false;
  EXPECT_FALSE(CacheValid(hll));
  uint64_t count = Count(hll, &invalid);
  EXPECT_FALSE(invalid);
  EXPECT_EQ(count, 8u);
  SetCachedCount(hll.data(), count);
  const std::string redis(
      "HYLL\x01\x00\x00\x00\b\x00\x00\x00\x00\x00\x00\x00"
      "Fm\x80V\x0c\x80"
      "D<\x84"
      "8\x80M\xc2\x80"
      "B\xed\x84I\x8c\x80"
      "Bm\x80"
      "BZ",
      41);
  EXPECT_EQ(hll, redis);
  EXPECT_TRUE(CacheValid(hll));
  EXPECT_EQ(CachedCount(hll), 8u);
}

TEST(HyperLogLogTest, DenseRegistersRoundTrip) {
  uint8_t registers[kDenseSize - kHeaderSize] = {};
  for (uint32_t i = 0; i < kRegisters; ++i) SetDenseRegister(registers, i, (i * 7) & 0x3f);
  for (uint32_t i = 0; i < kRegisters; ++i)
    ASSERT_EQ(GetDenseRegister(registers, i), (i * 7) & 0x3f);
  EXPECT_FALSE(DenseSet(registers, 5, 1));  // (5 * 7) & 63 = 35 already
  EXPECT_TRUE(DenseSet(registers, 5, 40));
  EXPECT_EQ(GetDenseRegister(registers, 5), 40);
  EXPECT_EQ(GetDenseRegister(registers, 4), 28);
  EXPECT_EQ(GetDenseRegister(registers, 6), 42);
}

TEST(HyperLogLogTest, SparseTurnsDensePastTheByteLimitAndCountsTheSame) {
  std::string sparse = NewEmpty(), dense = NewEmpty();
  ASSERT_TRUE(ToDense(dense));
  EXPECT_EQ(dense.size(), kDenseSize);
  EXPECT_TRUE(LooksValid(dense));
  int n = 0;
  while (EncodingOf(sparse) == kSparse) {
    std::string e = "element:" + std::to_string(n++);
    ASSERT_GE(Add(sparse, e, 3000), 0);
    ASSERT_GE(Add(dense, e, 3000), 0);
    ASSERT_LE(sparse.size(), EncodingOf(sparse) == kSparse ? 3000u : kDenseSize);
    if (n % 97 == 0) {
      bool invalid = false;
      ASSERT_EQ(Count(sparse, &invalid), Count(dense, &invalid)) << n;
      ASSERT_FALSE(invalid);
    }
  }
  EXPECT_GT(n, 500);  // 3000 bytes hold many hundreds of registers
  EXPECT_EQ(sparse.size(), kDenseSize);
  // Same registers, same bytes after the header (the cached counts may differ).
  EXPECT_EQ(sparse.substr(kHeaderSize), dense.substr(kHeaderSize));
}

TEST(HyperLogLogTest, MergeTakesTheMaximumOfEveryRegister) {
  std::string a = NewEmpty(), b = NewEmpty(), both = NewEmpty();
  for (int i = 0; i < 1000; ++i) {
    Add(a, "a" + std::to_string(i), 3000);
    Add(both, "a" + std::to_string(i), 3000);
  }
  for (int i = 0; i < 20000; ++i) {
    Add(b, "b" + std::to_string(i), 3000);
    Add(both, "b" + std::to_string(i), 3000);
  }
  uint8_t max[kRegisters] = {};
  ASSERT_TRUE(MergeInto(a, max));
  ASSERT_TRUE(MergeInto(b, max));
  bool invalid = false;
  EXPECT_EQ(CountRegisters(max), Count(both, &invalid));
}

TEST(HyperLogLogTest, CorruptSparseDataIsDetected) {
  std::string hll = NewEmpty();
  hll += '\x80';  // one register too many
  bool invalid = false;
  Count(hll, &invalid);
  EXPECT_TRUE(invalid);
  uint8_t max[kRegisters] = {};
  EXPECT_FALSE(MergeInto(hll, max));
  EXPECT_FALSE(ToDense(hll));
  std::string short_run(NewEmpty().substr(0, kHeaderSize) + "\x40");  // a cut XZERO
  EXPECT_LT(SetRegister(short_run, 3, 1, 3000), 0);
  EXPECT_FALSE(LooksValid("HYLL"));
  EXPECT_FALSE(LooksValid(std::string("HYLL\x02", 5) + std::string(11, '\0')));
  EXPECT_FALSE(LooksValid(std::string("HYLL\x00", 5) + std::string(11, '\0')));  // dense, short
}

// Redis's bound: a standard error of 1.04 / sqrt(16384) = 0.81%; within 3 of them here.
void ExpectAccurate(uint64_t n) {
  std::string hll = NewEmpty();
  for (uint64_t i = 0; i < n; ++i) ASSERT_GE(Add(hll, "member-" + std::to_string(i), 3000), 0);
  bool invalid = false;
  double estimate = static_cast<double>(Count(hll, &invalid));
  double error = std::fabs(estimate - static_cast<double>(n)) / static_cast<double>(n);
  EXPECT_LT(error, 3 * 1.04 / std::sqrt(16384.0)) << n << " counted as " << estimate;
}

TEST(HyperLogLogTest, EstimateWithinTheErrorBoundAt1e5) {
  ExpectAccurate(100000);
}
TEST(HyperLogLogTest, EstimateWithinTheErrorBoundAt1e6) {
  ExpectAccurate(1000000);
}

TEST(HyperLogLogTest, SmallCardinalitiesAreNearlyExact) {
  std::string hll = NewEmpty();
  for (int i = 1; i <= 200; ++i) {
    Add(hll, std::to_string(i), 3000);
    bool invalid = false;
    EXPECT_NEAR(static_cast<double>(Count(hll, &invalid)), i, std::max(1.0, i * 0.02));
  }
}

TEST(HyperLogLogTest, SelfTestPasses) {
  EXPECT_EQ(SelfTest(), "");
}

TEST(HyperLogLogTest, MurmurHash64AOfEveryTailLength) {
  // Changing any byte of any length changes the hash (the tail bytes are all mixed in).
  std::string s = "abcdefghijklmnop";
  for (size_t len = 0; len <= s.size(); ++len) {
    uint64_t h = MurmurHash64A(s.data(), len, 0xadc83b19ULL);
    for (size_t i = 0; i < len; ++i) {
      std::string t = s.substr(0, len);
      t[i] ^= 1;
      EXPECT_NE(MurmurHash64A(t.data(), len, 0xadc83b19ULL), h) << len << " " << i;
    }
  }
}

}  // namespace
}  // namespace ember::hll
