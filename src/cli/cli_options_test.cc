// ember-cli's URI and flag parsing.
#include <gtest/gtest.h>

#include "cli/cli_options.h"

namespace ember::cli {
namespace {

TEST(CliOptions, RedisUri) {
  CliOptions o;
  std::string error;
  ASSERT_TRUE(ParseRedisUri("redis://alice:p%40ss@example.com:7000/3", o, error)) << error;
  EXPECT_EQ(o.user, "alice");
  EXPECT_EQ(*o.password, "p@ss");
  EXPECT_EQ(o.endpoint.host, "example.com");
  EXPECT_EQ(o.endpoint.port, 7000);
  EXPECT_EQ(o.db, 3);
  EXPECT_FALSE(o.endpoint.tls.enabled);

  CliOptions t;
  ASSERT_TRUE(ParseRedisUri("rediss://:secret@[::1]:6380", t, error)) << error;
  EXPECT_TRUE(t.endpoint.tls.enabled);
  EXPECT_EQ(t.user, "");
  EXPECT_EQ(*t.password, "secret");
  EXPECT_EQ(t.endpoint.host, "::1");
  EXPECT_EQ(t.endpoint.port, 6380);

  CliOptions bad;
  EXPECT_FALSE(ParseRedisUri("http://x", bad, error));
  EXPECT_EQ(error, "Invalid URI scheme");
  EXPECT_FALSE(ParseRedisUri("redis://host:99999", bad, error));
  EXPECT_FALSE(ParseRedisUri("redis://host/notadb", bad, error));
}

TEST(CliOptions, FlagsStopAtTheCommand) {
  std::vector<std::string> words = {"ember-cli", "-p",    "7001", "-n", "2",
                                    "-3",        "--csv", "SET",  "-p", "x"};
  std::vector<char*> argv;
  for (std::string& w : words) argv.push_back(w.data());
  CliOptions o;
  int code = -1;
  ASSERT_TRUE(ParseCliOptions(static_cast<int>(argv.size()), argv.data(), o, code));
  EXPECT_EQ(o.endpoint.port, 7001);
  EXPECT_EQ(o.db, 2);
  EXPECT_EQ(o.resp, 3);
  EXPECT_EQ(o.output, OutputMode::kCsv);
  EXPECT_EQ(o.command, (std::vector<std::string>{"SET", "-p", "x"}));

  std::vector<std::string> bad_words = {"ember-cli", "-p", "notanumber"};
  std::vector<char*> bad_argv;
  for (std::string& w : bad_words) bad_argv.push_back(w.data());
  CliOptions b;
  testing::internal::CaptureStderr();
  EXPECT_FALSE(ParseCliOptions(3, bad_argv.data(), b, code));
  EXPECT_EQ(testing::internal::GetCapturedStderr(),
            "Unrecognized option or bad number of args for: '-p'\n");
  EXPECT_EQ(code, 1);
}

}  // namespace
}  // namespace ember::cli
