// MULTI, EXEC, DISCARD, WATCH, UNWATCH. The session queues what comes between MULTI and EXEC
// (engine/session.cc) and routes EXEC to a thread that holds every shard involved; EXEC's
// handler then runs the queue there, with nothing else running on those shards.
#include "acl/acl_enforce.h"
#include "commands/command.h"
#include "commands/transaction.h"
#include "engine/engine.h"
#include "engine/execute.h"

namespace ember {
namespace {

TransactionState& Tx(ClientState& client) {
  if (client.tx == nullptr) client.tx = std::make_shared<TransactionState>();
  return *client.tx;
}

void Multi(CommandContext& ctx) {
  if (ctx.client.in_multi) return ctx.reply.Error("ERR MULTI calls can not be nested");
  Tx(ctx.client);
  ctx.client.in_multi = true;
  ctx.client.multi_queued = 0;
  ctx.reply.Ok();
}

void Discard(CommandContext& ctx) {
  if (!ctx.client.in_multi) return ctx.reply.Error("ERR DISCARD without MULTI");
  ctx.client.in_multi = false;
  ctx.client.tx->Discard();
  ctx.reply.Ok();
}

void Watch(CommandContext& ctx) {
  TransactionState& tx = Tx(ctx.client);
  if (tx.watch == nullptr) tx.watch = std::make_shared<WatchFlag>();
  for (std::string_view key : ctx.args.subspan(1)) {
    // An expired key goes now, before the watch starts: its expiry is not a change we saw.
    ctx.Db(key).Peek(key, ctx.now_ms);
    ctx.engine.shard(ctx.engine.ShardOfKey(key)).Watch(ctx.client.db, key, tx.watch);
    tx.watched.push_back({ctx.client.db, std::string(key)});
  }
  ctx.reply.Ok();
}

void Unwatch(CommandContext& ctx) {
  if (ctx.client.tx != nullptr) ctx.client.tx->Unwatch();
  ctx.reply.Ok();
}

// Whether a watched key changed since WATCH. Looks each key up first: one that has expired
// since is deleted now, which raises the flag like any other change.
bool WatchedKeyChanged(CommandContext& ctx, TransactionState& tx) {
  if (tx.watch == nullptr) return false;
  for (const TransactionState::WatchedKey& w : tx.watched) {
    ctx.engine.shard(ctx.engine.ShardOfKey(w.key)).db(w.db).Peek(w.key, ctx.now_ms);
  }
  return tx.watch->dirty.load(std::memory_order_relaxed);
}

void Exec(CommandContext& ctx) {
  ClientState& client = ctx.client;
  // The session arms the queue when it routes EXEC (and ends MULTI on the home thread then).
  if (client.tx == nullptr || !client.tx->armed) return ctx.reply.Error("ERR EXEC without MULTI");
  TransactionState& tx = *client.tx;
  tx.armed = false;
  if (tx.queue_error) {
    tx.Discard();
    return ctx.reply.Error("EXECABORT Transaction discarded because of previous errors.");
  }
  if (WatchedKeyChanged(ctx, tx)) {
    tx.Discard();
    return ctx.reply.NullArray();
  }
  tx.Unwatch();  // our own writes to the watched keys are not a conflict
  // The queue cannot change while it runs (MULTI, EXEC, DISCARD and RESET are never queued).
  thread_local std::vector<std::string_view> argv;
  ctx.reply.ArrayHeader(tx.commands.size());
  {
    JournaledUnit unit(client.db);
    client.in_exec = true;
    for (const TransactionState::Queued& cmd : tx.commands) {
      tx.ArgsOf(cmd, &argv);
      // As Redis: permissions are checked again, the user may have changed since the queueing.
      if (acl::CheckResult denied;
          !acl::Permitted(ctx.engine, client, *cmd.spec, argv, "multi", ctx.now_ms, &denied)) {
        ctx.reply.Error(acl::ExecNoPermError(denied));
        continue;
      }
      ExecuteCommand(ctx.engine, *cmd.spec, argv, client, ctx.reply, ctx.now_ms);
    }
    client.in_exec = false;
  }
  tx.Discard();
}

}  // namespace

void RegisterTransactionCommands(CommandTable& t) {
  CommandGroup g(t, "transactions", kAclTransaction);
  constexpr uint32_t kFlags = kCmdNoScript | kCmdLoading | kCmdStale | kCmdFast | kCmdAllowBusy;
  g.Add(Command("multi", Multi)
            .Arity(1)
            .Flags(kFlags | kCmdNotQueued)
            .Exec(ExecKind::kConnection)
            .Since("1.2.0")
            .Summary("Starts a transaction."));
  g.Add(Command("exec", Exec)
            .Arity(1)
            .Flags(kCmdNoScript | kCmdLoading | kCmdStale | kCmdSkipSlowlog | kCmdNotQueued)
            .Exec(ExecKind::kTransaction)
            .Acl(kAclSlow)
            .Since("1.2.0")
            .Summary("Executes all commands in a transaction."));
  g.Add(Command("discard", Discard)
            .Arity(1)
            .Flags(kFlags | kCmdNotQueued)
            .Exec(ExecKind::kConnection)
            .Since("2.0.0")
            .Summary("Discards a transaction."));
  g.Add(Command("watch", Watch)
            .Arity(-2)
            .Flags(kFlags | kCmdNotQueued)
            .KeyRange(1, -1, 1, kKeyRO)
            .Since("2.2.0")
            .Summary("Monitors changes to keys to determine the execution of a transaction."));
  g.Add(Command("unwatch", Unwatch)
            .Arity(1)
            .Flags(kFlags)
            .Exec(ExecKind::kConnection)
            .Since("2.2.0")
            .Summary("Forgets about all watched keys of a transaction."));
}

}  // namespace ember
