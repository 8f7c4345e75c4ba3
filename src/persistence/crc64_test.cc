#include "persistence/crc64.h"

#include <gtest/gtest.h>

#include <random>
#include <string>

namespace ember {
namespace {

// Bit by bit, straight from the definition: the reference the table version must match.
uint64_t SlowCrc64(uint64_t crc, const std::string& s) {
  for (unsigned char c : s) {
    crc ^= c;
    for (int i = 0; i < 8; ++i) crc = (crc & 1) ? (crc >> 1) ^ 0x95ac9329ac4bc9b5ULL : crc >> 1;
  }
  return crc;
}

TEST(Crc64, RedisCheckValue) {
  EXPECT_EQ(Crc64(0, "123456789", 9), 0xe9c6d914c4b8d9caULL);
  EXPECT_EQ(Crc64(0, "", 0), 0u);
  // Redis's crc64.c self-test string.
  const char* li = "This is a test of the emergency broadcast system.";
  EXPECT_EQ(Crc64(0, li, strlen(li)), SlowCrc64(0, li));
}

TEST(Crc64, IncrementalAndTableMatchTheDefinition) {
  std::mt19937_64 rng(7);
  for (int round = 0; round < 50; ++round) {
    std::string s(rng() % 300, '\0');
    for (auto& c : s) c = static_cast<char>(rng());
    uint64_t whole = Crc64(0, s.data(), s.size());
    EXPECT_EQ(whole, SlowCrc64(0, s));
    size_t cut = s.empty() ? 0 : rng() % s.size();
    uint64_t parts = Crc64(Crc64(0, s.data(), cut), s.data() + cut, s.size() - cut);
    EXPECT_EQ(parts, whole);
  }
}

}  // namespace
}  // namespace ember
