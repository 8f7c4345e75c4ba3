// Expected values are redis-server 7.0.15's for the same calls.
#include "scripting/struct_library.h"

#include <gtest/gtest.h>

#include "lua_snippets.h"

namespace ember {
namespace {

class StructLibraryTest : public ::testing::Test {
 protected:
  std::string Run(std::string_view code) { return lua_.Run(code); }
  LuaSnippets lua_;
};

TEST_F(StructLibraryTest, PacksIntegersInEitherByteOrder) {
  EXPECT_EQ(Run("return hex(struct.pack('>I2', 258))"), "0102");
  EXPECT_EQ(Run("return hex(struct.pack('<I2', 258))"), "0201");
  EXPECT_EQ(Run("return hex(struct.pack('>i4', -2))"), "fffffffe");
  EXPECT_EQ(Run("return hex(struct.pack('<hHlL', -1, 65535, -1, 5))"),
            "ffffffffffffffffffffffff0500000000000000");
  EXPECT_EQ(Run("return hex(struct.pack('>bB', -1, 255))"), "ffff");
  EXPECT_EQ(Run("return hex(struct.pack('<T', 5))"), "0500000000000000");
  EXPECT_EQ(Run("return hex(struct.pack('>i3', 0x123456))"), "123456");
  EXPECT_EQ(Run("return hex(struct.pack('<i', 1))"), "01000000");  // i alone: 4 bytes
}

TEST_F(StructLibraryTest, IntegersTruncateAndWrapLikeRedis) {
  EXPECT_EQ(Run("return hex(struct.pack('b', 300))"), "2c");
  EXPECT_EQ(Run("return hex(struct.pack('>L', 1.9))"), "0000000000000001");
  EXPECT_EQ(Run("return hex(struct.pack('>l', -1.9))"), "ffffffffffffffff");
  EXPECT_EQ(Run("return hex(struct.pack('>L', 2^63))"), "8000000000000000");
  EXPECT_EQ(Run("return hex(struct.pack('>L', 2^64))"), "0000000000000000");
  EXPECT_EQ(Run("return hex(struct.pack('>L', 1e30))"), "0000000000000000");
  EXPECT_EQ(Run("return hex(struct.pack('>L', 0/0))"), "8000000000000000");
  EXPECT_EQ(Run("return hex(struct.pack('>l', -2^64))"), "8000000000000000");
  EXPECT_EQ(Run("return hex(struct.pack('b', '12'))"), "0c");  // numeric strings are numbers
}

TEST_F(StructLibraryTest, IntegersWiderThanEightBytes) {
  EXPECT_EQ(Run("return hex(struct.pack('>i16', -2))"), "0000000000000000fffffffffffffffe");
  EXPECT_EQ(Run("return struct.unpack('>i9', unhex('fffffffffffffffffe'))"), "-2 10");
  EXPECT_EQ(Run("return struct.unpack('<i12', unhex('feffffffffffffffffffffff'))"), "-2 13");
  EXPECT_EQ(Run("return struct.unpack('<i16', unhex('feffffffffffffff0100000000000000'))"),
            "-2 17");
  EXPECT_EQ(Run("return hex(struct.pack('i0', 1)), struct.unpack('i0', 'abc')"), " 0 1");
  EXPECT_EQ(Run("return struct.pack('i33', 1)"),
            "error: snippet:1: integral size 33 is larger than limit of 32");
}

TEST_F(StructLibraryTest, FloatsAndDoubles) {
  EXPECT_EQ(Run("return hex(struct.pack('<f', 1.5))"), "0000c03f");
  EXPECT_EQ(Run("return hex(struct.pack('>d', 0.1))"), "3fb999999999999a");
  EXPECT_EQ(Run("return hex(struct.pack('<d', 0.1))"), "9a9999999999b93f");
  EXPECT_EQ(Run("return string.format('%.17g', (struct.unpack('>d', struct.pack('>d', 0.1))))"),
            "0.10000000000000001");
  EXPECT_EQ(Run("return string.format('%.9g', (struct.unpack('<f', struct.pack('<f', 0.1))))"),
            "0.100000001");
}

TEST_F(StructLibraryTest, Strings) {
  EXPECT_EQ(Run("return hex(struct.pack('s', 'a\\0b'))"), "61006200");
  EXPECT_EQ(Run("return struct.unpack('ss', 'ab\\0cd\\0')"), "ab cd 7");
  EXPECT_EQ(Run("return struct.pack('c3', 'abcdef')"), "abc");
  EXPECT_EQ(Run("return struct.pack('c0', 12)"), "12");
  EXPECT_EQ(Run("return struct.pack('c', 12)"), "1");
  EXPECT_EQ(Run("return struct.pack('c5', 'abc')"),
            "error: snippet:1: bad argument #3 to 'pack' (string too short)");
  EXPECT_EQ(Run("return struct.unpack('s', 'abc')"), "error: snippet:1: unfinished string in data");
  EXPECT_EQ(Run("return struct.unpack('bs', 'a')"), "error: snippet:1: unfinished string in data");
}

TEST_F(StructLibraryTest, C0UnpacksTheLengthReadBeforeIt) {
  EXPECT_EQ(Run("return struct.unpack('bc0', '\\3abcd')"), "abc 5");
  EXPECT_EQ(Run("return struct.unpack('bxc0', '\\2\\0ab')"), "ab 5");
  EXPECT_EQ(Run("return struct.unpack('c1c0', '3abc')"), "abc 5");
  EXPECT_EQ(Run("return struct.unpack('c2c0', ' 1 abc')"), "  4");
  EXPECT_EQ(Run("return struct.unpack('bc0', '\\0abcd')"), " 2");
  EXPECT_EQ(Run("return struct.unpack('dc0', struct.pack('d', 2.7) .. 'abcd')"), "ab 11");
  EXPECT_EQ(Run("return struct.unpack('dc0', struct.pack('d', 1/0) .. 'abcd')"), " 9");
  const char* kTooShort = "error: snippet:1: bad argument #2 to 'unpack' (data string too short)";
  EXPECT_EQ(Run("return struct.unpack('Bc0', '\\5abcd')"), kTooShort);
  EXPECT_EQ(Run("return struct.unpack('bc0', '\\255abcd')"), kTooShort);  // -1 bytes
  EXPECT_EQ(Run("return struct.unpack('dc0', struct.pack('d', 0/0) .. 'abcd')"), kTooShort);
  EXPECT_EQ(Run("return struct.unpack('dc0', struct.pack('d', -1/0) .. 'abcd')"), kTooShort);
  const char* kNoSize = "error: snippet:1: format 'c0' needs a previous size";
  EXPECT_EQ(Run("return struct.unpack('c0', '12')"), kNoSize);  // the data is not a result
  EXPECT_EQ(Run("return struct.unpack('xc0', '\\3abc')"), kNoSize);
  EXPECT_EQ(Run("return struct.unpack('c1c0', 'xabc')"), kNoSize);
  EXPECT_EQ(Run("return struct.unpack('c1c0c0', '2ab1c')"), kNoSize);
}

TEST_F(StructLibraryTest, Alignment) {
  EXPECT_EQ(Run("return hex(struct.pack('!4bi', 1, 2))"), "0100000002000000");
  EXPECT_EQ(Run("return hex(struct.pack('!bd', 1, 2))"), "01000000000000000000000000000040");
  EXPECT_EQ(Run("return hex(struct.pack('!2bi3h', 1, 2, 3))"), "0100020000000300");
  EXPECT_EQ(Run("return hex(struct.pack('!4bhI3', 1, 2, 3))"), "010002000000030000");
  EXPECT_EQ(Run("return hex(struct.pack('<!4 b x i', 1, 2))"), "0100000002000000");
  EXPECT_EQ(Run("return struct.unpack('!4bi', 'a\\0\\0\\0\\1\\0\\0\\0')"), "97 1 9");
  EXPECT_EQ(Run("return struct.unpack('!i3b', '\\1\\0\\0\\0\\1\\0\\0\\0')"), "65536 0 7");
  EXPECT_EQ(Run("return hex(struct.pack('!', 1))"), "");
  EXPECT_EQ(Run("return struct.pack('!3', 1)"),
            "error: snippet:1: alignment 3 is not a power of 2");
  EXPECT_EQ(Run("return struct.pack('!0', 1)"),
            "error: snippet:1: alignment 0 is not a power of 2");
}

TEST_F(StructLibraryTest, Size) {
  EXPECT_EQ(Run("return struct.size('!8bd'), struct.size('!4bi'), struct.size('!4bc3i')"),
            "16 8 8");
  EXPECT_EQ(Run("return struct.size('!2bd'), struct.size('xxxh'), struct.size('!xxxh')"), "10 5 6");
  EXPECT_EQ(Run("return struct.size('bI3'), struct.size('!4bI3'), struct.size('!4bbI3')"), "4 6 5");
  EXPECT_EQ(Run("return struct.size('b  b'), struct.size('c10'), struct.size('!')"), "2 10 0");
  // Unknown letters and digits count nothing here; other characters are errors.
  EXPECT_EQ(Run("return struct.size('i3q'), struct.size(5)"), "3 0");
  EXPECT_EQ(Run("return struct.size('%')"),
            "error: snippet:1: bad argument #1 to 'size' (invalid format option '%')");
  EXPECT_EQ(Run("return struct.size('s')"),
            "error: snippet:1: bad argument #1 to 'size' (option 's' has no fixed size)");
  EXPECT_EQ(Run("return struct.size('c0')"),
            "error: snippet:1: bad argument #1 to 'size' (option 'c0' has no fixed size)");
  EXPECT_EQ(Run("return struct.size()"),
            "error: snippet:1: bad argument #1 to 'size' (string expected, got no value)");
}

TEST_F(StructLibraryTest, UnpackOffsets) {
  EXPECT_EQ(Run("return struct.unpack('b', 'abc', 3)"), "99 4");
  EXPECT_EQ(Run("return struct.unpack('b', 'a', 1.5)"), "97 2");
  EXPECT_EQ(Run("return struct.unpack('', 'abc', 10)"), "10");
  EXPECT_EQ(Run("return struct.unpack('', 'abc', -5)"), "-5");
  EXPECT_EQ(Run("return struct.unpack('b', 'abc', 0)"),
            "error: snippet:1: bad argument #3 to 'unpack' (offset must be 1 or greater)");
  const char* kTooShort = "error: snippet:1: bad argument #2 to 'unpack' (data string too short)";
  for (const char* offset : {"4", "-5", "2^53", "2^70", "-2^70", "0/0"}) {
    EXPECT_EQ(Run(std::string("return struct.unpack('b', 'abc', ") + offset + ")"), kTooShort)
        << offset;
  }
  EXPECT_EQ(Run("return struct.unpack('x', 'abc', 4)"), kTooShort);
  EXPECT_EQ(Run("return struct.unpack('I', '')"), kTooShort);
  EXPECT_EQ(Run("return struct.unpack('c2147483647', 'abc')"), kTooShort);
  EXPECT_EQ(Run("return struct.unpack('b', 'a', 'x')"),
            "error: snippet:1: bad argument #3 to 'unpack' (number expected, got string)");
}

TEST_F(StructLibraryTest, RoundTrips) {
  EXPECT_EQ(Run("return struct.unpack('>i2<I4hd', struct.pack('>i2<I4hd', -300, 4000000000, 7, "
                "-0.5))"),
            "-300 4000000000 7 -0.5 17");
  EXPECT_EQ(Run("return struct.unpack('!8 b d s c3 B c0', struct.pack('!8 b d s c3 B c0', 1, 2.25, "
                "'zero', 'abc', 2, 'xy'))"),
            "1 2.25 zero abc xy 28");
  EXPECT_EQ(Run("local s = struct.pack('>I4', 0xdeadbeef) return #s, struct.unpack('>I4', s)"),
            "4 3735928559 5");
}

TEST_F(StructLibraryTest, FormatErrors) {
  EXPECT_EQ(Run("return struct.pack('q', 1)"),
            "error: snippet:1: bad argument #1 to 'pack' (invalid format option 'q')");
  EXPECT_EQ(Run("return struct.pack('c-1', 'a')"),
            "error: snippet:1: bad argument #1 to 'pack' (invalid format option '-')");
  EXPECT_EQ(Run("return struct.unpack(5, '\\1')"),
            "error: snippet:1: bad argument #1 to 'unpack' (invalid format option '5')");
  EXPECT_EQ(Run("return struct.unpack('!3', 'abc')"),
            "error: snippet:1: alignment 3 is not a power of 2");
  EXPECT_EQ(Run("return struct.pack('i99999999999', 1)"),
            "error: snippet:1: integral size overflow");
  EXPECT_EQ(Run("return struct.pack('c2147483648', 'a')"),
            "error: snippet:1: integral size overflow");
  EXPECT_EQ(Run("return struct.pack('c2147483647', 'a')"),
            "error: snippet:1: bad argument #3 to 'pack' (string too short)");
  EXPECT_EQ(Run("return struct.pack('i214748364', 1)"),
            "error: snippet:1: integral size 214748364 is larger than limit of 32");
}

TEST_F(StructLibraryTest, ArgumentErrors) {
  EXPECT_EQ(Run("return struct.pack()"),
            "error: snippet:1: bad argument #1 to 'pack' (string expected, got no value)");
  EXPECT_EQ(Run("return struct.pack(nil)"),
            "error: snippet:1: bad argument #1 to 'pack' (string expected, got nil)");
  EXPECT_EQ(Run("return struct.pack('i')"),
            "error: snippet:1: bad argument #2 to 'pack' (number expected, got nil)");
  EXPECT_EQ(Run("return struct.pack('ii', 1)"),
            "error: snippet:1: bad argument #3 to 'pack' (number expected, got nil)");
  EXPECT_EQ(Run("return struct.pack('i', 'x')"),
            "error: snippet:1: bad argument #2 to 'pack' (number expected, got string)");
  EXPECT_EQ(Run("return struct.pack('s', nil)"),
            "error: snippet:1: bad argument #2 to 'pack' (string expected, got nil)");
  EXPECT_EQ(Run("return struct.unpack('b')"),
            "error: snippet:1: bad argument #2 to 'unpack' (string expected, got no value)");
  EXPECT_EQ(Run("return struct.unpack('b', 5)"), "53 2");
}

TEST_F(StructLibraryTest, ManyResultsAreBoundedByTheStack) {
  EXPECT_EQ(Run("return select('#', struct.unpack(string.rep('b', 7000), string.rep('a', 7000)))"),
            "7001");
  EXPECT_EQ(Run("return struct.unpack(string.rep('b', 9000), string.rep('a', 9000))"),
            "error: snippet:1: stack overflow (too many results)");
}

TEST_F(StructLibraryTest, RandomFormatsAndDataPackOrFailCleanly) {
  EXPECT_EQ(Run("math.randomseed(11) local opts = {'b','B','h','H','l','L','T','i','I','i3','I9',"
                "'i16','f','d','x','s','c','c0','c2','<','>','!','!4','!8',' '} local done = 0 "
                "for i = 1, 3000 do local f = {} for j = 1, math.random(1, 6) do "
                "f[j] = opts[math.random(#opts)] end local fmt = table.concat(f) "
                "local b = {} for j = 1, math.random(0, 40) do b[j] = string.char(math.random(0, "
                "255)) end local data = table.concat(b) pcall(struct.unpack, fmt, data) "
                "pcall(struct.unpack, fmt, data, math.random(-2, 42)) pcall(struct.size, fmt) "
                "pcall(struct.pack, fmt, math.random(-1000, 1000), data, 2.5, 'abc', 3) "
                "done = done + 1 end return done"),
            "3000");
}

}  // namespace
}  // namespace ember
