#pragma once
// The command table: every command's metadata (name, arity, flags, key positions, how it
// executes) and its handler. COMMAND, routing and arity checks all read this one table.
#include <charconv>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "commands/client_state.h"
#include "engine/journal.h"
#include "engine/keyspace_events.h"
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
  kCmdNoMulti = 1 << 10,
  kCmdAllowBusy = 1 << 11,
  kCmdMovableKeys = 1 << 12,     // set by the table: keys not at fixed positions (numkeys, STORE)
  kCmdNoAsyncLoading = 1 << 13,  // refused while a replica loads a dataset in the background
  kCmdPubSub = 1 << 14,          // a pub/sub command (COMMAND INFO's "pubsub")
  // Internal, not shown: allowed while a RESP2 client is subscribed ((P|S)SUBSCRIBE,
  // (P|S)UNSUBSCRIBE, PING, QUIT, RESET).
  kCmdSubscribedMode = 1 << 15,
  // Runs at once even between MULTI and EXEC (MULTI, EXEC, DISCARD, WATCH, QUIT, RESET).
  kCmdNotQueued = 1 << 16,
  kCmdSkipSlowlog = 1 << 17,      // SLOWLOG leaves it out (EXEC: its commands are logged instead)
  kCmdSkipMonitor = 1 << 18,      // COMMAND INFO's skip_monitor (EVAL)
  kCmdNoMandatoryKeys = 1 << 19,  // COMMAND INFO's no_mandatory_keys (EVAL with numkeys 0)
};

// Redis's ACL categories, in Redis's order (COMMAND INFO lists them so). @read, @write, @admin,
// @dangerous, @fast, @slow and @blocking follow from the flags, as in Redis; give the others.
enum AclCategory : uint32_t {
  kAclKeyspace = 1 << 0,
  kAclRead = 1 << 1,
  kAclWrite = 1 << 2,
  kAclSet = 1 << 3,
  kAclSortedSet = 1 << 4,
  kAclList = 1 << 5,
  kAclHash = 1 << 6,
  kAclString = 1 << 7,
  kAclBitmap = 1 << 8,
  kAclHyperLogLog = 1 << 9,
  kAclGeo = 1 << 10,
  kAclStream = 1 << 11,
  kAclPubSub = 1 << 12,
  kAclAdmin = 1 << 13,
  kAclFast = 1 << 14,
  kAclSlow = 1 << 15,
  kAclBlocking = 1 << 16,
  kAclDangerous = 1 << 17,
  kAclConnection = 1 << 18,
  kAclTransaction = 1 << 19,
  kAclScripting = 1 << 20,
};
// The names of the categories, by bit ("keyspace", "read", ...), without the '@'.
std::span<const std::string_view> AclCategoryNames();

// What a command does with a key (Redis 7's key-spec flags, COMMAND GETKEYSANDFLAGS).
enum KeyFlag : uint32_t {
  kKeyRO = 1 << 0,  // reads the value
  kKeyRW = 1 << 1,  // reads and changes it
  kKeyOW = 1 << 2,  // overwrites it without reading
  kKeyRM = 1 << 3,  // deletes it
  kKeyAccess = 1 << 4,
  kKeyUpdate = 1 << 5,
  kKeyInsert = 1 << 6,
  kKeyDelete = 1 << 7,
  kKeyVariableFlags = 1 << 8,
  kKeyNotKey = 1 << 9,  // a name in the key's place that is no key (shard channels)
};
std::vector<std::string_view> KeyFlagNames(uint32_t flags);

// Where one group of a command's keys sits (a Redis 7 key spec, in the two forms ember needs).
struct KeySpec {
  uint32_t flags = 0;
  int index = 0;        // the first key (range) or the key count (keynum); 0: found by a KeyFinder
  bool keynum = false;  // args[index] counts the keys that follow it
  int last = 0;  // range: last key relative to index (0: one key; -1: up to the last argument)
  int step = 1;
};

// For commands whose keys a spec cannot describe (SORT ... STORE dst): the key positions and,
// when `flags` is not null, each key's KeyFlag bits.
using KeyFinder = void (*)(std::span<const std::string_view> args, std::vector<size_t>* positions,
                           std::vector<uint32_t>* flags);

// For keys whose flags depend on the call (kKeyVariableFlags: SET ... GET reads the old value):
// the flags this call has for the key at `pos`.
using KeyFlagsResolver = uint32_t (*)(std::span<const std::string_view> args, size_t pos);

