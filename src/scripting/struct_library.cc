#include "scripting/struct_library.h"

#include <bit>
#include <climits>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <lua.hpp>

#include "scripting/native_casts.h"

namespace ember {
namespace {

constexpr int kMaxIntegralSize = 32;
// '!' without a number: the strictest alignment a C struct of scalars can need (a double's).
constexpr int kDefaultMaxAlignment = 8;

struct Layout {
  bool little_endian = std::endian::native == std::endian::little;
  size_t max_alignment = 1;
};

bool IsDigit(char c) {
  return c >= '0' && c <= '9';
}
bool IsAlnum(char c) {
  return IsDigit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}
bool IsPowerOfTwo(int x) {
  return x > 0 && (x & (x - 1)) == 0;
}

// The decimal count after an option ("i8", "c20", "!4"), or `fallback` when none follows.
int ReadCount(lua_State* L, const char** format, int fallback) {
  if (!IsDigit(**format)) return fallback;
  int count = 0;
  do {
    int digit = *(*format)++ - '0';
    if (count > (INT_MAX - digit) / 10) luaL_error(L, "integral size overflow");
    count = count * 10 + digit;
  } while (IsDigit(**format));
  return count;
}

// Bytes the option takes (0 for the control options and for s, whose size is its string's).
size_t OptionSize(lua_State* L, char option, const char** format) {
  switch (option) {
    case 'B':
    case 'b':
      return sizeof(char);
    case 'H':
    case 'h':
      return sizeof(short);
    case 'L':
    case 'l':
      return sizeof(long);
    case 'T':
      return sizeof(size_t);
    case 'f':
      return sizeof(float);
    case 'd':
      return sizeof(double);
    case 'x':
      return 1;
    case 'c':
      return static_cast<size_t>(ReadCount(L, format, 1));
    case 'i':
    case 'I': {
      int size = ReadCount(L, format, sizeof(int));
      if (size > kMaxIntegralSize) {
        luaL_error(L, "integral size %d is larger than limit of %d", size, kMaxIntegralSize);
      }
      return static_cast<size_t>(size);
    }
    default:
      return 0;
  }
}

// Zero bytes that put an item of `size` bytes at `offset` on its alignment (capped by '!').
// The arithmetic is Redis's, also for sizes that are not powers of 2 ("!4 b i3").
size_t PaddingBefore(size_t offset, const Layout& layout, char option, size_t size) {
  if (size == 0 || option == 'c') return 0;
  if (size > layout.max_alignment) size = layout.max_alignment;
  return (size - (offset & (size - 1))) & (size - 1);
}

// ' ', '<', '>' and '!': the options that change the layout instead of holding data.
void ApplyControlOption(lua_State* L, char option, const char** format, Layout* layout) {
  switch (option) {
    case ' ':
      return;
    case '>':
      layout->little_endian = false;
      return;
    case '<':
      layout->little_endian = true;
      return;
    case '!': {
      int alignment = ReadCount(L, format, kDefaultMaxAlignment);
      if (!IsPowerOfTwo(alignment)) luaL_error(L, "alignment %d is not a power of 2", alignment);
      layout->max_alignment = static_cast<size_t>(alignment);
      return;
    }
    default:
      luaL_argerror(L, 1, lua_pushfstring(L, "invalid format option '%c'", option));
  }
}

// `bytes` in memory order for the layout: the machine's order reversed when they differ.
void ToLayoutOrder(unsigned char* bytes, size_t size, bool little_endian) {
  bool native_little = std::endian::native == std::endian::little;
  if (little_endian == native_little) return;
  for (size_t i = 0, j = size - 1; i < j; ++i, --j) std::swap(bytes[i], bytes[j]);
}

void PackInteger(lua_State* L, luaL_Buffer* out, int arg, bool little_endian, size_t size) {
  lua_Number n = luaL_checknumber(L, arg);
  uint64_t value = n < 0 ? static_cast<uint64_t>(NativeDoubleToInt64(n)) : NativeDoubleToUint64(n);
  unsigned char bytes[kMaxIntegralSize] = {};
  for (size_t i = 0; i < size && i < sizeof(value); ++i) {  // bytes past the 8th stay 0
    bytes[little_endian ? i : size - 1 - i] = static_cast<unsigned char>(value >> (8 * i));
  }
  luaL_addlstring(out, reinterpret_cast<const char*>(bytes), size);
}

template <typename Float>
void PackFloat(lua_State* L, luaL_Buffer* out, int arg, bool little_endian) {
  Float f = static_cast<Float>(luaL_checknumber(L, arg));
  unsigned char bytes[sizeof(Float)];
  std::memcpy(bytes, &f, sizeof(f));
  ToLayoutOrder(bytes, sizeof(bytes), little_endian);
  luaL_addlstring(out, reinterpret_cast<const char*>(bytes), sizeof(bytes));
}

int Pack(lua_State* L) {
  const char* format = luaL_checkstring(L, 1);
  Layout layout;
  int arg = 2;
  size_t total = 0;
  // A nil after the arguments: a missing argument reads as nil, never as a piece of the buffer.
  lua_pushnil(L);
  luaL_Buffer out;
  luaL_buffinit(L, &out);
  while (*format != '\0') {
    char option = *format++;
    size_t size = OptionSize(L, option, &format);
    size_t padding = PaddingBefore(total, layout, option, size);
    total += padding;
    while (padding-- > 0) luaL_addchar(&out, '\0');
    switch (option) {
      case 'b':
      case 'B':
      case 'h':
      case 'H':
      case 'l':
      case 'L':
      case 'T':
      case 'i':
      case 'I':
        PackInteger(L, &out, arg++, layout.little_endian, size);
        break;
      case 'x':
        luaL_addchar(&out, '\0');
        break;
      case 'f':
        PackFloat<float>(L, &out, arg++, layout.little_endian);
        break;
      case 'd':
        PackFloat<double>(L, &out, arg++, layout.little_endian);
        break;
      case 'c':
      case 's': {
        size_t length;
        const char* s = luaL_checklstring(L, arg++, &length);
        if (size == 0) size = length;
        // Redis names the argument after the string's (arg was already advanced).
        luaL_argcheck(L, length >= size, arg, "string too short");
        luaL_addlstring(&out, s, size);
        if (option == 's') {
          luaL_addchar(&out, '\0');
          ++size;
        }
        break;
      }
      default:
        ApplyControlOption(L, option, &format, &layout);
    }
    total += size;
  }
  luaL_pushresult(&out);
  return 1;
}

lua_Number UnpackInteger(const unsigned char* bytes, bool little_endian, bool is_signed,
                         size_t size) {
  uint64_t value = 0;  // integers wider than 8 bytes keep their 8 low-order bytes
  for (size_t i = 0; i < size; ++i) value = value << 8 | bytes[little_endian ? size - 1 - i : i];
  if (!is_signed) return static_cast<lua_Number>(value);
  uint64_t sign_bits = ~uint64_t{0} << NativeShiftCount(static_cast<int>(size) * 8 - 1);
  if (value & sign_bits) value |= sign_bits;
  return static_cast<lua_Number>(static_cast<int64_t>(value));
}

template <typename Float>
lua_Number UnpackFloat(const char* data, bool little_endian) {
  unsigned char bytes[sizeof(Float)];
  std::memcpy(bytes, data, sizeof(bytes));
  ToLayoutOrder(bytes, sizeof(bytes), little_endian);
  Float f;
  std::memcpy(&f, bytes, sizeof(f));
  return f;
}

void CheckDataLeft(lua_State* L, size_t position, size_t size, size_t length) {
  luaL_argcheck(L, position <= length && size <= length - position, 2, "data string too short");
}

int Unpack(lua_State* L) {
  const char* format = luaL_checkstring(L, 1);
  size_t length;
  const char* data = luaL_checklstring(L, 2, &length);
  // Unsigned like Redis's: a negative offset is far past the end, not "below 1".
  size_t position = static_cast<size_t>(luaL_optinteger(L, 3, 1));
  luaL_argcheck(L, position > 0, 3, "offset must be 1 or greater");
  --position;
  Layout layout;
  lua_settop(L, 2);  // the results follow the two arguments
  while (*format != '\0') {
    char option = *format++;
    size_t size = OptionSize(L, option, &format);
    position += PaddingBefore(position, layout, option, size);
    CheckDataLeft(L, position, size, length);
    luaL_checkstack(L, 1, "too many results");
    const char* at = data + position;
    switch (option) {
      case 'b':
      case 'B':
      case 'h':
      case 'H':
      case 'l':
      case 'L':
      case 'T':
      case 'i':
      case 'I': {
        bool is_signed = option >= 'a' && option <= 'z';
        lua_pushnumber(L, UnpackInteger(reinterpret_cast<const unsigned char*>(at),
                                        layout.little_endian, is_signed, size));
        break;
      }
      case 'x':
        break;
      case 'f':
        lua_pushnumber(L, UnpackFloat<float>(at, layout.little_endian));
        break;
      case 'd':
        lua_pushnumber(L, UnpackFloat<double>(at, layout.little_endian));
        break;
      case 'c':
        if (size == 0) {  // as many bytes as the value unpacked just before says
          if (lua_gettop(L) <= 2 || !lua_isnumber(L, -1)) {
            luaL_error(L, "format 'c0' needs a previous size");
          }
          size = NativeDoubleToUint64(lua_tonumber(L, -1));
          lua_pop(L, 1);
          CheckDataLeft(L, position, size, length);
        }
        lua_pushlstring(L, at, size);
        break;
      case 's': {
        const void* end = std::memchr(at, '\0', length - position);
        if (end == nullptr) luaL_error(L, "unfinished string in data");
        size = static_cast<size_t>(static_cast<const char*>(end) - at) + 1;
        lua_pushlstring(L, at, size - 1);
        break;
      }
      default:
        ApplyControlOption(L, option, &format, &layout);
    }
    position += size;
  }
  lua_pushinteger(L, static_cast<lua_Integer>(position + 1));
  return lua_gettop(L) - 2;
}

int Size(lua_State* L) {
  const char* format = luaL_checkstring(L, 1);
  Layout layout;
  size_t position = 0;
  while (*format != '\0') {
    char option = *format++;
    size_t size = OptionSize(L, option, &format);
    position += PaddingBefore(position, layout, option, size);
    if (option == 's') {
      luaL_argerror(L, 1, "option 's' has no fixed size");
    } else if (option == 'c' && size == 0) {
      luaL_argerror(L, 1, "option 'c0' has no fixed size");
    }
    // Unknown letters and digits count 0 bytes here (pack and unpack reject them).
    if (!IsAlnum(option)) ApplyControlOption(L, option, &format, &layout);
    position += size;
  }
  lua_pushinteger(L, static_cast<lua_Integer>(position));
  return 1;
}

}  // namespace

int OpenStructLibrary(lua_State* L) {
  static const luaL_Reg kFunctions[] = {
      {"pack", Pack}, {"unpack", Unpack}, {"size", Size}, {nullptr, nullptr}};
  lua_newtable(L);
  luaL_register(L, nullptr, kFunctions);
  return 1;
}

}  // namespace ember
