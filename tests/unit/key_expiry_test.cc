// The expiry commands: EXPIRE/PEXPIRE/EXPIREAT/PEXPIREAT (NX, XX, GT, LT), TTL/PTTL,
// EXPIRETIME/PEXPIRETIME and PERSIST, with lazy expiry on access.
#include <gtest/gtest.h>

#include "key_family_fixture.h"

namespace ember {
namespace {

using namespace testing;  // the fixture and the expected replies

class KeyExpiry : public KeyFamilyTest {};
INSTANTIATE_TEST_SUITE_P(Keys, KeyExpiry, ::testing::Values(1u, 4u));

TEST_P(KeyExpiry, ExpireSetsTtlAndLazyExpiryRemovesKey) {
  EXPECT_EQ(r.Run({"expire", "k", "10"}), Int(0));
  EXPECT_EQ(r.Run({"ttl", "k"}), Int(-2));
  EXPECT_EQ(r.Run({"pttl", "k"}), Int(-2));
  EXPECT_EQ(r.Run({"expiretime", "k"}), Int(-2));
  EXPECT_EQ(r.Run({"pexpiretime", "k"}), Int(-2));
  Put("k");
  EXPECT_EQ(r.Run({"ttl", "k"}), Int(-1));
  EXPECT_EQ(r.Run({"pttl", "k"}), Int(-1));
  EXPECT_EQ(r.Run({"expiretime", "k"}), Int(-1));
  EXPECT_EQ(r.Run({"pexpiretime", "k"}), Int(-1));
  EXPECT_EQ(r.Run({"expire", "k", "10"}), Int(1));  // adds an expiry (record rebuilt)
  EXPECT_EQ(r.Run({"ttl", "k"}), Int(10));
  EXPECT_EQ(r.Run({"pttl", "k"}), Int(10000));
  EXPECT_EQ(r.Run({"expiretime", "k"}), Int(kNow / 1000 + 10));
  EXPECT_EQ(r.Run({"pexpiretime", "k"}), Int(kNow + 10000));
  EXPECT_EQ(Value("k"), "v");
  EXPECT_EQ(r.Run({"pexpire", "k", "1500"}), Int(1));  // changes it in place
  EXPECT_EQ(r.Run({"pttl", "k"}), Int(1500));
  EXPECT_EQ(r.Run({"ttl", "k"}), Int(2));  // rounded, like Redis
  EXPECT_EQ(r.Run({"expiretime", "k"}), Int(kNow / 1000 + 2));
  r.SetTime(kNow + 1499);
  EXPECT_EQ(r.Run({"pttl", "k"}), Int(1));
  EXPECT_EQ(r.Run({"ttl", "k"}), Int(0));
  r.SetTime(kNow + 1500);
  EXPECT_EQ(r.Run({"pttl", "k"}), Int(-2));
  EXPECT_EQ(r.Run({"ttl", "k"}), Int(-2));
  EXPECT_EQ(r.Run({"exists", "k"}), Int(0));
  EXPECT_EQ(r.Run({"dbsize"}), Int(0));
}

TEST_P(KeyExpiry, ExpireAtAndPExpireAt) {
  Put("k");
  EXPECT_EQ(r.Run({"expireat", "k", std::to_string(kNow / 1000 + 100)}), Int(1));
  EXPECT_EQ(r.Run({"ttl", "k"}), Int(100));
  EXPECT_EQ(r.Run({"pexpiretime", "k"}), Int(kNow + 100000));
  EXPECT_EQ(r.Run({"pexpireat", "k", std::to_string(kNow + 1234)}), Int(1));
  EXPECT_EQ(r.Run({"pttl", "k"}), Int(1234));
  EXPECT_EQ(r.Run({"pexpiretime", "k"}), Int(kNow + 1234));
  EXPECT_EQ(r.Run({"expiretime", "k"}), Int(kNow / 1000 + 1));
  EXPECT_EQ(r.Run({"pexpireat", "missing", std::to_string(kNow + 1)}), Int(0));
}

TEST_P(KeyExpiry, TimeInThePastDeletes) {
  const std::vector<std::vector<std::string>> cases = {
      {"expire", "k", "0"},        {"expire", "k", "-5"},
      {"pexpire", "k", "0"},       {"pexpire", "k", "-1"},
      {"expireat", "k", "1"},      {"expireat", "k", std::to_string(kNow / 1000)},
      {"pexpireat", "k", "0"},     {"pexpireat", "k", std::to_string(kNow)},
      {"expire", "k", "-5", "LT"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c[0] + " " + c[2]);
    Put("k");
    EXPECT_EQ(r.Run(c), Int(1));
    EXPECT_EQ(r.Run({"exists", "k"}), Int(0));
    EXPECT_EQ(r.Run(c), Int(0));  // gone now
  }
  Put("k", "v", kNow + 5000);  // a key with an expiry, in-place path
  EXPECT_EQ(r.Run({"pexpire", "k", "-1"}), Int(1));
  EXPECT_EQ(r.Run({"dbsize"}), Int(0));
}

TEST_P(KeyExpiry, ExpireConditions) {
  Put("plain");
  Put("ttl", "v", kNow + 10000);
  // NX: only without an expiry.
  EXPECT_EQ(r.Run({"expire", "ttl", "100", "NX"}), Int(0));
  EXPECT_EQ(r.Run({"pttl", "ttl"}), Int(10000));
  EXPECT_EQ(r.Run({"expire", "plain", "100", "nx"}), Int(1));
  EXPECT_EQ(r.Run({"ttl", "plain"}), Int(100));
  r.Run({"persist", "plain"});
  // XX: only with an expiry.
  EXPECT_EQ(r.Run({"expire", "plain", "100", "XX"}), Int(0));
  EXPECT_EQ(r.Run({"ttl", "plain"}), Int(-1));
  EXPECT_EQ(r.Run({"expire", "ttl", "20", "xx"}), Int(1));
  EXPECT_EQ(r.Run({"ttl", "ttl"}), Int(20));
  // GT: no expiry counts as infinite, so GT never applies to it; equal is not greater.
  EXPECT_EQ(r.Run({"expire", "plain", "100", "GT"}), Int(0));
  EXPECT_EQ(r.Run({"ttl", "plain"}), Int(-1));
  EXPECT_EQ(r.Run({"expire", "ttl", "10", "GT"}), Int(0));
  EXPECT_EQ(r.Run({"expire", "ttl", "20", "GT"}), Int(0));
  EXPECT_EQ(r.Run({"expire", "ttl", "30", "gt"}), Int(1));
  EXPECT_EQ(r.Run({"ttl", "ttl"}), Int(30));
  // LT: anything is less than infinite; equal is not less.
  EXPECT_EQ(r.Run({"expire", "ttl", "40", "LT"}), Int(0));
  EXPECT_EQ(r.Run({"expire", "ttl", "30", "LT"}), Int(0));
  EXPECT_EQ(r.Run({"expire", "ttl", "25", "lt"}), Int(1));
  EXPECT_EQ(r.Run({"ttl", "ttl"}), Int(25));
  EXPECT_EQ(r.Run({"expire", "plain", "50", "LT"}), Int(1));
  EXPECT_EQ(r.Run({"ttl", "plain"}), Int(50));
  // Compatible combinations and repeats.
  EXPECT_EQ(r.Run({"expire", "ttl", "60", "XX", "GT"}), Int(1));
  EXPECT_EQ(r.Run({"expire", "ttl", "70", "GT", "GT"}), Int(1));
  EXPECT_EQ(r.Run({"expire", "ttl", "5", "XX", "LT"}), Int(1));
  EXPECT_EQ(r.Run({"ttl", "ttl"}), Int(5));
  EXPECT_EQ(r.Run({"expire", "missing", "5", "NX"}), Int(0));
}

TEST_P(KeyExpiry, ExpireErrors) {
  Put("k");
  const std::string nx_err =
      Err("ERR NX and XX, GT or LT options at the same time are not compatible");
  const std::string gt_lt_err = Err("ERR GT and LT options at the same time are not compatible");
  for (const char* cmd : {"expire", "pexpire", "expireat", "pexpireat"}) {
    SCOPED_TRACE(cmd);
    EXPECT_EQ(r.Run({cmd, "k", "100", "NX", "XX"}), nx_err);
    EXPECT_EQ(r.Run({cmd, "k", "100", "nx", "gt"}), nx_err);
    EXPECT_EQ(r.Run({cmd, "k", "100", "LT", "NX"}), nx_err);
    EXPECT_EQ(r.Run({cmd, "k", "100", "GT", "LT"}), gt_lt_err);
    EXPECT_EQ(r.Run({cmd, "k", "100", "XX", "GT", "LT"}), gt_lt_err);
    EXPECT_EQ(r.Run({cmd, "k", "100", "foo"}), Err("ERR Unsupported option foo"));
    EXPECT_EQ(r.Run({cmd, "k", "abc", "foo"}), Err("ERR Unsupported option foo"));
    EXPECT_EQ(r.Run({cmd, "k", "abc"}), kNotInt);
    EXPECT_EQ(r.Run({cmd, "k", "1.5"}), kNotInt);
    EXPECT_EQ(r.Run({cmd, "k", ""}), kNotInt);
    EXPECT_EQ(r.Run({cmd, "k"}), Arity(cmd));
  }
  EXPECT_EQ(r.Run({"ttl", "k"}), Int(-1));  // none of the above changed anything
  auto invalid = [](std::string_view cmd) {
    return Err("ERR invalid expire time in '" + std::string(cmd) + "' command");
  };
  const std::string max = "9223372036854775807", min = "-9223372036854775808";
  EXPECT_EQ(r.Run({"expire", "k", max}), invalid("expire"));
  EXPECT_EQ(r.Run({"EXPIRE", "k", min}), invalid("expire"));
  EXPECT_EQ(r.Run({"expire", "k", "9223372036854775"}), invalid("expire"));  // ms + now overflows
  EXPECT_EQ(r.Run({"pexpire", "k", max}), invalid("pexpire"));
  EXPECT_EQ(r.Run({"expireat", "k", max}), invalid("expireat"));
  EXPECT_EQ(r.Run({"expireat", "k", min}), invalid("expireat"));
  EXPECT_EQ(r.Run({"ttl", "k"}), Int(-1));
  EXPECT_EQ(r.Run({"pexpireat", "k", max}), Int(1));  // absolute ms: no overflow possible
  EXPECT_EQ(r.Run({"pexpiretime", "k"}), Int(INT64_MAX));
  EXPECT_EQ(r.Run({"pexpire", "k", min}), Int(1));  // far in the past
  EXPECT_EQ(r.Run({"exists", "k"}), Int(0));
  EXPECT_EQ(r.Run({"ttl"}), Arity("ttl"));
  EXPECT_EQ(r.Run({"pttl", "a", "b"}), Arity("pttl"));
  EXPECT_EQ(r.Run({"expiretime"}), Arity("expiretime"));
  EXPECT_EQ(r.Run({"persist"}), Arity("persist"));
}

TEST_P(KeyExpiry, Persist) {
  EXPECT_EQ(r.Run({"persist", "missing"}), Int(0));
  Put("plain");
  EXPECT_EQ(r.Run({"persist", "plain"}), Int(0));
  Put("k", "value", kNow + 5000);
  EXPECT_EQ(r.Run({"persist", "k"}), Int(1));
  EXPECT_EQ(r.Run({"ttl", "k"}), Int(-1));
  EXPECT_FALSE(Peek("k")->has_expire());
  EXPECT_EQ(Value("k"), "value");
  EXPECT_EQ(r.Run({"persist", "k"}), Int(0));
  r.SetTime(kNow + 100000);
  EXPECT_EQ(Value("k"), "value");
  Put("old", "v", kNow + 1);
  EXPECT_EQ(r.Run({"persist", "old"}), Int(0));  // already expired at the new time
}

}  // namespace
}  // namespace ember
