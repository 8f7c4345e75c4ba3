// ember-cli's reply parser and formatters on hand-made replies (the integration tests compare
// them with redis-cli on real ones).
#include <gtest/gtest.h>

#include "cli/reply.h"
#include "cli/reply_format.h"

namespace ember::cli {
namespace {

Reply Parse(std::string_view wire) {
  Reply reply;
  std::string error;
  long used = ParseReply(wire, reply, error);
  EXPECT_EQ(used, static_cast<long>(wire.size())) << error;
  return reply;
}

TEST(CliReplyParser, IncompleteRepliesAskForMore) {
  Reply reply;
  std::string error;
  for (std::string_view partial : {"", "*2\r\n", "*2\r\n$1\r\na\r\n", "$5\r\nab", "+OK\r", ":12"}) {
    EXPECT_EQ(ParseReply(partial, reply, error), 0) << partial;
  }
  EXPECT_EQ(ParseReply("?what\r\n", reply, error), -1);
  EXPECT_EQ(ParseReply("$x\r\n", reply, error), -1);
}

TEST(CliReplyParser, Resp3Types) {
  Reply map = Parse("%2\r\n+a\r\n,1.5\r\n$1\r\nb\r\n#t\r\n");
  ASSERT_EQ(map.type, ReplyType::kMap);
  ASSERT_EQ(map.elements.size(), 4u);
  EXPECT_EQ(map.elements[1].type, ReplyType::kDouble);
  EXPECT_EQ(map.elements[3].integer, 1);
  Reply verbatim = Parse("=9\r\ntxt:hello\r\n");
  EXPECT_EQ(verbatim.vtype, "txt");
  EXPECT_EQ(verbatim.str, "hello");
  EXPECT_EQ(Parse("_\r\n").type, ReplyType::kNil);
  EXPECT_EQ(Parse("*-1\r\n").type, ReplyType::kNil);
  EXPECT_EQ(Parse("!3\r\nERR\r\n").type, ReplyType::kError);
  // An attribute is dropped, the reply after it kept.
  EXPECT_EQ(Parse("|1\r\n+k\r\n+v\r\n:7\r\n").integer, 7);
}

TEST(CliReplyFormat, TerminalFormatNumbersAndIndents) {
  std::string wire = "*10\r\n";
  for (int i = 0; i < 9; ++i) wire += ":1\r\n";
  wire += "*2\r\n$1\r\na\r\n$0\r\n\r\n";
  std::string out = FormatStandard(Parse(wire));
  EXPECT_EQ(out.substr(0, 15), " 1) (integer) 1");
  EXPECT_NE(out.find("10) 1) \"a\"\n    2) \"\"\n"), std::string::npos) << out;
  EXPECT_EQ(FormatStandard(Parse("~0\r\n")), "(empty set)\n");
  EXPECT_EQ(FormatStandard(Parse("%1\r\n+k\r\n*2\r\n:1\r\n:2\r\n")),
            "1# k => \n   1) (integer) 1\n   2) (integer) 2\n");
  EXPECT_EQ(FormatStandard(Parse("%1\r\n+k\r\n~1\r\n+x\r\n")), "1# k => 1~ x\n");
}

TEST(CliReplyFormat, QuotingRawCsvJson) {
  std::string quoted;
  AppendQuoted(quoted, std::string_view("a\0b\"\n\xff", 6));
  EXPECT_EQ(quoted, "\"a\\x00b\\\"\\n\\xff\"");
  Reply list = Parse("*3\r\n$1\r\na\r\n$-1\r\n:3\r\n");
  EXPECT_EQ(FormatForOutput(list, OutputMode::kRaw, false), "a\n\n3\n");
  EXPECT_EQ(FormatForOutput(list, OutputMode::kCsv, false), "\"a\",NULL,3\n");
  EXPECT_EQ(FormatForOutput(list, OutputMode::kJson, false), "[\"a\",null,3]\n");
  EXPECT_EQ(FormatJson(Parse("%1\r\n:1\r\n$2\r\n\x01z\r\n")), "{\"1\":\"\\u0001z\"}");
  EXPECT_EQ(FormatCsv(Parse("-ERR x\r\n")), "ERROR,\"ERR x\"");
}

}  // namespace
}  // namespace ember::cli
