#include "scripting/msgpack_library.h"

#include <algorithm>
#include <cfloat>
#include <climits>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <lua.hpp>

#include "scripting/native_casts.h"

namespace ember {
namespace {

constexpr int kMaxPackNesting = 16;  // deeper tables pack as nil: cycles end instead of looping
constexpr char kTooManyValues[] =
    "too many return values at once; use unpack_one or unpack_limit instead.";

// The packed bytes so far, kept in a Lua userdata at a fixed stack slot: Lua counts the memory
// against the script, and an error (a longjmp past this frame) leaves nothing to free.
struct PackBuffer {
  lua_State* L;
  int slot;
  unsigned char* data;
  size_t size;
  size_t capacity;
};

PackBuffer NewPackBuffer(lua_State* L) {
  constexpr size_t kInitialCapacity = 128;
  void* data = lua_newuserdata(L, kInitialCapacity);
  return {L, lua_gettop(L), static_cast<unsigned char*>(data), 0, kInitialCapacity};
}

void Append(PackBuffer* out, const void* bytes, size_t n) {
  if (out->capacity - out->size < n) {
    if (n > SIZE_MAX / 2 - out->size) luaL_error(out->L, "not enough memory");
    size_t capacity = std::max(out->capacity * 2, out->size + n);
    luaL_checkstack(out->L, 1, "in cmsgpack.pack");
    void* bigger = lua_newuserdata(out->L, capacity);
    std::memcpy(bigger, out->data, out->size);
    lua_replace(out->L, out->slot);  // the old block is garbage now
    out->data = static_cast<unsigned char*>(bigger);
    out->capacity = capacity;
  }
  std::memcpy(out->data + out->size, bytes, n);
  out->size += n;
}

// A type byte followed by `width` bytes of `value`, big-endian (MessagePack's order).
void AppendTagged(PackBuffer* out, unsigned char tag, uint64_t value, int width) {
  unsigned char bytes[9] = {tag};
  for (int i = 0; i < width; ++i)
    bytes[1 + i] = static_cast<unsigned char>(value >> (8 * (width - 1 - i)));
  Append(out, bytes, 1 + width);
}

void PackInteger(PackBuffer* out, int64_t n) {
  if (n >= 0) {
    uint64_t u = static_cast<uint64_t>(n);
    if (u <= 0x7f) return AppendTagged(out, static_cast<unsigned char>(u), 0, 0);
    if (u <= 0xff) return AppendTagged(out, 0xcc, u, 1);
    if (u <= 0xffff) return AppendTagged(out, 0xcd, u, 2);
    if (u <= 0xffffffff) return AppendTagged(out, 0xce, u, 4);
    return AppendTagged(out, 0xcf, u, 8);
  }
  uint64_t bits = static_cast<uint64_t>(n);
  if (n >= -32) return AppendTagged(out, static_cast<unsigned char>(bits), 0, 0);
  if (n >= INT8_MIN) return AppendTagged(out, 0xd0, bits, 1);
  if (n >= INT16_MIN) return AppendTagged(out, 0xd1, bits, 2);
  if (n >= INT32_MIN) return AppendTagged(out, 0xd2, bits, 4);
  AppendTagged(out, 0xd3, bits, 8);
}

void PackFloat(PackBuffer* out, double d) {
  // A float32 when it holds d exactly (so infinities too; NaN never compares equal).
  bool fits_float = std::isinf(d) || std::fabs(d) <= FLT_MAX;
  if (fits_float && static_cast<double>(static_cast<float>(d)) == d) {
    uint32_t bits;
    float f = static_cast<float>(d);
    std::memcpy(&bits, &f, sizeof(bits));
    return AppendTagged(out, 0xca, bits, 4);
  }
  uint64_t bits;
  std::memcpy(&bits, &d, sizeof(bits));
  AppendTagged(out, 0xcb, bits, 8);
}

void PackNumber(PackBuffer* out, lua_Number n) {
  // Whole numbers that an int64 holds are integers; -0 is the integer 0, as in Redis.
  int64_t whole = NativeDoubleToInt64(n);
  if (!std::isinf(n) && static_cast<lua_Number>(whole) == n) return PackInteger(out, whole);
  PackFloat(out, n);
}

void PackString(PackBuffer* out, const char* s, size_t length) {
  if (length < 32) {
    AppendTagged(out, static_cast<unsigned char>(0xa0 | length), 0, 0);
  } else if (length <= 0xff) {
    AppendTagged(out, 0xd9, length, 1);
  } else if (length <= 0xffff) {
    AppendTagged(out, 0xda, length, 2);
  } else {
    AppendTagged(out, 0xdb, length, 4);
  }
  Append(out, s, length);
}

void PackHeader(PackBuffer* out, unsigned char fix_tag, unsigned char tag16, size_t count) {
  if (count <= 15) return AppendTagged(out, static_cast<unsigned char>(fix_tag | count), 0, 0);
  if (count <= 0xffff) return AppendTagged(out, tag16, count, 2);
  AppendTagged(out, static_cast<unsigned char>(tag16 + 1), count, 4);
}

// True when the keys of the table on top are exactly the numbers 1..n (n may be 0).
bool HasArrayKeys(lua_State* L) {
  luaL_checkstack(L, 2, "in cmsgpack.pack");
  int count = 0, max = 0;
  lua_pushnil(L);
  while (lua_next(L, -2) != 0) {
    lua_pop(L, 1);
    lua_Number n;
    if (lua_type(L, -1) != LUA_TNUMBER || (n = lua_tonumber(L, -1)) <= 0 ||
        NativeDoubleToInt32(n) != n) {
      lua_pop(L, 1);
      return false;
    }
    max = std::max(max, static_cast<int>(n));
    ++count;
  }
  return max == count;  // n distinct keys in 1..max with max == n: all of them
}

void PackTop(lua_State* L, PackBuffer* out, int level);

void PackTable(lua_State* L, PackBuffer* out, int level) {
  if (HasArrayKeys(L)) {
    size_t length = lua_objlen(L, -1);
    PackHeader(out, 0x90, 0xdc, length);
    luaL_checkstack(L, 1, "in cmsgpack.pack");
    for (size_t i = 1; i <= length; ++i) {
      lua_rawgeti(L, -1, static_cast<int>(i));
      PackTop(L, out, level + 1);
    }
    return;
  }
  luaL_checkstack(L, 3, "in cmsgpack.pack");
  size_t count = 0;
  lua_pushnil(L);
  while (lua_next(L, -2) != 0) {
    lua_pop(L, 1);
    ++count;
  }
  PackHeader(out, 0x80, 0xde, count);
  lua_pushnil(L);
  while (lua_next(L, -2) != 0) {
    lua_pushvalue(L, -2);
    PackTop(L, out, level + 1);  // the key
    PackTop(L, out, level + 1);  // its value
  }
}

// Packs the value on top of the stack and pops it.
void PackTop(lua_State* L, PackBuffer* out, int level) {
  int type = lua_type(L, -1);
  if (type == LUA_TTABLE && level == kMaxPackNesting) type = LUA_TNIL;
  switch (type) {
    case LUA_TSTRING: {
      size_t length;
      const char* s = lua_tolstring(L, -1, &length);
      PackString(out, s, length);
      break;
    }
    case LUA_TBOOLEAN:
      AppendTagged(out, lua_toboolean(L, -1) ? 0xc3 : 0xc2, 0, 0);
      break;
    case LUA_TNUMBER:
      PackNumber(out, lua_tonumber(L, -1));
      break;
    case LUA_TTABLE:
      PackTable(L, out, level);
      break;
    default:
      AppendTagged(out, 0xc0, 0, 0);
      break;  // nil, and what MessagePack cannot hold
  }
  lua_pop(L, 1);
}

int Pack(lua_State* L) {
  int count = lua_gettop(L);
  if (count == 0) return luaL_argerror(L, 0, "MessagePack pack needs input.");
  // Redis refuses as many arguments as would not fit a second time on the stack.
  if (!lua_checkstack(L, count)) {
    return luaL_argerror(L, 0, "Too many arguments for MessagePack pack.");
  }
  PackBuffer out = NewPackBuffer(L);
  for (int i = 1; i <= count; ++i) {
    lua_pushvalue(L, i);
    PackTop(L, &out, 0);
  }
  lua_pushlstring(L, reinterpret_cast<const char*>(out.data), out.size);
  return 1;
}

// ---------------------------------------------------------------------------------------------

enum class DecodeError { kNone, kMissingBytes, kBadFormat };

struct Cursor {
  const unsigned char* p;
  size_t left;
  DecodeError error = DecodeError::kNone;

