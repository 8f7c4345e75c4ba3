#pragma once
// Runs one validated command on the calling thread. The caller guarantees the thread may touch
// every shard the command uses: its own shard, or all of them during a multi-shard step.
#include <span>
#include <string_view>

#include "commands/command.h"
#include "engine/engine.h"

namespace ember {

// key_shard: the shard every key of the command lives on, when the caller routed it there
// (saves hashing the keys again); -1 when they may span shards.
void ExecuteCommand(Engine& engine, const CommandSpec& spec, std::span<const std::string_view> args,
                    ClientState& client, ReplyBuilder& reply, int64_t now_ms,
                    int32_t key_shard = -1);

// Validates and runs a command synchronously (errors become replies). For tests and tools
// that drive the engine in-process from a single thread.
void ExecuteDirect(Engine& engine, std::span<const std::string_view> args, ClientState& client,
                   ReplyBuilder& reply, int64_t now_ms);

}  // namespace ember
