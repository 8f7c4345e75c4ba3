#include "common/numbers.h"

#include <gtest/gtest.h>

#include <limits>

namespace ember {
namespace {

TEST(ParseDouble, ReadsNumbersAsRedisDoes) {
  EXPECT_EQ(ParseDouble("1.5"), 1.5);
  EXPECT_EQ(ParseDouble("-2"), -2.0);
  EXPECT_EQ(ParseDouble("inf"), std::numeric_limits<double>::infinity());
  EXPECT_EQ(ParseDouble("5e-324"), 5e-324);  // subnormal: ERANGE, but a number
  EXPECT_FALSE(ParseDouble("1e400"));        // overflows to inf
  EXPECT_FALSE(ParseDouble("1e-400"));       // underflows to 0 (a block timeout of forever)
  EXPECT_FALSE(ParseDouble("nan"));
  EXPECT_FALSE(ParseDouble("1.5x"));
  EXPECT_FALSE(ParseDouble(""));
}

}  // namespace
}  // namespace ember
