#include "scripting/lua_values.h"

#include <charconv>
#include <cmath>
#include <cstdint>
#include <string>

extern "C" {
#include <lauxlib.h>
#include <lua.h>
}

#include "protocol/reply_builder.h"
#include "scripting/native_casts.h"

namespace ember {
namespace {

// Nesting deeper than this is refused rather than risking the C stack.
constexpr int kMaxDepth = 1000;

// One line of a reply header: the text up to CRLF after the type byte at `pos`.
bool Line(std::string_view resp, size_t pos, std::string_view* line, size_t* next) {
  size_t end = resp.find("\r\n", pos + 1);
  if (end == std::string_view::npos) return false;
  *line = resp.substr(pos + 1, end - pos - 1);
  *next = end + 2;
  return true;
}

bool ParseInt(std::string_view text, int64_t* out) {
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), *out);
  return ec == std::errc() && ptr == text.data() + text.size();
}

void SetField(lua_State* L, const char* name, std::string_view value) {
  lua_pushstring(L, name);
  lua_pushlstring(L, value.data(), value.size());
  lua_settable(L, -3);
}

size_t Push(lua_State* L, std::string_view resp, size_t pos, int depth);

// An aggregate of `n` elements (pairs when `pairs`), into the table on top.
size_t PushAggregate(lua_State* L, std::string_view resp, size_t pos, int64_t n, char kind,
                     int depth) {
  for (int64_t i = 0; i < n; ++i) {
    if (kind == '%') {
      size_t used = Push(L, resp, pos, depth + 1);
      if (used == 0) return 0;
      pos += used;
      used = Push(L, resp, pos, depth + 1);
      if (used == 0) return 0;
      pos += used;
      lua_settable(L, -3);
    } else if (kind == '~') {
      size_t used = Push(L, resp, pos, depth + 1);
      if (used == 0) return 0;
      pos += used;
      lua_pushboolean(L, 1);
      lua_settable(L, -3);
    } else {
      lua_pushnumber(L, static_cast<lua_Number>(i + 1));
      size_t used = Push(L, resp, pos, depth + 1);
      if (used == 0) return 0;
      pos += used;
      lua_settable(L, -3);
    }
  }
  return pos;
}

size_t Push(lua_State* L, std::string_view resp, size_t pos, int depth) {
  if (pos >= resp.size() || depth > kMaxDepth || !lua_checkstack(L, 4)) return 0;
  std::string_view line;
  size_t next = 0;
  if (!Line(resp, pos, &line, &next)) return 0;
  int64_t n = 0;
  switch (resp[pos]) {
    case '+':
      lua_newtable(L);
      SetField(L, "ok", line);
      return next - pos;
    case '-':
      lua_newtable(L);
      SetField(L, "err", line);
      return next - pos;
    case ':':
      if (!ParseInt(line, &n)) return 0;
      lua_pushnumber(L, static_cast<lua_Number>(n));
      return next - pos;
    case '_':
      lua_pushnil(L);
      return next - pos;
    case '#':
      lua_pushboolean(L, line == "t");
      return next - pos;
    case ',': {
      lua_newtable(L);
      lua_pushstring(L, "double");
      std::string text(line);
      lua_pushnumber(L, std::strtod(text.c_str(), nullptr));  // inf / -inf / nan as well
      lua_settable(L, -3);
      return next - pos;
    }
    case '(':
      lua_newtable(L);
      SetField(L, "big_number", line);
      return next - pos;
    case '$':
    case '=': {
      if (!ParseInt(line, &n)) return 0;
      if (n < 0) {
        lua_pushboolean(L, 0);
        return next - pos;
      }
      if (next + static_cast<size_t>(n) + 2 > resp.size()) return 0;
      std::string_view body = resp.substr(next, static_cast<size_t>(n));
      if (resp[pos] == '$') {
        lua_pushlstring(L, body.data(), body.size());
      } else {  // "txt:..." -> {verbatim_string={format="txt", string="..."}}
        lua_newtable(L);
        lua_pushstring(L, "verbatim_string");
        lua_newtable(L);
        SetField(L, "format", body.substr(0, 3));
        SetField(L, "string", body.size() > 4 ? body.substr(4) : std::string_view());
        lua_settable(L, -3);
      }
      return next + static_cast<size_t>(n) + 2 - pos;
    }
    case '*':
    case '>':
    case '%':
    case '~': {
      if (!ParseInt(line, &n)) return 0;
      if (n < 0) {
        lua_pushboolean(L, 0);
        return next - pos;
      }
      char kind = resp[pos];
      if (kind == '%' || kind == '~') {
        lua_newtable(L);
        lua_pushstring(L, kind == '%' ? "map" : "set");
      }
      lua_newtable(L);
      size_t end = PushAggregate(L, resp, next, n, kind, depth);
      if (end == 0) return 0;
      if (kind == '%' || kind == '~') lua_settable(L, -3);
      return end - pos;
    }
    case '|': {  // an attribute: skipped, the value after it counts
      if (!ParseInt(line, &n)) return 0;
      lua_newtable(L);
      size_t end = PushAggregate(L, resp, next, n, '%', depth);
      if (end == 0) return 0;
      lua_pop(L, 1);
      size_t used = Push(L, resp, end, depth + 1);
      return used == 0 ? 0 : end + used - pos;
    }
    default:
      return 0;
  }
}

