// `struct` for scripts: struct.pack / struct.unpack / struct.size, binary records described by a
// format string, with the format characters, results and error messages of Redis 7.0's copy of
// Roberto Ierusalimschy's struct library:
//   >  <  big / little endian from here on (default: the machine's)
//   ![n]   alignment of at most n bytes (a power of 2; no n: 8), default 1 (none)
//   x  one zero byte          b/B  signed/unsigned char      h/H  short      l/L  long (8)
//   T  size_t (8)             i/I[n]  n-byte integer (n <= 32, default 4)
//   f  float   d  double      s  zero-terminated string      ' '  ignored
//   c[n]  n bytes of a string (default 1); c0 packs the whole string and unpacks as many bytes
//         as the number unpacked just before it.
#pragma once

struct lua_State;

namespace ember {

// A lua_CFunction: leaves the `struct` table on the stack (returns 1). Sets no global.
int OpenStructLibrary(lua_State* L);

}  // namespace ember