// Where a command runs.
enum class ExecKind : uint8_t {
  kKeyed,        // on the shard(s) owning its keys; several shards run as one atomic step
  kLocal,        // on the connection's thread, touches no shard data (PING, ECHO, TIME)
  kConnection,   // changes the connection's own state (SELECT, HELLO, QUIT, CLIENT ...)
  kAllShards,    // needs every shard at once (DBSIZE, KEYS, FLUSHALL, INFO ...)
  kTransaction,  // EXEC: on every shard its queued commands and watched keys live on
  kScript,       // EVAL: on its KEYS' shards, or every shard (scripting/script_routing.h)
};

struct CommandContext;
using CommandHandler = void (*)(CommandContext&);

// One entry of the table. Built with Command(...) below, never by position.
struct CommandSpec {
  std::string name;  // lower case; a subcommand's is "parent|sub"
  int arity = 0;     // > 0: exact argument count (with the name); < 0: at least -arity
  uint32_t flags = 0;
  // Redis's legacy key range, derived from key_specs by the table: routing reads these.
  int first_key = 0;  // 0: no keys
  int last_key = 0;   // negative: counted from the end (-1 = last argument)
  int key_step = 0;
  ExecKind exec = ExecKind::kKeyed;
  CommandHandler handler = nullptr;
  std::string group;    // Redis's documentation group: string, generic, server, connection
  std::string summary;  // one line, for COMMAND DOCS
  // > 0: args[numkeys_index] counts the keys, which follow it (LMPOP, ZUNION, SINTERCARD ...);
  // first_key/last_key/key_step then only describe the keys before it (ZUNIONSTORE's dst).
  // Derived from key_specs.
  int numkeys_index = 0;
  // CLIENT, CONFIG, COMMAND ...: CLIENT LIST names the subcommand too ("client|list").
  bool has_subcommands = false;
  uint32_t acl = 0;   // AclCategory bits, the implicit ones included
  std::string since;  // the Redis version that introduced the command
  std::vector<KeySpec> key_specs;
  KeyFinder find_keys = nullptr;  // replaces key_specs for routing when set
  KeyFlagsResolver resolve_key_flags = nullptr;
  std::vector<CommandSpec> subcommands;

  const CommandSpec* FindSubcommand(std::string_view name) const;
  // Dense, set by the table: indexes per-command stats (engine/command_stats).
  uint16_t id = 0;
  // Dense over every entry, subcommands included: an ACL selector's bit (acl/acl_user.h).
  uint16_t acl_id = 0;
  bool is_subcommand = false;  // an entry like "client|list", in its parent's subcommands
};

// Names a command's metadata field by field:
//   t.Add(Command("get", Get).Arity(2).Flags(kCmdReadOnly | kCmdFast).Key(1, kKeyRO | kKeyAccess)
//             .Acl(kAclString).Since("1.0.0").Summary("..."));
class CommandBuilder {
 public:
  CommandBuilder(std::string_view name, CommandHandler handler);

  CommandBuilder& Arity(int arity);
  CommandBuilder& Flags(uint32_t flags);  // CommandFlag bits
  CommandBuilder& Exec(ExecKind exec);
  // One key at `index`.
  CommandBuilder& Key(int index, uint32_t key_flags = 0);
  // Keys from `first` to `last` (negative: from the end) every `step` arguments.
  CommandBuilder& KeyRange(int first, int last, int step, uint32_t key_flags = 0);
  // A key count at `index`, the keys right after it.
  CommandBuilder& KeyCount(int index, uint32_t key_flags = 0);
  // Keys found by a function (also makes them movable).
  CommandBuilder& FindKeys(KeyFinder finder);
  // Resolves kKeyVariableFlags per call (COMMAND GETKEYSANDFLAGS).
  CommandBuilder& ResolveKeyFlags(KeyFlagsResolver resolver);
  CommandBuilder& Acl(uint32_t categories);  // AclCategory bits beyond the implicit ones
  CommandBuilder& Group(std::string_view group);
  CommandBuilder& Since(std::string_view version);
  CommandBuilder& Summary(std::string_view summary);
  // A subcommand entry ("config" + "get" = "config|get"); it runs the parent's handler and
  // exec kind unless it names its own.
  CommandBuilder& Subcommand(const CommandBuilder& sub);

  // The table entry: derives the key range and the implicit ACL categories, names the
  // subcommands "parent|sub".
  CommandSpec Build(std::string_view group, uint32_t family_acl) const;

 private:
  CommandSpec spec_;
  bool exec_set_ = false;
  std::vector<CommandBuilder> subcommands_;
};

