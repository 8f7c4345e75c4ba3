// `cjson` for scripts: Debian's lua-cjson 2.1.0, the version Redis 7.0 bundles, so encode,
// decode, null, new and the encode_* / decode_* settings behave as in Redis. Debian's copy sizes
// its buffers with int (CVE-2022-24834, fixed only in Redis's copy): encode and decode are
// wrapped to refuse, with an error, a JSON text that could pass 1 GiB, before lua-cjson sees it.
#pragma once

#include <cstddef>

struct lua_State;

namespace ember {

// Encodings that could need more bytes than this are refused ("Cannot serialise: ...").
inline constexpr size_t kMaxJsonEncodeBytes = size_t{1} << 30;
// JSON texts longer than this are refused by decode.
inline constexpr size_t kMaxJsonDecodeBytes = size_t{1} << 30;

// A lua_CFunction: leaves the guarded `cjson` table on the stack (returns 1). Sets no global.
int OpenCjsonLibrary(lua_State* L);

}  // namespace ember
