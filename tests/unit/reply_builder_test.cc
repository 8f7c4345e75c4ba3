#include "protocol/reply_builder.h"

#include <gtest/gtest.h>

#include <cmath>
#include <string>

namespace ember {
namespace {

std::string Build(int resp, void (*fn)(ReplyBuilder&)) {
  std::string out;
  ReplyBuilder b(&out, resp);
  fn(b);
  return out;
}

TEST(ReplyBuilder, ScalarsAreTheSameInBothProtocols) {
  for (int resp : {2, 3}) {
    EXPECT_EQ(Build(resp, [](ReplyBuilder& b) { b.Ok(); }), "+OK\r\n");
    EXPECT_EQ(Build(resp, [](ReplyBuilder& b) { b.Integer(-42); }), ":-42\r\n");
    EXPECT_EQ(Build(resp, [](ReplyBuilder& b) { b.Bulk("hi"); }), "$2\r\nhi\r\n");
    EXPECT_EQ(Build(resp, [](ReplyBuilder& b) { b.Bulk(""); }), "$0\r\n\r\n");
    EXPECT_EQ(Build(resp, [](ReplyBuilder& b) { b.Error("ERR bad\r\nthing"); }),
              "-ERR bad  thing\r\n");
    EXPECT_EQ(Build(resp, [](ReplyBuilder& b) { b.Error("ERR bad \n\r"); }), "-ERR bad \r\n");
  }
}

TEST(ReplyBuilder, NullsDifferByProtocol) {
  EXPECT_EQ(Build(2, [](ReplyBuilder& b) { b.Null(); }), "$-1\r\n");
  EXPECT_EQ(Build(2, [](ReplyBuilder& b) { b.NullArray(); }), "*-1\r\n");
  EXPECT_EQ(Build(3, [](ReplyBuilder& b) { b.Null(); }), "_\r\n");
  EXPECT_EQ(Build(3, [](ReplyBuilder& b) { b.NullArray(); }), "_\r\n");
}

TEST(ReplyBuilder, AggregatesDifferByProtocol) {
  EXPECT_EQ(Build(2, [](ReplyBuilder& b) { b.MapHeader(2); }), "*4\r\n");
  EXPECT_EQ(Build(3, [](ReplyBuilder& b) { b.MapHeader(2); }), "%2\r\n");
  EXPECT_EQ(Build(2, [](ReplyBuilder& b) { b.SetHeader(3); }), "*3\r\n");
  EXPECT_EQ(Build(3, [](ReplyBuilder& b) { b.SetHeader(3); }), "~3\r\n");
  EXPECT_EQ(Build(3, [](ReplyBuilder& b) { b.PushHeader(3); }), ">3\r\n");
}

TEST(ReplyBuilder, DoublesBoolsAndVerbatim) {
  EXPECT_EQ(Build(2, [](ReplyBuilder& b) { b.Double(1.5); }), "$3\r\n1.5\r\n");
  EXPECT_EQ(Build(3, [](ReplyBuilder& b) { b.Double(1.5); }), ",1.5\r\n");
  EXPECT_EQ(Build(3, [](ReplyBuilder& b) { b.Double(INFINITY); }), ",inf\r\n");
  EXPECT_EQ(Build(3, [](ReplyBuilder& b) { b.Double(-INFINITY); }), ",-inf\r\n");
  EXPECT_EQ(Build(2, [](ReplyBuilder& b) { b.Bool(true); }), ":1\r\n");
  EXPECT_EQ(Build(3, [](ReplyBuilder& b) { b.Bool(false); }), "#f\r\n");
  EXPECT_EQ(Build(2, [](ReplyBuilder& b) { b.Verbatim("a"); }), "$1\r\na\r\n");
  EXPECT_EQ(Build(3, [](ReplyBuilder& b) { b.Verbatim("a"); }), "=5\r\ntxt:a\r\n");
}

}  // namespace
}  // namespace ember
