// Expected values are redis-server 7.0.15's for the same calls.
#include "scripting/script_libraries.h"

#include <gtest/gtest.h>

#include "lua_snippets.h"

namespace ember {
namespace {

TEST(ScriptLibrariesTest, SetsTheFourGlobals) {
  LuaSnippets lua;
  EXPECT_EQ(lua.Run("return type(cjson), type(cmsgpack), type(bit), type(struct)"),
            "table table table table");
  EXPECT_EQ(lua.Run("local t = {} for k in pairs(bit) do t[#t + 1] = k end table.sort(t) "
                    "return table.concat(t, ' ')"),
            "arshift band bnot bor bswap bxor lshift rol ror rshift tobit tohex");
  EXPECT_EQ(lua.Run("local t = {} for k in pairs(struct) do t[#t + 1] = k end table.sort(t) "
                    "return table.concat(t, ' ')"),
            "pack size unpack");
  EXPECT_EQ(lua.Run("local t = {} for k in pairs(cmsgpack) do t[#t + 1] = k end table.sort(t) "
                    "return table.concat(t, ' ')"),
            "_COPYRIGHT _DESCRIPTION _NAME _VERSION pack unpack unpack_limit unpack_one");
}

TEST(ScriptLibrariesTest, BitIsLuaBitOp) {
  LuaSnippets lua;
  EXPECT_EQ(lua.Run("return bit.tobit(2^32 + 5), bit.tohex(-1), bit.tohex(255, 4), "
                    "bit.tohex(255, -4), bit.bnot(0), bit.bor(1, 2, 4), bit.band(0xff, 0x0f, 3), "
                    "bit.bxor(5, 3)"),
            "5 ffffffff 00ff 00FF -1 7 3 6");
  EXPECT_EQ(lua.Run("return bit.lshift(1, 31), bit.rshift(-1, 28), bit.arshift(-256, 4), "
                    "bit.rol(0x12345678, 8), bit.ror(0x12345678, 8), bit.bswap(0x12345678)"),
            "-2147483648 15 -16 878082066 2014458966 2018915346");
  EXPECT_EQ(lua.Run("return bit.tohex(bit.tobit(0xffffffff + 1.5))"), "00000000");
  EXPECT_EQ(lua.Run("return bit.band('x')"),
            "error: snippet:1: bad argument #1 to 'band' (number expected, got string)");
  EXPECT_EQ(lua.Run("return bit.band()"),
            "error: snippet:1: bad argument #1 to 'band' (number expected, got no value)");
}

TEST(ScriptLibrariesTest, StatesAreIndependent) {
  LuaSnippets a, b;
  a.Run("cjson.encode_max_depth(3)");
  EXPECT_EQ(a.Run("return cjson.encode_max_depth()"), "3");
  EXPECT_EQ(b.Run("return cjson.encode_max_depth()"), "1000");
}

}  // namespace
}  // namespace ember