// t[name] when it has type `type` (left on the stack, true), else nothing pushed.
bool RawField(lua_State* L, int table, const char* name, int type) {
  lua_pushstring(L, name);
  lua_rawget(L, table);
  if (lua_type(L, -1) == type) return true;
  lua_pop(L, 1);
  return false;
}

void Write(lua_State* L, int index, ReplyBuilder& reply, int script_resp, int depth) {
  if (index < 0) index = lua_gettop(L) + index + 1;
  switch (lua_type(L, index)) {
    case LUA_TSTRING: {
      size_t len = 0;
      const char* s = lua_tolstring(L, index, &len);
      return reply.Bulk(std::string_view(s, len));
    }
    case LUA_TBOOLEAN:
      if (script_resp == 2) {
        if (lua_toboolean(L, index)) return reply.Integer(1);
        return reply.Null();
      }
      return reply.Bool(lua_toboolean(L, index) != 0);
    case LUA_TNUMBER:
      return reply.Integer(NativeDoubleToInt64(lua_tonumber(L, index)));  // as Redis on x86
    case LUA_TTABLE:
      break;
    default:
      return reply.Null();
  }
  if (depth > kMaxDepth || !lua_checkstack(L, 4)) {
    return reply.Error("ERR reached lua stack limit");
  }
  if (RawField(L, index, "err", LUA_TSTRING)) {
    std::string text(lua_tostring(L, -1));
    lua_pop(L, 1);
    for (char& c : text) {
      if (c == '\r' || c == '\n') c = ' ';
    }
    return reply.Error(text);
  }
  if (RawField(L, index, "ok", LUA_TSTRING)) {
    std::string text(lua_tostring(L, -1));
    lua_pop(L, 1);
    for (char& c : text) {
      if (c == '\r' || c == '\n') c = ' ';
    }
    return reply.SimpleString(text);
  }
  if (RawField(L, index, "double", LUA_TNUMBER)) {
    double v = lua_tonumber(L, -1);
    lua_pop(L, 1);
    return reply.Double(v);
  }
  if (RawField(L, index, "big_number", LUA_TSTRING)) {
    std::string text(lua_tostring(L, -1));
    lua_pop(L, 1);
    for (char& c : text) {
      if (c == '\r' || c == '\n') c = ' ';
    }
    return reply.BigNumber(text);
  }
  if (RawField(L, index, "map", LUA_TTABLE)) {
    int map = lua_gettop(L);
    size_t n = 0;
    lua_pushnil(L);
    while (lua_next(L, map) != 0) {
      ++n;
      lua_pop(L, 1);
    }
    reply.MapHeader(n);
    lua_pushnil(L);
    while (lua_next(L, map) != 0) {
      Write(L, -2, reply, script_resp, depth + 1);
      Write(L, -1, reply, script_resp, depth + 1);
      lua_pop(L, 1);
    }
    lua_pop(L, 1);
    return;
  }
  if (RawField(L, index, "set", LUA_TTABLE)) {
    int set = lua_gettop(L);
    size_t n = 0;
    lua_pushnil(L);
    while (lua_next(L, set) != 0) {
      ++n;
      lua_pop(L, 1);
    }
    reply.SetHeader(n);
    lua_pushnil(L);
    while (lua_next(L, set) != 0) {
      Write(L, -2, reply, script_resp, depth + 1);
      lua_pop(L, 1);
    }
    lua_pop(L, 1);
    return;
  }
  // An array: elements 1, 2, ... up to the first nil.
  size_t n = 0;
  while (true) {
    lua_rawgeti(L, index, static_cast<int>(n + 1));
    bool present = !lua_isnil(L, -1);
    lua_pop(L, 1);
    if (!present) break;
    ++n;
  }
  reply.ArrayHeader(n);
  for (size_t i = 1; i <= n; ++i) {
    lua_rawgeti(L, index, static_cast<int>(i));
    Write(L, -1, reply, script_resp, depth + 1);
    lua_pop(L, 1);
  }
}

}  // namespace

size_t PushReplyAsLua(lua_State* L, std::string_view resp) {
  int top = lua_gettop(L);
  size_t used = Push(L, resp, 0, 0);
  if (used == 0) lua_settop(L, top);
  return used;
}

void WriteLuaValue(lua_State* L, int index, ReplyBuilder& reply, int script_resp) {
  Write(L, index, reply, script_resp, 0);
}

}  // namespace ember
