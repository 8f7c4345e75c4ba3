#pragma once
// Where the server applies ACL to a client: its user kept current with the registry, every call
// checked (at the top level, in MULTI, from scripts), refusals logged in ACL LOG.
#include <span>
#include <string>
#include <string_view>

#include "acl/acl_check.h"
#include "commands/client_state.h"

namespace ember {
class Engine;
struct CommandSpec;
}  // namespace ember

namespace ember::acl {

// Looks the client's user up again after an ACL change; false when it was deleted (the client
// must go, as Redis closes clients of deleted users).
bool RefreshClientUser(Engine& engine, ClientState& client);

// Checks a call for a client whose user is restricted; on refusal logs it and sets *error to
// the NOPERM reply. `context`: "toplevel", "multi" or "lua".
bool Permitted(Engine& engine, ClientState& client, const CommandSpec& spec,
               std::span<const std::string_view> args, std::string_view context, int64_t now_ms,
               CheckResult* result);

void LogDenial(Engine& engine, ClientState& client, const CheckResult& result,
               const CommandSpec& spec, std::string_view context, int64_t now_ms);

}  // namespace ember::acl
