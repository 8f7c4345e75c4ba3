#include "acl/acl_enforce.h"

#include "acl/acl_registry.h"
#include "commands/client_line.h"
#include "commands/command.h"
#include "engine/engine.h"

namespace ember::acl {

bool RefreshClientUser(Engine& engine, ClientState& client) {
  uint64_t generation = Generation();  // before the lookup: a later change is seen next time
  std::string_view name = client.user != nullptr ? std::string_view(client.user->name) : "default";
  std::shared_ptr<const User> user = Registry::Instance().Find(name);
  if (user == nullptr) return false;
  client.acl_generation = generation;
  client.acl_unrestricted = user->Unrestricted();
  engine.clients().SetUser(&client, std::move(user));
  return true;
}

bool Permitted(Engine& engine, ClientState& client, const CommandSpec& spec,
               std::span<const std::string_view> args, std::string_view context, int64_t now_ms,
               CheckResult* result) {
  if (client.acl_unrestricted || client.user == nullptr) return true;
  *result = Check(*client.user, spec, args);
  if (result->ok()) return true;
  LogDenial(engine, client, *result, spec, context, now_ms);
  return false;
}

void LogDenial(Engine& engine, ClientState& client, const CheckResult& result,
               const CommandSpec& spec, std::string_view context, int64_t now_ms) {
  LogEntry entry;
  entry.reason = std::string(DenialReason(result.denial));
  entry.context = std::string(context);
  entry.object = DenialObject(result, spec);
  entry.username = client.user != nullptr ? client.user->name : "default";
  entry.created_ms = now_ms;
  entry.client_info = ClientLine(client, now_ms);
  if (!entry.client_info.empty()) entry.client_info.pop_back();  // CLIENT LIST's "\n"
  Registry::Instance().Log(
      std::move(entry), static_cast<size_t>(std::max<int64_t>(0, engine.config().acllog_max_len)));
}

}  // namespace ember::acl
