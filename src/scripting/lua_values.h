#pragma once
// Redis's conversions between replies and Lua values, both ways.
//   reply -> Lua (what redis.call returns): integer -> number, bulk -> string, nil bulk / nil
//     array -> false, array -> table, status -> {ok=...}, error -> {err=...}; with
//     redis.setresp(3) also null -> nil, map -> {map={...}}, set -> {set={m=true}},
//     double -> {double=n}, boolean -> boolean, big number -> {big_number="..."},
//     verbatim -> {verbatim_string={format=..., string=...}}.
//   Lua -> reply (what a script returns): number -> integer (truncated), string -> bulk,
//     true -> 1 (RESP3 script: true), false / nil -> null (RESP3 script: false for false),
//     {ok=...} -> status, {err=...} -> error, {double=}, {big_number=}, {map=}, {set=}, any
//     other table -> array up to its first nil.
#include <string_view>

struct lua_State;

namespace ember {

class ReplyBuilder;

// Pushes the value of the one RESP reply at the start of `resp` onto L's stack. Returns the
// bytes it used (0: malformed, nothing pushed).
size_t PushReplyAsLua(lua_State* L, std::string_view resp);

// Writes the Lua value at stack index `index` as a reply. script_resp: the protocol the script
// chose with redis.setresp (2 or 3), which decides how booleans go out.
void WriteLuaValue(lua_State* L, int index, ReplyBuilder& reply, int script_resp);

}  // namespace ember
