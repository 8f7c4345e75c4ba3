// Expected values are redis-server 7.0.15's for the same calls (except the size guard's, which
// Redis does not have).
#include "scripting/cjson_library.h"

#include <gtest/gtest.h>

#include "lua_snippets.h"

namespace ember {
namespace {

class CjsonLibraryTest : public ::testing::Test {
 protected:
  std::string Run(std::string_view code) { return lua_.Run(code); }
  LuaSnippets lua_;
};

TEST_F(CjsonLibraryTest, HasRedisFunctionsAndDefaults) {
  EXPECT_EQ(Run("local t = {} for k, v in pairs(cjson) do t[#t + 1] = k .. ':' .. type(v) end "
                "table.sort(t) return table.concat(t, ' ')"),
            "_NAME:string _VERSION:string decode:function decode_invalid_numbers:function "
            "decode_max_depth:function encode:function encode_invalid_numbers:function "
            "encode_keep_buffer:function encode_max_depth:function "
            "encode_number_precision:function encode_sparse_array:function new:function "
            "null:userdata");
  EXPECT_EQ(Run("return cjson._NAME, cjson._VERSION"), "cjson 2.1.0");
  EXPECT_EQ(Run("return cjson.encode_keep_buffer(), cjson.encode_max_depth(), "
                "cjson.decode_max_depth(), cjson.encode_number_precision()"),
            "true 1000 1000 14");
  EXPECT_EQ(Run("return cjson.encode_sparse_array()"), "false 2 10");
  EXPECT_EQ(Run("return cjson.encode_invalid_numbers(), cjson.decode_invalid_numbers()"),
            "false true");
}

TEST_F(CjsonLibraryTest, Encodes) {
  EXPECT_EQ(Run("return cjson.encode({1, 2, 3, {a = 1}})"), "[1,2,3,{\"a\":1}]");
  EXPECT_EQ(Run("return cjson.encode({})"), "{}");
  EXPECT_EQ(Run("return cjson.encode({cjson.null, true, false})"), "[null,true,false]");
  EXPECT_EQ(Run("return cjson.encode(0.1), cjson.encode(1e15), cjson.encode(123456789012345678)"),
            "0.1 1e+15 1.2345678901235e+17");
  EXPECT_EQ(Run("return cjson.encode({[1] = 1, [3] = 3})"), "[1,null,3]");
  EXPECT_EQ(Run("return cjson.encode({[1.5] = 1})"), "{\"1.5\":1}");
  EXPECT_EQ(Run("return cjson.encode('\\0\\1\\127/\"\\\\\\n\\r\\t\\b\\12')"),
            "\"\\u0000\\u0001\\u007f\\/\\\"\\\\\\n\\r\\t\\b\\f\"");
  EXPECT_EQ(Run("return hex(cjson.encode('\\200\\255'))"), "22c8ff22");
  EXPECT_EQ(Run("return cjson.new().encode({1})"), "[1]");
}

TEST_F(CjsonLibraryTest, EncodeErrors) {
  EXPECT_EQ(Run("return cjson.encode(0/0)"),
            "error: snippet:1: Cannot serialise number: must not be NaN or Inf");
  EXPECT_EQ(Run("return cjson.encode({[1] = 1, [30] = 3})"),
            "error: snippet:1: Cannot serialise table: excessively sparse array");
  EXPECT_EQ(Run("local t = {} t[1] = t return cjson.encode(t)"),
            "error: snippet:1: Cannot serialise, excessive nesting (1001)");
  EXPECT_EQ(Run("return cjson.encode({a = function() end})"),
            "error: snippet:1: Cannot serialise function: type not supported");
  EXPECT_EQ(Run("return cjson.encode({[true] = 1})"),
            "error: snippet:1: Cannot serialise boolean: table key must be a number or string");
  EXPECT_EQ(Run("return cjson.encode()"),
            "error: snippet:1: bad argument #1 to 'encode' (expected 1 argument)");
  EXPECT_EQ(Run("return cjson.encode(1, 2)"),
            "error: snippet:1: bad argument #1 to 'encode' (expected 1 argument)");
  EXPECT_EQ(Run("local ok, e = pcall(cjson.encode, 0/0) return e"),
            "Cannot serialise number: must not be NaN or Inf");
}

TEST_F(CjsonLibraryTest, Decodes) {
  EXPECT_EQ(Run("local t = cjson.decode('[1,null,3]') return #t, t[2] == cjson.null, t[3]"),
            "3 true 3");
  EXPECT_EQ(Run("return cjson.encode(cjson.decode('{\"a\":[1,2,{\"b\":null}]}'))"),
            "{\"a\":[1,2,{\"b\":null}]}");
  EXPECT_EQ(Run("return hex(cjson.decode('\"\\\\u00e9\\\\ud83d\\\\ude00\"'))"), "c3a9f09f9880");
  EXPECT_EQ(Run("return cjson.decode(' 12 '), cjson.decode('0x10'), tostring(cjson.decode('NaN'))"),
            "12 16 nan");
  EXPECT_EQ(Run("return cjson.decode('1e2'), cjson.decode('-0.5'), cjson.decode('true')"),
            "100 -0.5 true");
}

TEST_F(CjsonLibraryTest, DecodeErrors) {
  EXPECT_EQ(Run("return cjson.decode('[1,2')"),
            "error: snippet:1: Expected comma or array end but found T_END at character 5");
  EXPECT_EQ(
      Run("return cjson.decode('\"\\\\ud83d\"')"),
      "error: snippet:1: Expected value but found invalid unicode escape code at character 2");
  EXPECT_EQ(Run("return cjson.decode('[1,2,]')"),
            "error: snippet:1: Expected value but found T_ARR_END at character 6");
  EXPECT_EQ(Run("return cjson.decode('{\"a\":1,}')"),
            "error: snippet:1: Expected object key string but found T_OBJ_END at character 8");
  EXPECT_EQ(Run("return cjson.decode('')"),
            "error: snippet:1: Expected value but found T_END at character 1");
  EXPECT_EQ(Run("return cjson.decode(string.rep('[', 1001) .. string.rep(']', 1001))"),
            "error: snippet:1: Found too many nested data structures (1001) at character 1001");
  EXPECT_EQ(Run("return cjson.decode()"),
            "error: snippet:1: bad argument #1 to 'decode' (expected 1 argument)");
  EXPECT_EQ(Run("return cjson.decode(1, 2)"),
            "error: snippet:1: bad argument #1 to 'decode' (expected 1 argument)");
  EXPECT_EQ(Run("return cjson.decode(nil)"),
            "error: snippet:1: bad argument #1 to 'decode' (string expected, got nil)");
}

TEST_F(CjsonLibraryTest, Settings) {
  EXPECT_EQ(Run("cjson.encode_sparse_array(true) return cjson.encode({[1] = 1, [30] = 3})"),
            "{\"1\":1,\"30\":3}");
  EXPECT_EQ(Run("cjson.encode_max_depth(2) return pcall(cjson.encode, {{{1}}})"),
            "false Cannot serialise, excessive nesting (3)");
  EXPECT_EQ(Run("cjson.encode_number_precision(3) return cjson.encode(3.14159)"), "3.14");
  EXPECT_EQ(Run("cjson.encode_invalid_numbers(true) return cjson.encode(1/0)"), "inf");
  EXPECT_EQ(Run("cjson.decode_invalid_numbers(false) return pcall(cjson.decode, '0x10')"),
            "false Expected value but found invalid number at character 1");
  // A new module starts from the defaults, apart from the first one.
  EXPECT_EQ(Run("cjson.encode_max_depth(5) local c = cjson.new() "
                "return c.encode_max_depth(), cjson.encode_max_depth()"),
            "1000 5");
}

TEST_F(CjsonLibraryTest, RefusesEncodingsThatCouldPassAGigabyte) {
  // 1100 references to one 1 MB string: a 1.1 GB text from 1 MB of memory.
  EXPECT_EQ(Run("local s = string.rep('a', 1024 * 1024) local t = {} for i = 1, 1100 do t[i] = s "
                "end return cjson.encode(t)"),
            "error: snippet:1: Cannot serialise: the JSON text could exceed 1073741824 bytes");
  // lua-cjson reserves 6 bytes per byte of a string before writing it: 20 strings of 40 MB
  // (800 MB) and room for 240 MB more is too much for the 21st, though it would end at 840 MB.
  EXPECT_EQ(Run("local s = string.rep('a', 40 * 1024 * 1024) local t = {} for i = 1, 21 do t[i] = "
                "s end return pcall(cjson.encode, t)"),
            "false Cannot serialise: the JSON text could exceed 1073741824 bytes");
  // The same through cjson.new's module.
  EXPECT_EQ(Run("local s = string.rep('a', 1024 * 1024) local t = {} for i = 1, 1100 do t[i] = s "
                "end return pcall(cjson.new().encode, t)"),
            "false Cannot serialise: the JSON text could exceed 1073741824 bytes");
  // What fits is encoded.
  EXPECT_EQ(Run("local s = string.rep('a', 1024 * 1024) local t = {} for i = 1, 100 do t[i] = s "
                "end return #cjson.encode(t)"),
            "104857901");
}

TEST_F(CjsonLibraryTest, TheGuardFollowsLuaCjsonsErrors) {
  // Where lua-cjson stops with an error, so does the guard's walk, and lua-cjson's error wins.
  EXPECT_EQ(Run("local t = {} t[1] = t return pcall(cjson.encode, t)"),
            "false Cannot serialise, excessive nesting (1001)");
  EXPECT_EQ(Run("local s = string.rep('a', 1024 * 1024) local t = {function() end} for i = 2, 1100 "
                "do t[i] "
                "= s end return pcall(cjson.encode, t)"),
            "false Cannot serialise function: type not supported");
  // lua-cjson keeps the largest index in an int: 2^40 makes it negative, so an object.
  EXPECT_EQ(Run("return pcall(cjson.encode, {[1] = 1, [2^40] = 2})"),
            "true {\"1\":1,\"1099511627776\":2}");
}

}  // namespace
}  // namespace ember
