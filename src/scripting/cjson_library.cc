#include "scripting/cjson_library.h"

#include <cmath>
#include <cstdint>
#include <lua.hpp>
#include <optional>

#include "scripting/native_casts.h"

extern "C" int luaopen_cjson(lua_State* L);  // Debian's lua-cjson (liblua5.1-cjson)

namespace ember {
namespace {

// The encoder settings that decide how far lua-cjson walks a value and what it writes.
struct EncodeSettings {
  bool sparse_convert;
  int sparse_ratio;
  int sparse_safe;
  int max_depth;
};

// Reads the settings through the module's own getters (upvalues 2 and 3 of the guarded encode).
EncodeSettings ReadEncodeSettings(lua_State* L) {
  EncodeSettings settings;
  lua_pushvalue(L, lua_upvalueindex(2));  // encode_sparse_array() -> convert, ratio, safe
  lua_call(L, 0, 3);
  settings.sparse_convert = lua_toboolean(L, -3);
  settings.sparse_ratio = static_cast<int>(lua_tointeger(L, -2));
  settings.sparse_safe = static_cast<int>(lua_tointeger(L, -1));
  lua_pop(L, 3);
  lua_pushvalue(L, lua_upvalueindex(3));  // encode_max_depth()
  lua_call(L, 0, 1);
  settings.max_depth = static_cast<int>(lua_tointeger(L, -1));
  lua_pop(L, 1);
  return settings;
}

// An upper bound of what lua-cjson's buffer holds for the part of the value walked so far.
// lua-cjson's int sizes are safe while every request stays within kMaxJsonEncodeBytes (its
// buffer doubles from a power of 2 at most: to 2^30, never 2^31).
struct SizeBound {
  static constexpr size_t kLimit = kMaxJsonEncodeBytes - 64;
  size_t bytes = 0;
  bool over_limit = false;
  // The string counted last (Lua interns strings: the same text is the same pointer).
  const char* last_string = nullptr;
  size_t last_length = 0;
  size_t last_written = 0;

