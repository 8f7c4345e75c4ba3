#include "scripting/lua_values.h"

#include <gtest/gtest.h>

#include <string>

extern "C" {
#include <lauxlib.h>
#include <lua.h>
#include <lualib.h>
}

#include "protocol/reply_builder.h"
#include "scripting/lua_interpreter.h"
#include "scripting/sha1.h"

namespace ember {
namespace {

class LuaValuesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    L = luaL_newstate();
    luaL_openlibs(L);
  }
  void TearDown() override { lua_close(L); }

  // Pushes `resp` as Lua, then writes the value back as a reply in protocol `resp_version`.
  std::string RoundTrip(std::string_view resp, int script_resp = 2, int client_resp = 2) {
    EXPECT_EQ(PushReplyAsLua(L, resp), resp.size());
    return Write(script_resp, client_resp);
  }
  std::string Write(int script_resp, int client_resp) {
    std::string out;
    ReplyBuilder reply(&out, client_resp);
    WriteLuaValue(L, -1, reply, script_resp);
    lua_pop(L, 1);
    return out;
  }
  // The reply of a Lua expression.
  std::string Eval(const std::string& expr, int script_resp = 2, int client_resp = 2) {
    EXPECT_EQ(luaL_dostring(L, ("return " + expr).c_str()), 0) << lua_tostring(L, -1);
    return Write(script_resp, client_resp);
  }

  lua_State* L = nullptr;
};

// Found by the Lua arguments fuzzer: a number past int64's range was cast as C leaves undefined
// (UBSan). Redis's x86 build answers the conversion instruction's INT64_MIN; so does ember.
TEST_F(LuaValuesTest, NumbersOutOfIntegerRangeReplyAsRedisOnX86) {
  EXPECT_EQ(Eval("-4.4611e43"), ":-9223372036854775808\r\n");
  EXPECT_EQ(Eval("1e100"), ":-9223372036854775808\r\n");
  EXPECT_EQ(Eval("0/0"), ":-9223372036854775808\r\n");
  EXPECT_EQ(Eval("-3.9"), ":-3\r\n");
}

TEST_F(LuaValuesTest, RespTwoRepliesBecomeRedisLuaTypes) {
  ASSERT_EQ(PushReplyAsLua(L, ":42\r\n"), 5u);
  EXPECT_EQ(lua_type(L, -1), LUA_TNUMBER);
  EXPECT_EQ(lua_tonumber(L, -1), 42);
  lua_pop(L, 1);
  ASSERT_GT(PushReplyAsLua(L, "$-1\r\n"), 0u);
  EXPECT_EQ(lua_type(L, -1), LUA_TBOOLEAN);  // nil bulk -> false
  EXPECT_FALSE(lua_toboolean(L, -1));
  lua_pop(L, 1);
  ASSERT_GT(PushReplyAsLua(L, "*-1\r\n"), 0u);
  EXPECT_EQ(lua_type(L, -1), LUA_TBOOLEAN);
  lua_pop(L, 1);
  ASSERT_GT(PushReplyAsLua(L, "+OK\r\n"), 0u);
  lua_getfield(L, -1, "ok");
  EXPECT_STREQ(lua_tostring(L, -1), "OK");
  lua_pop(L, 2);
  ASSERT_GT(PushReplyAsLua(L, "-ERR bad\r\n"), 0u);
  lua_getfield(L, -1, "err");
  EXPECT_STREQ(lua_tostring(L, -1), "ERR bad");
  lua_pop(L, 2);
  std::string binary("$3\r\na\0b\r\n", 9);
  ASSERT_EQ(PushReplyAsLua(L, binary), binary.size());
  size_t len = 0;
  lua_tolstring(L, -1, &len);
  EXPECT_EQ(len, 3u);
  lua_pop(L, 1);
}

TEST_F(LuaValuesTest, RoundTripsKeepTheShape) {
  EXPECT_EQ(RoundTrip("*3\r\n:1\r\n$1\r\nx\r\n*1\r\n+OK\r\n"),
            "*3\r\n:1\r\n$1\r\nx\r\n*1\r\n+OK\r\n");
  EXPECT_EQ(RoundTrip("-WRONGTYPE x\r\n"), "-WRONGTYPE x\r\n");
  EXPECT_EQ(RoundTrip("$-1\r\n"), "$-1\r\n");
  EXPECT_EQ(RoundTrip("*0\r\n"), "*0\r\n");
}

