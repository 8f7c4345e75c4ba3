// FCALL, FCALL_RO and FUNCTION (LOAD, LIST, DELETE, FLUSH, DUMP, RESTORE, STATS, KILL, HELP).
// The libraries live in the shared registry (function_registry.h), so FUNCTION runs on the
// connection's own thread; FCALL is routed as EVAL is (script_routing.h) and runs through the
// same ScriptRun.
#include "commands/arg_parser.h"
#include "commands/command.h"
#include "commands/errors.h"
#include "common/glob.h"
#include "common/numbers.h"
#include "engine/engine.h"
#include "scripting/function_library.h"
#include "scripting/function_load.h"
#include "scripting/function_registry.h"
#include "scripting/lua_interpreter.h"
#include "scripting/script_busy.h"
#include "scripting/script_run.h"

namespace ember {
namespace {

void RunFunction(CommandContext& ctx, bool read_only) {
  const CompiledScript* function = LuaInterpreter::ForThisThread().FindFunction(ctx.args[1]);
  if (function == nullptr) return ctx.reply.Error("ERR Function not found");
  auto numkeys = ParseInt64(ctx.args[2]);
  if (!numkeys) return ctx.reply.Error("ERR Bad number of keys provided");
  if (*numkeys > static_cast<int64_t>(ctx.args.size() - 3)) {
    return ctx.reply.Error("ERR Number of keys can't be greater than number of args");
  }
  if (*numkeys < 0) return ctx.reply.Error("ERR Number of keys can't be negative");
  if (read_only && !(function->flags & kScriptNoWrites)) {
    return ctx.reply.Error("ERR Can not execute a script with write flag using *_ro command.");
  }
  auto keys = ctx.args.subspan(3, static_cast<size_t>(*numkeys));
  auto argv = ctx.args.subspan(3 + static_cast<size_t>(*numkeys));
  RunScriptCommand(ctx, *function, keys, argv, read_only);
}

void FCall(CommandContext& ctx) {
  RunFunction(ctx, false);
}
void FCallRo(CommandContext& ctx) {
  RunFunction(ctx, true);
}

// FUNCTION's changes reach the AOF as the commands themselves (FCALL's as their effects).
void JournalCommand(CommandContext& ctx) {
  if (!Journal::enabled()) return;
  if (Journal* journal = Journal::Current()) journal->Append(ctx.client.db, ctx.args);
}

void SyntaxError(CommandContext& ctx) {
  ctx.reply.Error("ERR unknown subcommand or wrong number of arguments for '" +
                  std::string(ctx.args[1]) + "'. Try FUNCTION HELP.");
}

void FunctionLoad(CommandContext& ctx) {
  bool replace = false;
  for (size_t i = 2; i + 1 < ctx.args.size(); ++i) {
    if (!EqualsIgnoreCase(ctx.args[i], "replace")) {
      return ctx.reply.Error("ERR Unknown option given: " + std::string(ctx.args[i]));
    }
    replace = true;
  }
  std::string_view source = ctx.args.back();
  LibraryMetadata metadata;
  std::string error;
  if (!ParseLibraryMetadata(source, &metadata, &error)) return ctx.reply.Error(error);
  FunctionRegistry& registry = FunctionRegistry::Instance();
  if (ValidFunctionName(metadata.name) && EngineIsLua(metadata.engine) && !replace &&
      registry.HasLibrary(metadata.name)) {
    return ctx.reply.Error("ERR Library '" + metadata.name + "' already exists");
  }
  std::vector<FunctionLibrary> libraries(1);
  if (!BuildLibrary(source, &libraries[0], &error) ||
      !registry.Join(std::move(libraries), replace ? JoinPolicy::kReplace : JoinPolicy::kAppend,
                     true, &error)) {
    return ctx.reply.Error(error);
  }
  JournalCommand(ctx);
  ctx.reply.Bulk(metadata.name);
}

void FunctionDelete(CommandContext& ctx) {
  if (!FunctionRegistry::Instance().Delete(ctx.args[2])) {
    return ctx.reply.Error("ERR Library not found");
  }
  JournalCommand(ctx);
  ctx.reply.Ok();
}

void FunctionFlush(CommandContext& ctx) {
  if (ctx.args.size() > 3) return SyntaxError(ctx);
  if (ctx.args.size() == 3 && !EqualsIgnoreCase(ctx.args[2], "sync") &&
      !EqualsIgnoreCase(ctx.args[2], "async")) {
    return ctx.reply.Error("ERR FUNCTION FLUSH only supports SYNC|ASYNC option");
  }
  FunctionRegistry::Instance().Flush();
  JournalCommand(ctx);
  ctx.reply.Ok();
}

void ReplyLibrary(CommandContext& ctx, const FunctionLibrary& library, bool with_code) {
  ReplyBuilder& r = ctx.reply;
  r.MapHeader(with_code ? 4 : 3);
  r.Bulk("library_name");
  r.Bulk(library.name);
  r.Bulk("engine");
  r.Bulk("LUA");
  r.Bulk("functions");
  r.ArrayHeader(library.functions.size());
  for (const FunctionInfo& f : library.functions) {
    r.MapHeader(3);
    r.Bulk("name");
    r.Bulk(f.name);
    r.Bulk("description");
    if (f.description.empty()) {
      r.Null();
    } else {
      r.Bulk(f.description);
    }
    r.Bulk("flags");
    std::vector<std::string_view> flags = FunctionFlagNames(f.flags);
    r.SetHeader(flags.size());
    for (std::string_view flag : flags) r.SimpleString(flag);  // status replies, as Redis
  }
  if (with_code) {
    r.Bulk("library_code");
    r.Bulk(library.code);
  }
}

void FunctionList(CommandContext& ctx) {
  bool with_code = false;
  bool named = false;
  std::string_view pattern;
  for (size_t i = 2; i < ctx.args.size(); ++i) {
    std::string_view arg = ctx.args[i];
    if (!with_code && EqualsIgnoreCase(arg, "withcode")) {
      with_code = true;
    } else if (!named && EqualsIgnoreCase(arg, "libraryname")) {
      if (i + 1 >= ctx.args.size()) {
        return ctx.reply.Error("ERR library name argument was not given");
      }
      named = true;
      pattern = ctx.args[++i];
    } else {
      return ctx.reply.Error("ERR Unknown argument " + std::string(arg));
    }
  }
  std::shared_ptr<const FunctionSet> set = FunctionRegistry::Instance().Snapshot();
  std::vector<const FunctionLibrary*> shown;
  for (const auto& [name, library] : set->libraries) {
    if (!named || GlobMatch(pattern, name, true)) shown.push_back(library.get());
  }
  ctx.reply.ArrayHeader(shown.size());
  for (const FunctionLibrary* library : shown) ReplyLibrary(ctx, *library, with_code);
}

void FunctionDump(CommandContext& ctx) {
  ctx.reply.Bulk(DumpFunctionPayload(*FunctionRegistry::Instance().Snapshot(),
                                     ctx.engine.config().rdbcompression));
}

void FunctionRestore(CommandContext& ctx) {
  if (ctx.args.size() > 4) return SyntaxError(ctx);
  JoinPolicy policy = JoinPolicy::kAppend;
  if (ctx.args.size() == 4) {
    std::string_view p = ctx.args[3];
    if (EqualsIgnoreCase(p, "flush")) {
      policy = JoinPolicy::kFlush;
    } else if (EqualsIgnoreCase(p, "replace")) {
      policy = JoinPolicy::kReplace;
    } else if (!EqualsIgnoreCase(p, "append")) {
      return ctx.reply.Error(
          "ERR Wrong restore policy given, value should be either FLUSH, APPEND or REPLACE.");
    }
  }
  std::vector<std::string> sources;
  std::string error;
  if (!ReadFunctionPayload(ctx.args[2], &sources, &error) ||
      !LoadLibraries(sources, policy, &error)) {
    return ctx.reply.Error(error);
  }
  JournalCommand(ctx);
  ctx.reply.Ok();
}

void FunctionStats(CommandContext& ctx) {
  ReplyBuilder& r = ctx.reply;
  r.MapHeader(2);
  r.Bulk("running_script");
  script_busy::RunningFunction running;
  if (script_busy::FindRunningFunction(&running)) {
    r.MapHeader(3);
    r.Bulk("name");
    r.Bulk(running.name);
    r.Bulk("command");
    r.ArrayHeader(running.command.size());
    for (const std::string& arg : running.command) r.Bulk(arg);
    r.Bulk("duration_ms");
    r.Integer(running.duration_ms);
  } else {
    r.Null();
  }
  std::shared_ptr<const FunctionSet> set = FunctionRegistry::Instance().Snapshot();
  r.Bulk("engines");
  r.MapHeader(1);
  r.Bulk("LUA");
  r.MapHeader(2);
  r.Bulk("libraries_count");
  r.Integer(static_cast<int64_t>(set->libraries.size()));
  r.Bulk("functions_count");
  r.Integer(static_cast<int64_t>(set->function_count()));
}

void FunctionKill(CommandContext& ctx) {
  switch (script_busy::Kill(script_busy::KillKind::kFunction)) {
    case script_busy::KillResult::kNotBusy:
      return ctx.reply.Error("NOTBUSY No scripts in execution right now.");
    case script_busy::KillResult::kWrongKind:
      return ctx.reply.Error(script_busy::kBusyError);
    case script_busy::KillResult::kUnkillable:
      return ctx.reply.Error(script_busy::kUnkillableError);
    case script_busy::KillResult::kKilled:
      return ctx.reply.Ok();
  }
}

void FunctionHelp(CommandContext& ctx) {
  static constexpr std::string_view kLines[] = {
      "FUNCTION <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
      "LOAD [REPLACE] <FUNCTION CODE>",
      "    Create a new library with the given library name and code.",
      "DELETE <LIBRARY NAME>",
      "    Delete the given library.",
      "LIST [LIBRARYNAME PATTERN] [WITHCODE]",
      "    Return general information on all the libraries:",
      "    * Library name",
      "    * The engine used to run the Library",
      "    * Library description",
      "    * Functions list",
      "    * Library code (if WITHCODE is given)",
      "    It also possible to get only function that matches a pattern using LIBRARYNAME "
      "argument.",
      "STATS",
      "    Return information about the current function running:",
      "    * Function name",
      "    * Command used to run the function",
      "    * Duration in MS that the function is running",
      "    If no function is running, return nil",
      "    In addition, returns a list of available engines.",
      "KILL",
      "    Kill the current running function.",
      "FLUSH [ASYNC|SYNC]",
      "    Delete all the libraries.",
      "    When called without the optional mode argument, the behavior is determined by the",
      "    lazyfree-lazy-user-flush configuration directive. Valid modes are:",
      "    * ASYNC: Asynchronously flush the libraries.",
      "    * SYNC: Synchronously flush the libraries.",
      "DUMP",
      "    Return a serialized payload representing the current libraries, can be restored "
      "using FUNCTION RESTORE command",
      "RESTORE <PAYLOAD> [FLUSH|APPEND|REPLACE]",
      "    Restore the libraries represented by the given payload, it is possible to give a "
      "restore policy to",
      "    control how to handle existing libraries (default APPEND):",
      "    * FLUSH: delete all existing libraries.",
      "    * APPEND: appends the restored libraries to the existing libraries. On collision, "
      "abort.",
      "    * REPLACE: appends the restored libraries to the existing libraries, On collision, "
      "replace the old",
      "      libraries with the new libraries (notice that even on this option there is a "
      "chance of failure",
      "      in case of functions name collision with another library).",
      "HELP",
      "    Prints this help.",
  };
  ctx.reply.ArrayHeader(std::size(kLines));
  for (std::string_view line : kLines) ctx.reply.SimpleString(line);
}

void Function(CommandContext& ctx) {
  ctx.reply.Error("ERR unknown subcommand '" + std::string(ctx.args[1]) + "'. Try FUNCTION HELP.");
}

CommandBuilder Sub(const char* name, CommandHandler handler, int arity, uint32_t flags,
                   const char* summary) {
  return Command(name, handler)
      .Arity(arity)
      .Flags(flags)
      .Acl(kAclScripting)
      .Since("7.0.0")
      .Summary(summary);
}

}  // namespace

void RegisterFunctionCommands(CommandTable& t) {
  CommandGroup g(t, "scripting", kAclScripting);
  constexpr uint32_t kFcallFlags =
      kCmdNoScript | kCmdStale | kCmdMovableKeys | kCmdSkipMonitor | kCmdNoMandatoryKeys;
  g.Add(Command("fcall", FCall)
            .Arity(-3)
            .Flags(kFcallFlags)
            .KeyCount(2, kKeyRW | kKeyAccess | kKeyUpdate)
            .Exec(ExecKind::kScript)
            .Acl(kAclSlow)
            .Since("7.0.0")
            .Summary("Invokes a function."));
  g.Add(Command("fcall_ro", FCallRo)
            .Arity(-3)
            .Flags(kFcallFlags | kCmdReadOnly)
            .KeyCount(2, kKeyRO | kKeyAccess)
            .Exec(ExecKind::kScript)
            .Acl(kAclSlow)
            .Since("7.0.0")
            .Summary("Invokes a read-only function."));
  // The container is only @slow in Redis; its subcommands are @scripting.
  t.Add(Command("function", Function)
            .Arity(-2)
            .Acl(kAclSlow)
            .Exec(ExecKind::kLocal)
            .Since("7.0.0")
            .Summary("A container for function commands.")
            .Subcommand(Sub("load", FunctionLoad, -3, kCmdWrite | kCmdDenyOom | kCmdNoScript,
                            "Creates a library."))
            .Subcommand(Sub("list", FunctionList, -2, kCmdNoScript,
                            "Returns information about all libraries."))
            .Subcommand(Sub("delete", FunctionDelete, 3, kCmdWrite | kCmdNoScript,
                            "Deletes a library and its functions."))
            .Subcommand(Sub("flush", FunctionFlush, -2, kCmdWrite | kCmdNoScript,
                            "Deletes all libraries and functions."))
            .Subcommand(Sub("dump", FunctionDump, 2, kCmdNoScript,
                            "Dumps all libraries into a serialized binary payload."))
            .Subcommand(Sub("restore", FunctionRestore, -3, kCmdWrite | kCmdDenyOom | kCmdNoScript,
                            "Restores all libraries from a payload."))
            .Subcommand(Sub("stats", FunctionStats, 2, kCmdNoScript | kCmdAllowBusy,
                            "Returns information about a function during execution."))
            .Subcommand(Sub("kill", FunctionKill, 2, kCmdNoScript | kCmdAllowBusy,
                            "Terminates a function during execution."))
            .Subcommand(Sub("help", FunctionHelp, 2, kCmdLoading | kCmdStale,
                            "Returns helpful text about the different subcommands.")),
        "scripting");
}

}  // namespace ember