  // False (and over the limit) when `n` more bytes would not fit.
  bool Fits(size_t n) {
    if (n <= kLimit - bytes) return true;
    over_limit = true;
    return false;
  }
  bool Add(size_t n) {
    if (!Fits(n)) return false;
    bytes += n;
    return true;
  }
};

bool AddString(lua_State* L, int index, SizeBound* bound) {
  size_t length;
  const char* s = lua_tolstring(L, index, &length);
  // lua-cjson reserves 6 bytes per input byte (its \u00XX worst case) before it writes one.
  if (length > SizeBound::kLimit / 6 || !bound->Fits(6 * length + 2)) {
    bound->over_limit = true;
    return false;
  }
  if (s != bound->last_string || length != bound->last_length) {  // one string many times: once
    size_t written = 2;                                           // the quotes
    for (size_t i = 0; i < length; ++i) {
      unsigned char c = static_cast<unsigned char>(s[i]);
      written += (c < 0x20 || c == 0x7f) ? 6 : (c == '"' || c == '\\' || c == '/') ? 2 : 1;
    }
    bound->last_string = s;
    bound->last_length = length;
    bound->last_written = written;
  }
  return bound->Add(bound->last_written);
}

// lua-cjson's own test of the table on top: its length as an array (<= 0: an object, as the
// empty table is), or nothing when it raises "excessively sparse array". Its int arithmetic
// is kept, overflow included, so the walk takes the same branch it does.
std::optional<int> ArrayLength(lua_State* L, const EncodeSettings& settings) {
  int max = 0, items = 0;
  lua_pushnil(L);
  while (lua_next(L, -2) != 0) {
    double k;
    if (lua_type(L, -2) == LUA_TNUMBER && (k = lua_tonumber(L, -2)) != 0 && std::floor(k) == k &&
        k >= 1) {
      if (k > max) max = NativeDoubleToInt32(k);
      ++items;
      lua_pop(L, 1);
      continue;
    }
    lua_pop(L, 2);
    return 0;
  }
  int scaled = static_cast<int32_t>(static_cast<int64_t>(items) * settings.sparse_ratio);
  if (settings.sparse_ratio > 0 && max > scaled && max > settings.sparse_safe) {
    if (!settings.sparse_convert) return std::nullopt;
    return 0;
  }
  return max;
}

constexpr size_t kNumberBytes = 32;  // lua-cjson reserves 32 bytes to print a number

// Adds what lua-cjson writes for the value on top of the stack, visiting what it visits in
// the same order. Returns false to stop: over the limit, or where lua-cjson raises an error
// (which it will then raise itself, having written no more than the walk counted).
bool AddEncodedSize(lua_State* L, const EncodeSettings& settings, int depth, SizeBound* bound) {
  switch (lua_type(L, -1)) {
    case LUA_TSTRING:
      return AddString(L, -1, bound);
    case LUA_TNUMBER:
      return bound->Add(kNumberBytes);
    case LUA_TBOOLEAN:
      return bound->Add(5);
    case LUA_TNIL:
      return bound->Add(4);
    case LUA_TLIGHTUSERDATA:
      return lua_touserdata(L, -1) == nullptr && bound->Add(4);
    case LUA_TTABLE:
      break;
    default:
      return false;  // "type not supported"
  }
  std::optional<int> length = ArrayLength(L, settings);
  if (!length) return false;
  // lua-cjson's nesting limit, and the Lua stack it needs for one more level.
  if (depth + 1 > settings.max_depth || !lua_checkstack(L, 3)) return false;
  if (*length > 0) {
    if (!bound->Add(1 + static_cast<size_t>(*length))) return false;  // brackets and commas
    for (int i = 1; i <= *length; ++i) {
      lua_rawgeti(L, -1, i);
      bool go_on = AddEncodedSize(L, settings, depth + 1, bound);
      lua_pop(L, 1);
      if (!go_on) return false;
    }
    return true;
  }
  if (!bound->Add(2)) return false;  // the braces
  lua_pushnil(L);
  while (lua_next(L, -2) != 0) {
    int key_type = lua_type(L, -2);
    bool go_on = bound->Add(2);  // ':' and ','
    if (key_type == LUA_TNUMBER) {
      go_on = go_on && bound->Add(kNumberBytes + 2);
    } else if (key_type == LUA_TSTRING) {
      go_on = go_on && AddString(L, -2, bound);
    } else {
      go_on = false;  // "table key must be a number or string"
    }
    go_on = go_on && AddEncodedSize(L, settings, depth + 1, bound);
    if (!go_on) {
      lua_pop(L, 2);
      return false;
    }
    lua_pop(L, 1);
  }
  return true;
}

// Calls the lua-cjson function in upvalue 1 with this call's arguments, returning its one
// result. Its errors come from luaL_error, which names the place of its caller: here that is
// this C function, which has none, so the error is raised again with the script's place in
// front, as Redis's scripts get it ("user_script:1: Cannot serialise ...").
int CallWithCallersLocation(lua_State* L) {
  lua_pushvalue(L, lua_upvalueindex(1));
  lua_insert(L, 1);
  int status = lua_pcall(L, lua_gettop(L) - 1, 1, 0);
  if (status == 0) return 1;
  if (status == LUA_ERRRUN && lua_type(L, -1) == LUA_TSTRING) {
    luaL_where(L, 1);
    lua_insert(L, -2);
    lua_concat(L, 2);
  }
  return lua_error(L);
}

// cjson.encode: upvalues are lua-cjson's encode, encode_sparse_array and encode_max_depth.
int GuardedEncode(lua_State* L) {
  luaL_argcheck(L, lua_gettop(L) == 1, 1, "expected 1 argument");
  EncodeSettings settings = ReadEncodeSettings(L);
  SizeBound bound;
  lua_pushvalue(L, 1);
  AddEncodedSize(L, settings, 0, &bound);
  lua_settop(L, 1);
  if (bound.over_limit) {
    return luaL_error(L, "Cannot serialise: the JSON text could exceed %d bytes",
                      static_cast<int>(kMaxJsonEncodeBytes));
  }
  return CallWithCallersLocation(L);
}

// cjson.decode: the upvalue is lua-cjson's decode.
int GuardedDecode(lua_State* L) {
  luaL_argcheck(L, lua_gettop(L) == 1, 1, "expected 1 argument");
  size_t length;
  luaL_checklstring(L, 1, &length);
  if (length > kMaxJsonDecodeBytes) {
    return luaL_error(L, "Cannot decode: the JSON text is longer than %d bytes",
                      static_cast<int>(kMaxJsonDecodeBytes));
  }
  return CallWithCallersLocation(L);
}

void GuardModule(lua_State* L, int module);

// cjson.new: a fresh module (default settings, its own buffer), guarded like the first.
int GuardedNew(lua_State* L) {
  lua_pushvalue(L, lua_upvalueindex(1));
  lua_call(L, 0, 1);
  GuardModule(L, lua_gettop(L));
  return 1;
}

void PushField(lua_State* L, int module, const char* name) {
  lua_getfield(L, module, name);
  if (!lua_isfunction(L, -1)) luaL_error(L, "lua-cjson has no function %s", name);
}

// Replaces encode, decode and new of the lua-cjson module at `module` by their guards.
void GuardModule(lua_State* L, int module) {
  luaL_checkstack(L, 4, "in cjson");
  PushField(L, module, "encode");
  PushField(L, module, "encode_sparse_array");
  PushField(L, module, "encode_max_depth");
  lua_pushcclosure(L, GuardedEncode, 3);
  lua_setfield(L, module, "encode");
  PushField(L, module, "decode");
  lua_pushcclosure(L, GuardedDecode, 1);
  lua_setfield(L, module, "decode");
  PushField(L, module, "new");
  lua_pushcclosure(L, GuardedNew, 1);
  lua_setfield(L, module, "new");
}

}  // namespace

int OpenCjsonLibrary(lua_State* L) {
  lua_pushcfunction(L, luaopen_cjson);
  lua_call(L, 0, 1);
  GuardModule(L, lua_gettop(L));
  return 1;
}

}  // namespace ember