TEST_F(LuaValuesTest, LuaValuesBecomeReplies) {
  EXPECT_EQ(Eval("3.99"), ":3\r\n");  // floats truncate
  EXPECT_EQ(Eval("-3.99"), ":-3\r\n");
  EXPECT_EQ(Eval("true"), ":1\r\n");
  EXPECT_EQ(Eval("false"), "$-1\r\n");
  EXPECT_EQ(Eval("nil"), "$-1\r\n");
  EXPECT_EQ(Eval("{1, 2, nil, 4}"), "*2\r\n:1\r\n:2\r\n");  // stops at the first nil
  EXPECT_EQ(Eval("{ok='fine'}"), "+fine\r\n");
  EXPECT_EQ(Eval("{err='bad'}"), "-bad\r\n");
  EXPECT_EQ(Eval("{err='a\\r\\nb'}"), "-a  b\r\n");
  EXPECT_EQ(Eval("{double=3.5}"), "$3\r\n3.5\r\n");
  EXPECT_EQ(Eval("{double=3.5}", 3, 3), ",3.5\r\n");
  EXPECT_EQ(Eval("{big_number='123'}", 3, 3), "(123\r\n");
  EXPECT_EQ(Eval("{map={a=1}}"), "*2\r\n$1\r\na\r\n:1\r\n");
  EXPECT_EQ(Eval("{map={a=1}}", 3, 3), "%1\r\n$1\r\na\r\n:1\r\n");
  EXPECT_EQ(Eval("{set={a=true}}", 3, 3), "~1\r\n$1\r\na\r\n");
  EXPECT_EQ(Eval("print"), "$-1\r\n");  // functions have no reply form
}

TEST_F(LuaValuesTest, RespThreeBooleansDependOnTheScriptsProtocol) {
  EXPECT_EQ(Eval("true", 3, 3), "#t\r\n");
  EXPECT_EQ(Eval("false", 3, 3), "#f\r\n");
  EXPECT_EQ(Eval("false", 3, 2), ":0\r\n");  // a RESP2 client gets 0
  EXPECT_EQ(Eval("false", 2, 3), "_\r\n");
}

TEST_F(LuaValuesTest, RespThreeRepliesBecomeTables) {
  EXPECT_EQ(RoundTrip("%1\r\n$1\r\nf\r\n$1\r\nv\r\n", 3, 3), "%1\r\n$1\r\nf\r\n$1\r\nv\r\n");
  EXPECT_EQ(RoundTrip("~1\r\n$1\r\nm\r\n", 3, 3), "~1\r\n$1\r\nm\r\n");
  EXPECT_EQ(RoundTrip(",1.5\r\n", 3, 3), ",1.5\r\n");
  EXPECT_EQ(RoundTrip("#t\r\n", 3, 3), "#t\r\n");
  EXPECT_EQ(RoundTrip("(12345678901234567890\r\n", 3, 3), "(12345678901234567890\r\n");
  ASSERT_GT(PushReplyAsLua(L, "_\r\n"), 0u);
  EXPECT_TRUE(lua_isnil(L, -1));
  lua_pop(L, 1);
}

TEST_F(LuaValuesTest, MalformedRepliesPushNothing) {
  int top = lua_gettop(L);
  EXPECT_EQ(PushReplyAsLua(L, "*2\r\n:1\r\n"), 0u);
  EXPECT_EQ(PushReplyAsLua(L, "?\r\n"), 0u);
  EXPECT_EQ(lua_gettop(L), top);
}

TEST(ScriptShebangTest, FlagsAndErrorsAsRedis) {
  uint32_t flags = 0;
  std::string code, error;
  ASSERT_TRUE(ParseShebang("#!lua flags=no-writes,allow-oom\nreturn 1", &flags, &code, &error));
  EXPECT_EQ(flags, kScriptNoWrites | kScriptAllowOom);
  EXPECT_EQ(code, "\nreturn 1");  // the line stays, so errors name the user's line numbers
  EXPECT_FALSE(ParseShebang("#!lua flags=bogus\nreturn 1", &flags, &code, &error));
  EXPECT_EQ(error, "ERR Unexpected flag in script shebang: bogus");
  EXPECT_FALSE(ParseShebang("#!luax\nreturn 1", &flags, &code, &error));
  EXPECT_EQ(error, "ERR Unexpected engine in script shebang: #!luax");
  EXPECT_FALSE(ParseShebang("#!lua name=x\nreturn 1", &flags, &code, &error));
  EXPECT_EQ(error, "ERR Unknown lua shebang option: name=x");
  EXPECT_FALSE(ParseShebang("#!lua", &flags, &code, &error));
  EXPECT_EQ(error, "ERR Invalid script shebang");
}

TEST(Sha1Test, KnownDigests) {
  EXPECT_EQ(Sha1Hex(""), "da39a3ee5e6b4b0d3255bfef95601890afd80709");
  EXPECT_EQ(Sha1Hex("return 1"), "e0e1f9fabfc9d4800c877a703b823ac0578ff8db");
  EXPECT_EQ(Sha1Hex(std::string(1000, 'a')), "291e9a6c66994949b57ba5e650361e98fc36b1ba");
  EXPECT_EQ(Sha1Hex(std::string(55, 'x')).size(), 40u);
}

}  // namespace
}  // namespace ember
