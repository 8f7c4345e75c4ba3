// `cmsgpack` for scripts: MessagePack with the functions, number rules and errors of Redis 7.0's
// lua-cmsgpack 0.4.0.
//   cmsgpack.pack(v1, ...)            the values' encodings, concatenated
//   cmsgpack.unpack(s)                every value in s
//   cmsgpack.unpack_one(s [, offset]) next offset (-1 at the end), then one value
//   cmsgpack.unpack_limit(s, n [, offset])  next offset, then up to n values
// Packing: a number that is a whole int64 is an integer in the smallest format (unsigned ones
// when >= 0), any other number a float32 when that keeps it exact, else a float64. A table
// whose keys are exactly 1..n is an array, any other table a map; tables nested 16 deep, and
// functions, userdata and threads, pack as nil. Unpacking: bin and ext types are "Bad data
// format in input."; integers become Lua numbers (a uint64 above 2^63 wraps to negative).
#pragma once

struct lua_State;

namespace ember {

// A lua_CFunction: leaves the `cmsgpack` table on the stack (returns 1). Sets no global.
int OpenMsgpackLibrary(lua_State* L);

}  // namespace ember
