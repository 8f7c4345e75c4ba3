// The benchmark load generator's reply framing and request shapes: if these were wrong the
// benchmark would count replies that never came or send commands Redis would not accept.
#include <gtest/gtest.h>

#include <string>

#include "reply_framer.h"
#include "workloads.h"

TEST(LoadgenFraming, SimpleRepliesEndAtTheirCrlf) {
  EXPECT_EQ(FrameReply("+OK\r\n"), 5);
  EXPECT_EQ(FrameReply("-ERR no\r\n+OK\r\n"), 9);
  EXPECT_EQ(FrameReply(":12\r\n"), 5);
  EXPECT_EQ(FrameReply("_\r\n"), 3);
  EXPECT_EQ(FrameReply(",1.5\r\n"), 6);
}

TEST(LoadgenFraming, BulkStringsNeedAllTheirBytes) {
  EXPECT_EQ(FrameReply("$3\r\nabc\r\n"), 9);
  EXPECT_EQ(FrameReply("$3\r\nab"), 0);
  EXPECT_EQ(FrameReply("$3\r\nabc\r"), 0);
  EXPECT_EQ(FrameReply("$-1\r\n"), 5);
  EXPECT_EQ(FrameReply("$0\r\n\r\n"), 6);
  EXPECT_EQ(FrameReply("$4\r\na\r\nb\r\n"), 10);  // binary-safe: CRLF inside the payload
}

TEST(LoadgenFraming, AggregatesFrameEveryElement) {
  EXPECT_EQ(FrameReply("*2\r\n$1\r\na\r\n:1\r\n"), 15);
  EXPECT_EQ(FrameReply("*2\r\n$1\r\na\r\n"), 0);
  EXPECT_EQ(FrameReply("*-1\r\n"), 5);
  EXPECT_EQ(FrameReply("*0\r\n"), 4);
  EXPECT_EQ(FrameReply("%1\r\n+k\r\n+v\r\n"), 12);
  EXPECT_EQ(FrameReply("*1\r\n*1\r\n+x\r\n"), 12);
}

TEST(LoadgenFraming, IncompleteAndInvalidInput) {
  EXPECT_EQ(FrameReply(""), 0);
  EXPECT_EQ(FrameReply("+OK"), 0);
  EXPECT_EQ(FrameReply("?what\r\n"), -1);
  EXPECT_EQ(FrameReply("$x\r\n"), -1);
}

TEST(LoadgenWorkloads, CommandsMatchRedisBenchmarkShapes) {
  std::vector<Workload> w;
  ASSERT_TRUE(AppendWorkload("set", 3, true, w));
  ASSERT_EQ(w.size(), 1u);
  EXPECT_EQ(w[0].title, "SET");
  EXPECT_EQ(w[0].command, "*3\r\n$3\r\nSET\r\n$16\r\nkey:__rand_int__\r\n$3\r\nxxx\r\n");
  ASSERT_TRUE(AppendWorkload("lrange_100", 3, true, w));
  ASSERT_EQ(w.size(), 3u);
  EXPECT_EQ(w[1].title, "LPUSH (needed to benchmark LRANGE)");
  EXPECT_EQ(w[2].command, "*4\r\n$6\r\nLRANGE\r\n$6\r\nmylist\r\n$1\r\n0\r\n$2\r\n99\r\n");
  ASSERT_TRUE(AppendWorkload("hincrby", 3, true, w));
  EXPECT_EQ(w[3].command,
            "*4\r\n$7\r\nHINCRBY\r\n$6\r\nmyhash\r\n$20\r\ncounter:__rand_int__\r\n$1\r\n1\r\n");
  EXPECT_FALSE(AppendWorkload("nonsense", 3, true, w));
}

TEST(LoadgenWorkloads, RandomDigitsFillThePlaceholderExactly) {
  std::string key = "key:" + std::string(kRandPlaceholder) + "!";
  WriteRandDigits(&key[4], 4711);
  EXPECT_EQ(key, "key:000000004711!");
}
