// The Lua libraries Redis gives every script, as globals: cjson, cmsgpack, bit and struct.
#pragma once

struct lua_State;

namespace ember {

// Sets the globals cjson, cmsgpack, bit and struct in L (which needs no other library open).
// cjson and bit are Debian's lua-cjson and lua-bitop; cmsgpack and struct are ours
// (msgpack_library.cc, struct_library.cc), with Redis 7.0's behaviour.
void OpenScriptLibraries(lua_State* L);

}  // namespace ember