inline CommandBuilder Command(std::string_view name, CommandHandler handler = nullptr) {
  return CommandBuilder(name, handler);
}

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

  // The effect to journal instead of the arguments, when they would not replay to the same
  // result (SET EX -> SET PXAT ...); several calls record several commands.
  void Propagate(std::initializer_list<std::string_view> argv) {
    if (Journal::enabled()) [[unlikely]]
      Propagation::Add(std::span<const std::string_view>(argv.begin(), argv.size()));
  }
  void Propagate(std::span<const std::string_view> argv) {
    if (Journal::enabled()) [[unlikely]]
      Propagation::Add(argv);
  }
  // The same with a number (an absolute time, a count) as the last argument, formatted only
  // while journaling.
  void Propagate(std::initializer_list<std::string_view> argv, int64_t last) {
    if (!Journal::enabled()) [[likely]]
      return;
    char digits[24];
    std::string_view all[8];
    size_t n = 0;
    for (std::string_view arg : argv) all[n++] = arg;
    all[n++] =
        std::string_view(digits, std::to_chars(digits, digits + sizeof(digits), last).ptr - digits);
    Propagation::Add(std::span<const std::string_view>(all, n));
  }

  // A keyspace notification (notify-keyspace-events) for `key` in the selected database.
  void Notify(uint32_t type, std::string_view event, std::string_view key) {
    NotifyKeyspaceEvent(type, event, key, client.db);
  }
  // The same, followed by "del" when the write emptied the collection and deleted the key.
  void Notify(uint32_t type, std::string_view event, std::string_view key, bool deleted) {
    Notify(type, event, key);
    if (deleted) Notify(kNotifyGeneric, "del", key);
  }

  // The selected database on the shard that owns `key`.
  Database& Db(std::string_view key);
  // The selected database on shard `shard`.
  Database& DbOnShard(uint32_t shard);
  uint32_t num_shards() const;
};

class CommandTable {
 public:
  static CommandTable& Instance();

  // Adds a command; `group` and `family_acl` (the family's data-type category) apply where the
  // builder did not name them.
  void Add(const CommandBuilder& command, std::string_view group = "", uint32_t family_acl = 0);
  // Case-insensitive lookup; nullptr when unknown.
  const CommandSpec* Find(std::string_view name) const;
  const std::vector<const CommandSpec*>& All() const { return ordered_; }
  // Every entry by acl_id: commands and their subcommands.
  const std::vector<const CommandSpec*>& AclEntries() const { return acl_entries_; }

  // Arity and existence check; returns the spec, or nullptr with *error set.
  const CommandSpec* Validate(std::span<const std::string_view> args, std::string* error) const;
  // The name CLIENT LIST shows for an invocation ("get", "config|get"), in storage that lives
  // as long as the process.
  static const char* DisplayName(const CommandSpec& spec, std::span<const std::string_view> args);
  // Positions of the key arguments of a command invocation, per its spec.
  static void KeyPositions(const CommandSpec& spec, std::span<const std::string_view> args,
                           std::vector<size_t>* out);
  // The same with each key's KeyFlag bits, kKeyVariableFlags resolved for this call (COMMAND
  // GETKEYSANDFLAGS, ACL key permissions).
  static void KeysWithFlags(const CommandSpec& spec, std::span<const std::string_view> args,
                            std::vector<size_t>* positions, std::vector<uint32_t>* flags);

 private:
  CommandTable();
  std::unordered_map<std::string, CommandSpec> commands_;
  std::vector<const CommandSpec*> ordered_;
  std::vector<const CommandSpec*> acl_entries_;
};

// A family's registration: its documentation group and ACL category for every command it adds.
class CommandGroup {
 public:
  CommandGroup(CommandTable& table, std::string_view group, uint32_t acl = 0)
      : table_(table), group_(group), acl_(acl) {}
  void Add(const CommandBuilder& command) { table_.Add(command, group_, acl_); }

 private:
  CommandTable& table_;
  std::string group_;
  uint32_t acl_;
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
void RegisterPersistenceCommands(CommandTable& table);
void RegisterTransactionCommands(CommandTable& table);
void RegisterPubSubCommands(CommandTable& table);
void RegisterGeoCommands(CommandTable& table);
void RegisterBitmapCommands(CommandTable& table);  // SETBIT ... BITFIELD, PF* (HyperLogLog)
void RegisterObservabilityCommands(CommandTable& table);
void RegisterScriptingCommands(CommandTable& table);
void RegisterFunctionCommands(CommandTable& table);
void RegisterStreamCommands(CommandTable& table);  // XADD ... XINFO
void RegisterAclCommands(CommandTable& table);     // acl/acl_commands.cc

}  // namespace ember
