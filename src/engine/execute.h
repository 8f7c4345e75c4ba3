#pragma once
// Runs one validated command on the calling thread. The caller guarantees the thread may touch
// every shard the command uses: its own shard, or all of them during a multi-shard step.
#include <span>
#include <string_view>

#include "commands/command.h"
#include "engine/engine.h"

namespace ember {

void ExecuteCommand(Engine& engine, const CommandSpec& spec,
                    std::span<const std::string_view> args, ClientState& client,
                    ReplyBuilder& reply, int64_t now_ms);

// Validates and runs a command synchronously (errors become replies). For tests and tools
// that drive the engine in-process from a single thread.
void ExecuteDirect(Engine& engine, std::span<const std::string_view> args, ClientState& client,
                   ReplyBuilder& reply, int64_t now_ms);

}  // namespace ember
