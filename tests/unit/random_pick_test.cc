// SegmentedTable::Random (behind HRANDFIELD, SRANDMEMBER, SPOP and RANDOMKEY on table encodings)
// must pick every record with the same probability, whatever the slots and splits look like.
#include <gtest/gtest.h>

#include <cmath>
#include <map>
#include <random>
#include <string>
#include <vector>

#include "types/hash_value.h"
#include "types/set_value.h"

namespace ember {
namespace {

// The chi-square statistic a fair picker stays under with probability ~1 - 3e-7 (Wilson-Hilferty
// with z = 5); the draws are seeded, so a pass here is not luck that can change between runs.
double ChiSquareBound(size_t categories) {
  double df = static_cast<double>(categories - 1), z = 5.0;
  double a = 2.0 / (9.0 * df);
  return df * std::pow(1.0 - a + z * std::sqrt(a), 3);
}

double ChiSquare(const std::map<std::string, size_t>& counts, size_t categories, size_t draws) {
  double expected = static_cast<double>(draws) / static_cast<double>(categories);
  double stat = 0;
  for (const auto& [name, n] : counts) stat += (n - expected) * (n - expected) / expected;
  stat += static_cast<double>(categories - counts.size()) * expected;  // never drawn
  return stat;
}

// Draws `draws` fields from `hash` and checks they are uniform over its `size()` fields.
void ExpectUniform(const HashValue& hash, size_t draws, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::map<std::string, size_t> counts;
  for (size_t i = 0; i < draws; ++i) ++counts[hash.RandomPair(rng()).first];
  EXPECT_LT(ChiSquare(counts, hash.size(), draws), ChiSquareBound(hash.size()))
      << hash.size() << " fields, " << counts.size() << " seen";
}

TEST(RandomPick, ThreeFieldsInOneSegmentAreEquallyLikely) {
  // The case: 40/1/259 of 300 before, because a field's weight was the empty run of
  // slots before it.
  HashValue hash;
  hash.Set("a", "1");
  hash.Set("b", "1");
  hash.Set(std::string(75, 'x'), "1");
  ExpectUniform(hash, 30000, 1);
}

TEST(RandomPick, SplitSegmentsAreNotFavouredByTheirDirectoryEntries) {
  // Enough fields for segments of different depths, some spanning several directory entries.
  for (int n : {300, 700, 3000}) {
    HashValue hash;
    for (int i = 0; i < n; ++i) hash.Set("f" + std::to_string(i), "v");
    ExpectUniform(hash, static_cast<size_t>(n) * 200, static_cast<uint64_t>(n));
  }
}

TEST(RandomPick, ASparseTableAfterDeletesStaysUniform) {
  // Few records left in many segments: the rejection loop gives up often and the exact walk
  // answers, and both must be uniform.
  HashValue hash;
  for (int i = 0; i < 20000; ++i) hash.Set("f" + std::to_string(i), "v");
  for (int i = 40; i < 20000; ++i) hash.Erase("f" + std::to_string(i));
  ASSERT_EQ(hash.size(), 40u);
  ExpectUniform(hash, 40 * 500, 7);
}

TEST(RandomPick, TableSetMembersAreEquallyLikely) {
  SetLimits limits{512, 128, 64};
  SetValue set;
  set.Add("a", limits);
  set.Add("b", limits);
  set.Add(std::string(75, 'x'), limits);
  ASSERT_STREQ(set.EncodingName(), "hashtable");
  std::mt19937_64 rng(11);
  std::map<std::string, size_t> counts;
  for (int i = 0; i < 30000; ++i) ++counts[set.RandomMember(rng())];
  EXPECT_LT(ChiSquare(counts, 3, 30000), ChiSquareBound(3));
}

TEST(RandomPick, ChiSquareCatchesABiasedPicker) {
  // The bound is not so loose that the 40/1/259 would pass.
  std::map<std::string, size_t> counts{{"a", 40}, {"b", 1}, {"c", 259}};
  EXPECT_GT(ChiSquare(counts, 3, 300), ChiSquareBound(3));
  std::map<std::string, size_t> fair{{"a", 109}, {"b", 85}, {"c", 106}};  // Redis's run
  EXPECT_LT(ChiSquare(fair, 3, 300), ChiSquareBound(3));
}

}  // namespace
}  // namespace ember
