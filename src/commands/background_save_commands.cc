// SAVE, BGSAVE and BGREWRITEAOF (persistence/persistence.h). They run with every shard held:
// SAVE writes the file then, the others start a fork-less snapshot of that instant.
#include <cstdio>
#include <string>

#include "commands/arg_parser.h"
#include "commands/command.h"
#include "commands/errors.h"
#include "engine/engine.h"
#include "persistence/persistence.h"
#include "persistence/snapshot.h"

namespace ember {
namespace {

void Save(CommandContext& ctx) {
  if (Persistence* p = ctx.engine.persistence()) {  // the server: its status, LASTSAVE ...
    std::string error;
    if (!p->Save(&error)) {
      fprintf(stderr, "ember-server: SAVE failed: %s\n", error.c_str());
      return ctx.reply.Error(error == "Background save already in progress" ? "ERR " + error
                                                                            : "ERR");
    }
    return ctx.reply.Ok();
  }
  const ServerConfig& config = ctx.engine.config();
  std::string path = SnapshotPath(config.data_dir, config.dbfilename);
  std::string error;
  if (!WriteSnapshotFile(ctx.engine, path, &error)) {
    fprintf(stderr, "ember-server: SAVE failed: %s\n", error.c_str());
    return ctx.reply.Error("ERR");
  }
  fprintf(stderr, "ember-server: DB saved on disk (%s)\n", path.c_str());
  ctx.reply.Ok();
}

// Redis's replies: "<what> started" / "<what> scheduled", or the reason it did not start.
void ReplyStarted(CommandContext& ctx, Persistence::Started started, std::string_view what,
                  const std::string& error) {
  switch (started) {
    case Persistence::Started::kStarted:
      return ctx.reply.SimpleString(std::string(what) + " started");
    case Persistence::Started::kScheduled:
      return ctx.reply.SimpleString(std::string(what) + " scheduled");
    default:
      return ctx.reply.Error("ERR " + error);
  }
}

void BgSave(CommandContext& ctx) {
  bool schedule = false;
  if (ctx.args.size() == 2) {
    if (!EqualsIgnoreCase(ctx.args[1], "SCHEDULE")) return ctx.reply.Error(err::kSyntax);
    schedule = true;
  } else if (ctx.args.size() > 2) {
    return ctx.reply.Error(err::kSyntax);
  }
  Persistence* p = ctx.engine.persistence();
  if (p == nullptr) return ctx.reply.Error("ERR persistence is not available");
  std::string error;
  ReplyStarted(ctx, p->Bgsave(schedule, &error), "Background saving", error);
}

void BgRewriteAof(CommandContext& ctx) {
  Persistence* p = ctx.engine.persistence();
  if (p == nullptr) return ctx.reply.Error("ERR persistence is not available");
  std::string error;
  ReplyStarted(ctx, p->Rewrite(&error), "Background append only file rewriting", error);
}

}  // namespace

void RegisterBackgroundSaveCommands(CommandGroup& g) {
  g.Add(Command("save", Save)
            .Arity(1)
            .Flags(kCmdAdmin | kCmdNoScript | kCmdNoAsyncLoading | kCmdNoMulti)
            .Exec(ExecKind::kAllShards)
            .Acl(kAclDangerous)
            .Since("1.0.0")
            .Summary("Synchronously saves the database(s) to disk."));
  g.Add(Command("bgsave", BgSave)
            .Arity(-1)
            .Flags(kCmdAdmin | kCmdNoScript | kCmdNoAsyncLoading)
            .Exec(ExecKind::kAllShards)
            .Acl(kAclDangerous)
            .Since("1.0.0")
            .Summary("Asynchronously saves the database(s) to disk."));
  g.Add(Command("bgrewriteaof", BgRewriteAof)
            .Arity(1)
            .Flags(kCmdAdmin | kCmdNoScript | kCmdNoAsyncLoading)
            .Exec(ExecKind::kAllShards)
            .Acl(kAclDangerous)
            .Since("1.0.0")
            .Summary("Asynchronously rewrites the append-only file to disk."));
}

}  // namespace ember
