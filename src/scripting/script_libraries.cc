#include "scripting/script_libraries.h"

#include <lua.hpp>

#include "scripting/cjson_library.h"
#include "scripting/msgpack_library.h"
#include "scripting/struct_library.h"

extern "C" int luaopen_bit(lua_State* L);  // Debian's lua-bitop (liblua5.1-bitop)

namespace ember {

void OpenScriptLibraries(lua_State* L) {
  static constexpr struct {
    const char* name;
    lua_CFunction open;
  } kLibraries[] = {{"cjson", OpenCjsonLibrary},
                    {"struct", OpenStructLibrary},
                    {"cmsgpack", OpenMsgpackLibrary},
                    {"bit", luaopen_bit}};
  for (const auto& library : kLibraries) {
    lua_pushcfunction(L, library.open);
    lua_pushstring(L, library.name);  // a library's open function gets its name, as require does
    lua_call(L, 1, 1);
    lua_setglobal(L, library.name);
  }
}

}  // namespace ember
