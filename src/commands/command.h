#pragma once
// The command table: every command's metadata (name, arity, flags, key positions, how it
// executes) and its handler. COMMAND, routing and arity checks all read this one table.
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "commands/client_state.h"
#include "keyspace/database.h"
#include "protocol/reply_builder.h"

namespace ember {

class Engine;

enum CommandFlag : uint32_t {
  kCmdWrite = 1 << 0,
  kCmdReadOnly = 1 << 1,
  kCmdFast = 1 << 2,
  kCmdAdmin = 1 << 3,
  kCmdDenyOom = 1 << 4,
  kCmdNoScript = 1 << 5,
  kCmdLoading = 1 << 6,
  kCmdStale = 1 << 7,
  kCmdBlocking = 1 << 8,  // may park the client (BLPOP ...): runs alone, never in a batch
  kCmdNoAuth = 1 << 9,    // allowed before AUTH (AUTH, HELLO, QUIT)
};

// Where a command runs.
enum class ExecKind : uint8_t {
  kKeyed,       // on the shard(s) owning its keys; several shards run as one atomic step
  kLocal,       // on the connection's thread, touches no shard data (PING, ECHO, TIME)
  kConnection,  // changes the connection's own state (SELECT, HELLO, QUIT, CLIENT ...)
  kAllShards,   // needs every shard at once (DBSIZE, KEYS, FLUSHALL, INFO ...)
};

struct CommandContext;
using CommandHandler = void (*)(CommandContext&);

struct CommandSpec {
  std::string name;  // lower case
  int arity = 0;     // > 0: exact argument count (with the name); < 0: at least -arity
  uint32_t flags = 0;
  int first_key = 0;  // 0: no keys
  int last_key = 0;   // negative: counted from the end (-1 = last argument)
  int key_step = 0;
  ExecKind exec = ExecKind::kKeyed;
  CommandHandler handler = nullptr;
  std::string group;    // Redis's documentation group: string, generic, server, connection
  std::string summary;  // one line, for COMMAND DOCS
  // > 0: args[numkeys_index] counts the keys, which follow it (LMPOP, ZUNION, SINTERCARD ...);
  // first_key/last_key/key_step then only describe the keys before it (ZUNIONSTORE's dst).
  int numkeys_index = 0;
  // CLIENT, CONFIG, COMMAND ...: CLIENT LIST names the subcommand too ("client|list").
  bool has_subcommands = false;
  uint16_t id = 0;  // dense, set by Register: indexes per-command stats (engine/command_stats)
};

// What a handler sees. Handlers parse arguments, call keyspace operations through Db(), and
// answer through `reply`; they never touch sockets.
struct CommandContext {
  std::span<const std::string_view> args;
  ReplyBuilder& reply;
  ClientState& client;
  Engine& engine;
  int64_t now_ms;
  // >= 0 when every key of the command lives on this shard (the router checked): Db() then
  // needs no hashing. -1 in multi-shard steps.
  int32_t key_shard = -1;

  // The selected database on the shard that owns `key`.
  Database& Db(std::string_view key);
  // The selected database on shard `shard`.
  Database& DbOnShard(uint32_t shard);
  uint32_t num_shards() const;
};

class CommandTable {
 public:
  static CommandTable& Instance();

  void Register(CommandSpec spec);
  // Case-insensitive lookup; nullptr when unknown.
  const CommandSpec* Find(std::string_view name) const;
  const std::vector<const CommandSpec*>& All() const { return ordered_; }

  // Arity and existence check; returns the spec, or nullptr with *error set.
  const CommandSpec* Validate(std::span<const std::string_view> args, std::string* error) const;
  // The name CLIENT LIST shows for an invocation ("get", "config|get"), in storage that lives
  // as long as the process.
  static const char* DisplayName(const CommandSpec& spec, std::span<const std::string_view> args);
  // Positions of the key arguments of a command invocation, per its spec.
  static void KeyPositions(const CommandSpec& spec, std::span<const std::string_view> args,
                           std::vector<size_t>* out);

 private:
  CommandTable();
  std::unordered_map<std::string, CommandSpec> commands_;
  std::vector<const CommandSpec*> ordered_;
};

// Each family registers its commands here (called once from CommandTable's constructor).
void RegisterStringCommands(CommandTable& table);
void RegisterKeyCommands(CommandTable& table);
void RegisterServerCommands(CommandTable& table);
void RegisterConnectionCommands(CommandTable& table);
void RegisterIntrospectionCommands(CommandTable& table);
void RegisterListCommands(CommandTable& table);
void RegisterHashCommands(CommandTable& table);
void RegisterSetCommands(CommandTable& table);
void RegisterZSetCommands(CommandTable& table);
void RegisterSortCommands(CommandTable& table);

}  // namespace ember
