// Expected values are redis-server 7.0.15's for the same calls.
#include "scripting/msgpack_library.h"

#include <gtest/gtest.h>

#include "lua_snippets.h"

namespace ember {
namespace {

class MsgpackLibraryTest : public ::testing::Test {
 protected:
  std::string Run(std::string_view code) { return lua_.Run(code); }
  LuaSnippets lua_;
};

TEST_F(MsgpackLibraryTest, Metadata) {
  EXPECT_EQ(Run("return cmsgpack._NAME, cmsgpack._VERSION"), "cmsgpack lua-cmsgpack 0.4.0");
  EXPECT_EQ(Run("return cmsgpack._COPYRIGHT"), "Copyright (C) 2012, Salvatore Sanfilippo");
  EXPECT_EQ(Run("return cmsgpack._DESCRIPTION"), "MessagePack C implementation for Lua");
}

TEST_F(MsgpackLibraryTest, PacksScalars) {
  EXPECT_EQ(Run("return hex(cmsgpack.pack(1, 2, 'x', true, false))"), "0102a178c3c2");
  EXPECT_EQ(Run("return hex(cmsgpack.pack(nil)), hex(cmsgpack.pack(nil, 1))"), "c0 c001");
  EXPECT_EQ(Run("return hex(cmsgpack.pack(function() end, coroutine and 1))"), "c001");
}

TEST_F(MsgpackLibraryTest, IntegersTakeTheSmallestFormat) {
  EXPECT_EQ(Run("return hex(cmsgpack.pack(127, 128, 255, 256, 65535, 65536, 2^32-1, 2^32, 2^53))"),
            "7fcc80ccffcd0100cdffffce00010000ceffffffffcf0000000100000000cf0020000000000000");
  EXPECT_EQ(Run("return hex(cmsgpack.pack(-1, -32, -33, -128, -129, -32768, -32769))"),
            "ffe0d0dfd080d1ff7fd18000d2ffff7fff");
  EXPECT_EQ(Run("return hex(cmsgpack.pack(-2^31, -2^31-1, -2^63))"),
            "d280000000d3ffffffff7fffffffd38000000000000000");
  EXPECT_EQ(Run("return hex(cmsgpack.pack(-0.0))"), "00");
}

TEST_F(MsgpackLibraryTest, OtherNumbersAreFloat32WhenExactElseFloat64) {
  EXPECT_EQ(Run("return hex(cmsgpack.pack(1.5, 0.1))"), "ca3fc00000cb3fb999999999999a");
  EXPECT_EQ(Run("return hex(cmsgpack.pack(1/0, -1/0, 2^-149))"), "ca7f800000caff800000ca00000001");
  EXPECT_EQ(Run("return hex(cmsgpack.pack(1e300))"), "cb7e37e43c8800759c");
  EXPECT_EQ(Run("return hex(cmsgpack.pack(2^63, 2^64))"), "ca5f000000ca5f800000");
  EXPECT_EQ(Run("return hex(cmsgpack.pack(0/0)) == hex(struct.pack('>d', 0/0)):gsub('^', 'cb')"),
            "true");
}

TEST_F(MsgpackLibraryTest, StringHeaders) {
  EXPECT_EQ(Run("return hex(cmsgpack.pack(''))"), "a0");
  EXPECT_EQ(Run("return hex(cmsgpack.pack(string.rep('a', 31))):sub(1, 2)"), "bf");
  EXPECT_EQ(Run("return hex(cmsgpack.pack(string.rep('a', 32))):sub(1, 4)"), "d920");
  EXPECT_EQ(Run("return hex(cmsgpack.pack(string.rep('a', 255))):sub(1, 4)"), "d9ff");
  EXPECT_EQ(Run("return hex(cmsgpack.pack(string.rep('a', 256))):sub(1, 6)"), "da0100");
  EXPECT_EQ(Run("return hex(cmsgpack.pack(string.rep('a', 65535))):sub(1, 6)"), "daffff");
  EXPECT_EQ(Run("return hex(cmsgpack.pack(string.rep('a', 65536))):sub(1, 10)"), "db00010000");
  EXPECT_EQ(Run("return #cmsgpack.pack(string.rep('a', 255)), #cmsgpack.pack(string.rep('a', "
                "65536))"),
            "257 65541");
}

TEST_F(MsgpackLibraryTest, TablesWithKeysOneToNAreArrays) {
  EXPECT_EQ(Run("return hex(cmsgpack.pack({}))"), "90");
  EXPECT_EQ(Run("return hex(cmsgpack.pack({1, 2, 3}))"), "93010203");
  EXPECT_EQ(Run("local t = {} for i = 1, 16 do t[i] = i end return hex(cmsgpack.pack(t))"),
            "dc0010"
            "0102030405060708090a0b0c0d0e0f10");
  EXPECT_EQ(Run("local t = {} for i = 1, 70000 do t[i] = 1 end return hex(cmsgpack.pack(t):sub(1, "
                "5))"),
            "dd00011170");
  EXPECT_EQ(Run("return hex(cmsgpack.pack(setmetatable({}, {__index = function() return 5 end})))"),
            "90");
}

TEST_F(MsgpackLibraryTest, OtherTablesAreMaps) {
  EXPECT_EQ(Run("return hex(cmsgpack.pack({a = 1}))"), "81a16101");
  EXPECT_EQ(Run("return hex(cmsgpack.pack({[1] = 1, [3] = 3}))"), "8201010303");
  EXPECT_EQ(Run("return hex(cmsgpack.pack({[1.5] = 1}))"), "81ca3fc0000001");
  EXPECT_EQ(Run("return hex(cmsgpack.pack({[0] = 1})), hex(cmsgpack.pack({[-1] = 1}))"),
            "810001 81ff01");
  EXPECT_EQ(Run("return hex(cmsgpack.pack({['1'] = 1}))"), "81a13101");
  EXPECT_EQ(Run("return hex(cmsgpack.pack({[2^31] = 1}))"), "81ce8000000001");
  EXPECT_EQ(Run("return hex(cmsgpack.pack({[{}] = 1}))"), "819001");
  EXPECT_EQ(
      Run("local t = {} for i = 1, 16 do t['k' .. i] = i end return hex(cmsgpack.pack(t):sub(1, "
          "3)), #cmsgpack.pack(t)"),
      "de0010 74");
  // {1, 2, nil, 4}: keys 1, 2, 4.
  EXPECT_EQ(Run("local t = cmsgpack.unpack(cmsgpack.pack({1, 2, nil, 4})) return t[1], t[2], t[3], "
                "t[4]"),
            "1 2 nil 4");
  EXPECT_EQ(Run("return hex(cmsgpack.pack({1, 2, nil, 4})):sub(1, 2)"), "83");
}

TEST_F(MsgpackLibraryTest, TablesNestedSixteenDeepPackAsNil) {
  EXPECT_EQ(Run("local t = {} t[1] = t return hex(cmsgpack.pack(t))"),
            "91919191919191919191919191919191c0");
  EXPECT_EQ(Run("local t = {} local c = t for i = 1, 20 do c[1] = {} c = c[1] end "
                "return hex(cmsgpack.pack(t))"),
            "91919191919191919191919191919191c0");
  EXPECT_EQ(Run("local t = {} local c = t for i = 1, 14 do c[1] = {} c = c[1] end "
                "return hex(cmsgpack.pack(t))"),
            "919191919191919191919191919190");
}

TEST_F(MsgpackLibraryTest, PackArgumentErrors) {
  EXPECT_EQ(Run("return cmsgpack.pack()"),
            "error: snippet:1: bad argument #0 to 'pack' (MessagePack pack needs input.)");
  EXPECT_EQ(Run("local t = {} for i = 1, 5000 do t[i] = i end return cmsgpack.pack(unpack(t))"),
            "error: snippet:1: bad argument #0 to 'pack' (Too many arguments for MessagePack "
            "pack.)");
  EXPECT_EQ(Run("local t = {} for i = 1, 3000 do t[i] = i end return #cmsgpack.pack(unpack(t))"),
            "8618");
}

TEST_F(MsgpackLibraryTest, UnpacksEveryType) {
  EXPECT_EQ(Run("return cmsgpack.unpack('\\1\\2\\3')"), "1 2 3");
  EXPECT_EQ(Run("return select('#', cmsgpack.unpack(''))"), "0");
  EXPECT_EQ(Run("return cmsgpack.unpack(unhex('d0ff')), cmsgpack.unpack(unhex('d1fffe')), "
                "cmsgpack.unpack(unhex('d2fffffffe'))"),
            "-1 -2 -2");
  EXPECT_EQ(Run("return cmsgpack.unpack(unhex('cdfffe')), cmsgpack.unpack(unhex('cefffffffe')), "
                "cmsgpack.unpack(unhex('e0'))"),
            "65534 4294967294 -32");
  EXPECT_EQ(Run("return cmsgpack.unpack(unhex('cf7fffffffffffffff')), "
                "cmsgpack.unpack(unhex('d38000000000000000'))"),
            "9.2233720368548e+18 -9.2233720368548e+18");
  // A uint64 above 2^63 wraps to negative, as in Redis.
  EXPECT_EQ(Run("return cmsgpack.unpack(unhex('cfffffffffffffffff')), "
                "cmsgpack.unpack(unhex('cf8000000000000000'))"),
            "-1 -9.2233720368548e+18");
  EXPECT_EQ(Run("return cmsgpack.unpack(unhex('ca3fc00000')), "
                "cmsgpack.unpack(unhex('cb3fb999999999999a'))"),
            "1.5 0.1");
  EXPECT_EQ(Run("return cmsgpack.unpack(unhex('c0c2c3'))"), "nil false true");
  EXPECT_EQ(Run("return cmsgpack.unpack(unhex('d9026162')), cmsgpack.unpack(unhex('da00026162')), "
                "cmsgpack.unpack(unhex('db000000026162'))"),
            "ab ab ab");
  EXPECT_EQ(Run("local t = cmsgpack.unpack(unhex('dc00020102')) return #t, t[1], t[2]"), "2 1 2");
  EXPECT_EQ(Run("local t = cmsgpack.unpack(unhex('de00010102')) return t[1]"), "2");
  EXPECT_EQ(Run("local t = cmsgpack.unpack(unhex('93' .. '01c003')) return t[1], t[2], t[3]"),
            "1 nil 3");
  EXPECT_EQ(Run("local t = cmsgpack.unpack(unhex('8201020103')) return t[1]"), "3");
  EXPECT_EQ(Run("return cmsgpack.unpack(5)"), "53");
}

TEST_F(MsgpackLibraryTest, UnpackErrors) {
  const char* kBadFormat = "error: snippet:1: Bad data format in input.";
  for (const char* input : {"c1", "c4016161", "d40101", "c70101", "d801"}) {
    EXPECT_EQ(Run(std::string("return cmsgpack.unpack(unhex('") + input + "'))"), kBadFormat)
        << input;
  }
  const char* kMissing = "error: snippet:1: Missing bytes in input.";
  for (const char* input : {"9201", "d9", "d90261", "dbffffffff6162", "ddffffffff01",
                            "dfffffffff01", "cd01", "cb000000"}) {
    EXPECT_EQ(Run(std::string("return cmsgpack.unpack(unhex('") + input + "'))"), kMissing)
        << input;
  }
  EXPECT_EQ(Run("return cmsgpack.unpack(unhex('81c001'))"), "error: table index is nil");
  EXPECT_EQ(Run("return cmsgpack.unpack(unhex('81cbfff800000000000001'))"),
            "error: table index is NaN");
  EXPECT_EQ(Run("return cmsgpack.unpack({})"),
            "error: snippet:1: bad argument #1 to 'unpack' (string expected, got table)");
  EXPECT_EQ(Run("return cmsgpack.unpack()"),
            "error: snippet:1: bad argument #1 to 'unpack' (string expected, got no value)");
}

TEST_F(MsgpackLibraryTest, UnpackOneAndLimitReturnTheNextOffsetFirst) {
  EXPECT_EQ(Run("return cmsgpack.unpack_one('\\1\\2\\3')"), "1 1");
  EXPECT_EQ(Run("return cmsgpack.unpack_one('\\1\\2\\3', 0)"), "1 1");
  EXPECT_EQ(Run("return cmsgpack.unpack_one('\\1\\2\\3', 1)"), "2 2");
  EXPECT_EQ(Run("return cmsgpack.unpack_one('\\1\\2\\3', 1.7)"), "2 2");
  EXPECT_EQ(Run("return cmsgpack.unpack_one('\\1\\2\\3', 2)"), "-1 3");
  EXPECT_EQ(Run("return cmsgpack.unpack_one('\\1\\2\\3', 3)"), "-1");
  EXPECT_EQ(Run("return cmsgpack.unpack_one('')"), "-1");
  EXPECT_EQ(Run("return cmsgpack.unpack_limit('\\1\\2\\3', 5)"), "-1 1 2 3");
  EXPECT_EQ(Run("return cmsgpack.unpack_limit('\\1\\2\\3', 2)"), "2 1 2");
  EXPECT_EQ(Run("return cmsgpack.unpack_limit('\\1\\2\\3', 1, 1)"), "2 2");
  EXPECT_EQ(Run("return cmsgpack.unpack_limit('\\1\\2\\3', 0, 1)"), "1");
  // Limit and offset both 0 mean "everything", without the offset.
  EXPECT_EQ(Run("return cmsgpack.unpack_limit('\\1\\2\\3', 0)"), "1 2 3");
  EXPECT_EQ(Run("local s = cmsgpack.pack({1, 2}, 'x', {a = true}) local out, offset, v = {}, 0 "
                "repeat offset, v = cmsgpack.unpack_one(s, offset) out[#out + 1] = type(v) until "
                "offset == -1 return table.concat(out, ',')"),
            "table,string,table");
}

TEST_F(MsgpackLibraryTest, UnpackOneAndLimitErrors) {
  EXPECT_EQ(Run("return cmsgpack.unpack_one('abc', 10)"),
            "error: snippet:1: Start offset 10 greater than input length 3.");
  // Redis prints the input's length where it says limit.
  EXPECT_EQ(Run("return cmsgpack.unpack_one('abc', -1)"),
            "error: snippet:1: Invalid request to unpack with offset of -1 and limit of 3.");
  EXPECT_EQ(Run("return cmsgpack.unpack_limit('\\1\\2\\3', -1)"),
            "error: snippet:1: Invalid request to unpack with offset of 0 and limit of 3.");
  EXPECT_EQ(Run("return cmsgpack.unpack_limit('\\1\\2\\3', 1, -2)"),
            "error: snippet:1: Invalid request to unpack with offset of -2 and limit of 3.");
  EXPECT_EQ(Run("return cmsgpack.unpack_one('\\1\\147', 1)"),
            "error: snippet:1: Missing bytes in input.");
  EXPECT_EQ(Run("return cmsgpack.unpack_one('\\1\\193', 1)"),
            "error: snippet:1: Bad data format in input.");
  EXPECT_EQ(Run("return cmsgpack.unpack_one('\\1\\2\\3', 'x')"),
            "error: snippet:1: bad argument #2 to 'unpack_one' (number expected, got string)");
  EXPECT_EQ(Run("return cmsgpack.unpack_limit('a')"),
            "error: snippet:1: bad argument #2 to 'unpack_limit' (number expected, got no value)");
  EXPECT_EQ(Run("return cmsgpack.unpack_one()"),
            "error: snippet:1: bad argument #1 to 'unpack_one' (string expected, got no value)");
}

TEST_F(MsgpackLibraryTest, TheLuaStackBoundsValuesAndNesting) {
  EXPECT_EQ(Run("return select('#', cmsgpack.unpack(string.rep('\\1', 7000)))"), "7000");
  EXPECT_EQ(Run("return cmsgpack.unpack(string.rep('\\1', 9000))"),
            "error: snippet:1: stack overflow (too many return values at once; use unpack_one or "
            "unpack_limit instead.)");
  EXPECT_EQ(Run("return type(cmsgpack.unpack(string.rep('\\145', 3990) .. '\\1'))"), "table");
  EXPECT_EQ(Run("return (pcall(cmsgpack.unpack, string.rep('\\145', 5000) .. '\\1'))"), "false");
  EXPECT_EQ(Run("return (pcall(cmsgpack.unpack, string.rep('\\129\\1', 5000) .. '\\1'))"), "false");
  // A huge count in a short input fails at once, without allocating for the count.
  EXPECT_EQ(Run("return cmsgpack.unpack(unhex('ddfffffff0') .. string.rep('\\1', 100))"),
            "error: snippet:1: Missing bytes in input.");
}

TEST_F(MsgpackLibraryTest, RoundTrips) {
  EXPECT_EQ(Run("local v = {1, 'two', {three = 3, [4] = {true, false}}, -5.25, 2^40} "
                "local u = cmsgpack.unpack(cmsgpack.pack(v)) "
                "return u[1], u[2], u[3].three, u[3][4][1], u[3][4][2], u[4], u[5]"),
            "1 two 3 true false -5.25 1099511627776");
  EXPECT_EQ(
      Run("local s = string.rep('\\0\\255', 40000) return cmsgpack.unpack(cmsgpack.pack(s)) == s"),
      "true");
  EXPECT_EQ(
      Run("local a, b, c = cmsgpack.unpack(cmsgpack.pack('a', 7, {})) return a, b, type(c), #c"),
      "a 7 table 0");
  // Every integer format's boundaries survive the trip.
  EXPECT_EQ(Run("for _, n in ipairs({0, 127, 128, 255, 256, 65535, 65536, 2^32 - 1, 2^32, 2^53, "
                "-1, -32, -33, -128, -129, -32768, -32769, -2^31, -2^31 - 1, -2^53}) do "
                "if cmsgpack.unpack(cmsgpack.pack(n)) ~= n then return n end end return 'ok'"),
            "ok");
}

TEST_F(MsgpackLibraryTest, RandomInputsUnpackOrFailCleanly) {
  // Random bytes, and packed values cut short: every call returns or raises a Lua error.
  EXPECT_EQ(Run("math.randomseed(7) local done = 0 for i = 1, 3000 do local n = math.random(0, 40) "
                "local b = {} for j = 1, n do b[j] = string.char(math.random(0, 255)) end "
                "local s = table.concat(b) pcall(cmsgpack.unpack, s) pcall(cmsgpack.unpack_one, s, "
                "math.random(0, n)) pcall(cmsgpack.unpack_limit, s, math.random(0, 3)) "
                "local p = cmsgpack.pack({s, {n, s}, n / 7}) pcall(cmsgpack.unpack, p:sub(1, "
                "math.random(0, #p))) done = done + 1 end return done"),
            "3000");
}

}  // namespace
}  // namespace ember
