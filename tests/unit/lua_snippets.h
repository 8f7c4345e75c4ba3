// Runs Lua snippets in a bare lua_State that has the script libraries (cjson, cmsgpack, bit,
// struct), for unit tests of those libraries.
#pragma once

#include <lua.hpp>
#include <string>
#include <string_view>

#include "scripting/script_libraries.h"

namespace ember {

class LuaSnippets {
 public:
  LuaSnippets() : L_(luaL_newstate()) {
    // The standard libraries Redis gives scripts that the snippets use; no io, os or package.
    for (lua_CFunction open : {luaopen_base, luaopen_table, luaopen_string, luaopen_math}) {
      lua_pushcfunction(L_, open);
      lua_call(L_, 0, 0);
    }
    OpenScriptLibraries(L_);
    // hex(s): the bytes of s as lowercase hex; unhex(h): the reverse.
    Run("function hex(s) return (s:gsub('.', function(c) return string.format('%02x', c:byte()) "
        "end)) end "
        "function unhex(h) return (h:gsub('%x%x', function(x) return string.char(tonumber(x, 16)) "
        "end)) end");
  }
  ~LuaSnippets() { lua_close(L_); }
  LuaSnippets(const LuaSnippets&) = delete;
  LuaSnippets& operator=(const LuaSnippets&) = delete;

  // Runs `code` as a chunk: its results through tostring, joined by " " (nothing: ""), or
  // "error: <message>" when it raised one.
  std::string Run(std::string_view code) {
    lua_settop(L_, 0);
    if (luaL_loadbuffer(L_, code.data(), code.size(), "=snippet") != 0 ||
        lua_pcall(L_, 0, LUA_MULTRET, 0) != 0) {
      std::string message = "error: ";
      size_t length;
      const char* text = lua_tolstring(L_, -1, &length);
      message.append(text ? text : "(not a string)", text ? length : 14);
      lua_settop(L_, 0);
      return message;
    }
    std::string results;
    int count = lua_gettop(L_);
    lua_getglobal(L_, "tostring");
    for (int i = 1; i <= count; ++i) {
      lua_pushvalue(L_, -1);
      lua_pushvalue(L_, i);
      lua_call(L_, 1, 1);
      size_t length;
      const char* text = lua_tolstring(L_, -1, &length);
      if (i > 1) results += ' ';
      results.append(text, length);
      lua_pop(L_, 1);
    }
    lua_settop(L_, 0);
    return results;
  }

  lua_State* state() { return L_; }

 private:
  lua_State* L_;
};

}  // namespace ember
