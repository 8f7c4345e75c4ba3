#include "engine/execute.h"

namespace ember {

void ExecuteCommand(Engine& engine, const CommandSpec& spec,
                    std::span<const std::string_view> args, ClientState& client,
                    ReplyBuilder& reply, int64_t now_ms) {
  CommandContext ctx{args, reply, client, engine, now_ms};
  spec.handler(ctx);
}

void ExecuteDirect(Engine& engine, std::span<const std::string_view> args, ClientState& client,
                   ReplyBuilder& reply, int64_t now_ms) {
  if (args.empty()) return;
  std::string error;
  const CommandSpec* spec = CommandTable::Instance().Validate(args, &error);
  if (spec == nullptr) {
    reply.Error(error);
    return;
  }
  ExecuteCommand(engine, *spec, args, client, reply, now_ms);
}

}  // namespace ember