  bool Need(size_t n) {
    if (left >= n) return true;
    error = DecodeError::kMissingBytes;
    return false;
  }
  void Skip(size_t n) {
    p += n;
    left -= n;
  }
  // The big-endian unsigned integer of `width` bytes after the type byte.
  uint64_t Field(int width) const {
    uint64_t value = 0;
    for (int i = 1; i <= width; ++i) value = value << 8 | p[i];
    return value;
  }
};

bool UnpackValue(lua_State* L, Cursor* in);

// A number field of `width` bytes after the type byte; Lua holds it as a double.
template <typename Integer>
bool UnpackIntegerField(lua_State* L, Cursor* in, int width) {
  if (!in->Need(1 + width)) return false;
  lua_pushnumber(L, static_cast<lua_Number>(static_cast<Integer>(in->Field(width))));
  in->Skip(1 + width);
  return true;
}

template <typename Float, typename Bits>
bool UnpackFloatField(lua_State* L, Cursor* in) {
  if (!in->Need(1 + sizeof(Bits))) return false;
  Bits bits = static_cast<Bits>(in->Field(sizeof(Bits)));
  Float f;
  std::memcpy(&f, &bits, sizeof(f));
  lua_pushnumber(L, f);
  in->Skip(1 + sizeof(Bits));
  return true;
}

// A string whose length is the `width`-byte field after the type byte (0: in the type byte).
bool UnpackString(lua_State* L, Cursor* in, int width) {
  if (!in->Need(1 + width)) return false;
  size_t length = width == 0 ? (in->p[0] & 0x1f) : in->Field(width);
  in->Skip(1 + width);
  if (!in->Need(length)) return false;
  lua_pushlstring(L, reinterpret_cast<const char*>(in->p), length);
  in->Skip(length);
  return true;
}

bool UnpackArrayItems(lua_State* L, Cursor* in, size_t count) {
  // Every item takes a byte at least: a short input cannot make a huge table.
  lua_createtable(L, static_cast<int>(std::min<size_t>(count, std::min<size_t>(in->left, INT_MAX))),
                  0);
  // Redis's wording for a stack that nested arrays filled ("stack overflow (in function ...)").
  luaL_checkstack(L, 1, "in function mp_decode_to_lua_array");
  for (size_t i = 1; i <= count; ++i) {
    lua_pushnumber(L, static_cast<lua_Number>(i));
    if (!UnpackValue(L, in)) return false;
    lua_settable(L, -3);
  }
  return true;
}

bool UnpackMapItems(lua_State* L, Cursor* in, size_t count) {
  lua_createtable(
      L, 0, static_cast<int>(std::min<size_t>(count, std::min<size_t>(in->left / 2, INT_MAX))));
  for (size_t i = 0; i < count; ++i) {
    if (!UnpackValue(L, in) || !UnpackValue(L, in)) return false;
    lua_settable(L, -3);  // a nil or NaN key raises Lua's own error, as in Redis
  }
  return true;
}

// An array (or map) whose item count is the `width`-byte field after the type byte
// (0: in the type byte).
bool UnpackContainer(lua_State* L, Cursor* in, int width, bool is_map) {
  if (!in->Need(1 + width)) return false;
  size_t count = width == 0 ? (in->p[0] & 0x0f) : in->Field(width);
  in->Skip(1 + width);
  return is_map ? UnpackMapItems(L, in, count) : UnpackArrayItems(L, in, count);
}

// Pushes the next value, or sets in->error (and may leave partial values on the stack).
bool UnpackValue(lua_State* L, Cursor* in) {
  if (!in->Need(1)) return false;
  luaL_checkstack(L, 1, kTooManyValues);
  unsigned char type = in->p[0];
  switch (type) {
    case 0xc0:
      lua_pushnil(L);
      break;
    case 0xc2:
      lua_pushboolean(L, 0);
      break;
    case 0xc3:
      lua_pushboolean(L, 1);
      break;
    case 0xca:
      return UnpackFloatField<float, uint32_t>(L, in);
    case 0xcb:
      return UnpackFloatField<double, uint64_t>(L, in);
    case 0xcc:
      return UnpackIntegerField<uint8_t>(L, in, 1);
    case 0xcd:
      return UnpackIntegerField<uint16_t>(L, in, 2);
    case 0xce:
      return UnpackIntegerField<uint32_t>(L, in, 4);
    case 0xcf:
      return UnpackIntegerField<int64_t>(L, in, 8);  // as Redis: above 2^63 wraps
    case 0xd0:
      return UnpackIntegerField<int8_t>(L, in, 1);
    case 0xd1:
      return UnpackIntegerField<int16_t>(L, in, 2);
    case 0xd2:
      return UnpackIntegerField<int32_t>(L, in, 4);
    case 0xd3:
      return UnpackIntegerField<int64_t>(L, in, 8);
    case 0xd9:
      return UnpackString(L, in, 1);
    case 0xda:
      return UnpackString(L, in, 2);
    case 0xdb:
      return UnpackString(L, in, 4);
    case 0xdc:
      return UnpackContainer(L, in, 2, false);
    case 0xdd:
      return UnpackContainer(L, in, 4, false);
    case 0xde:
      return UnpackContainer(L, in, 2, true);
    case 0xdf:
      return UnpackContainer(L, in, 4, true);
    default:
      if (type <= 0x7f || type >= 0xe0) {  // positive and negative fixints
        lua_pushnumber(L, static_cast<int8_t>(type) < 0 ? static_cast<int8_t>(type) : type);
        break;
      }
      if ((type & 0xe0) == 0xa0) return UnpackString(L, in, 0);
      if ((type & 0xf0) == 0x90) return UnpackContainer(L, in, 0, false);
      if ((type & 0xf0) == 0x80) return UnpackContainer(L, in, 0, true);
      in->error = DecodeError::kBadFormat;  // 0xc1, bin, ext
      return false;
  }
  in->Skip(1);
  return true;
}

// Unpacks up to `limit` values of the string argument from byte `offset`; limit == offset == 0
// means all of them, without the next offset in front.
int UnpackValues(lua_State* L, lua_Integer limit, lua_Integer offset) {
  size_t length;
  const char* s = luaL_checklstring(L, 1, &length);
  bool all = limit == 0 && offset == 0;
  if (offset < 0 || limit < 0) {  // Redis prints the length where it says limit
    return luaL_error(L, "Invalid request to unpack with offset of %d and limit of %d.",
                      static_cast<int>(offset), static_cast<int>(length));
  }
  if (static_cast<size_t>(offset) > length) {
    return luaL_error(L, "Start offset %d greater than input length %d.", static_cast<int>(offset),
                      static_cast<int>(length));
  }
  if (all) limit = INT_MAX;
  Cursor in{reinterpret_cast<const unsigned char*>(s) + offset,
            length - static_cast<size_t>(offset)};
  int count = 0;
  for (; in.left > 0 && count < limit; ++count) {
    if (UnpackValue(L, &in)) continue;
    if (in.error == DecodeError::kMissingBytes) return luaL_error(L, "Missing bytes in input.");
    return luaL_error(L, "Bad data format in input.");
  }
  if (all) return count;
  luaL_checkstack(L, 1, "in cmsgpack.unpack");
  lua_pushinteger(L, in.left == 0 ? -1 : static_cast<lua_Integer>(length - in.left));
  lua_insert(L, 2);  // the offset comes first, right after the string argument
  return count + 1;
}

int Unpack(lua_State* L) {
  return UnpackValues(L, 0, 0);
}

int UnpackOne(lua_State* L) {
  lua_Integer offset = luaL_optinteger(L, 2, 0);
  if (lua_gettop(L) > 1) lua_settop(L, 1);  // no argument stays none, not nil
  return UnpackValues(L, 1, offset);
}

int UnpackLimit(lua_State* L) {
  lua_Integer limit = luaL_checkinteger(L, 2);
  lua_Integer offset = luaL_optinteger(L, 3, 0);
  if (lua_gettop(L) > 1) lua_settop(L, 1);
  return UnpackValues(L, limit, offset);
}

}  // namespace

int OpenMsgpackLibrary(lua_State* L) {
  static const luaL_Reg kFunctions[] = {{"pack", Pack},
                                        {"unpack", Unpack},
                                        {"unpack_one", UnpackOne},
                                        {"unpack_limit", UnpackLimit},
                                        {nullptr, nullptr}};
  lua_newtable(L);
  luaL_register(L, nullptr, kFunctions);
  // The module's identity as Redis 7.0 reports it.
  static const char* const kFields[][2] = {
      {"_NAME", "cmsgpack"},
      {"_VERSION", "lua-cmsgpack 0.4.0"},
      {"_COPYRIGHT", "Copyright (C) 2012, Salvatore Sanfilippo"},
      {"_DESCRIPTION", "MessagePack C implementation for Lua"}};
  for (const auto& field : kFields) {
    lua_pushstring(L, field[1]);
    lua_setfield(L, -2, field[0]);
  }
  return 1;
}

}  // namespace ember
