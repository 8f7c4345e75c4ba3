// Replication commands: REPLICAOF/SLAVEOF, REPLCONF, PSYNC/SYNC (a replica's handshake), WAIT.
// ROLE: server_family.cc; INFO replication: info.cc. The protocol lives in src/replication.
#include <chrono>
#include <thread>

#include "commands/arg_parser.h"
#include "commands/command.h"
#include "commands/errors.h"
#include "common/clock.h"
#include "common/numbers.h"
#include "engine/engine.h"
#include "engine/journal.h"
#include "engine/turn_commit.h"
#include "replication/replication.h"

namespace ember {
namespace {

void ReplicaOf(CommandContext& ctx) {
  Replication* r = ctx.engine.replication();
  if (r == nullptr) return ctx.reply.Error("ERR replication is not available here");
  if (EqualsIgnoreCase(ctx.args[1], "NO") && EqualsIgnoreCase(ctx.args[2], "ONE")) {
    r->SetMaster("", 0);
    return ctx.reply.Ok();
  }
  auto port = ParseInt64(ctx.args[2]);
  if (!port || *port <= 0 || *port > 65535) return ctx.reply.Error("ERR Invalid master port");
  r->SetMaster(std::string(ctx.args[1]), static_cast<int>(*port));
  ctx.reply.Ok();
}

void ReplConf(CommandContext& ctx) {
  if (ctx.args.size() % 2 == 0) return ctx.reply.Error(err::kSyntax);
  for (size_t i = 1; i + 1 < ctx.args.size(); i += 2) {
    std::string_view option = ctx.args[i];
    if (EqualsIgnoreCase(option, "ACK") || EqualsIgnoreCase(option, "GETACK")) return;  // no reply
    if (EqualsIgnoreCase(option, "listening-port")) {
      auto port = ParseInt64(ctx.args[i + 1]);
      if (!port) return ctx.reply.Error(err::kNotInteger);
      ctx.client.repl_listening_port = static_cast<int>(*port);
    } else if (!EqualsIgnoreCase(option, "capa") && !EqualsIgnoreCase(option, "ip-address") &&
               !EqualsIgnoreCase(option, "rdb-only") &&
               !EqualsIgnoreCase(option, "rdb-filter-only")) {
      return ctx.reply.Error("ERR Unrecognized REPLCONF option: " + std::string(option));
    }
  }
  ctx.reply.Ok();
}

// PSYNC replid offset | SYNC: the connection becomes a replica's, owned by the sender thread.
void Psync(CommandContext& ctx) {
  Replication* r = ctx.engine.replication();
  if (r == nullptr || ctx.client.fd < 0) return ctx.reply.Error("ERR replication is not available");
  bool psync = EqualsIgnoreCase(ctx.args[0], "psync");
  std::string replid;
  int64_t offset = -1;
  if (psync) {
    replid = std::string(ctx.args[1]);
    if (auto parsed = ParseInt64(ctx.args[2])) offset = *parsed;
  }
  std::string ip = ctx.client.addr.substr(0, ctx.client.addr.rfind(':'));
  std::string error;
  if (!r->AcceptReplica(ctx.client.fd, ip, ctx.client.repl_listening_port, replid, offset, psync,
                        &error)) {
    return ctx.reply.Error(error);
  }
  ctx.client.socket_handed_off = true;
  ctx.client.close_after_reply = true;
}

// WAIT numreplicas timeout: the replicas whose ACK covers everything written before it. The
// thread waits (in 1 ms naps) for them: its other clients wait meanwhile.
void Wait(CommandContext& ctx) {
  auto wanted = ParseInt64(ctx.args[1]);
  auto timeout = ParseInt64(ctx.args[2]);
  if (!wanted || !timeout) return ctx.reply.Error(err::kNotInteger);
  if (*timeout < 0) return ctx.reply.Error("ERR timeout is negative");
  Replication* r = ctx.engine.replication();
  if (r == nullptr) return ctx.reply.Integer(0);
  if (r->is_replica()) return ctx.reply.Error("ERR WAIT cannot be used with replica instances.");
  if (Journal* journal = Journal::Current()) turn_commit::HandOver(ctx.engine, *journal);
  uint64_t target = r->stream().offset();
  size_t acked = r->AckedReplicas(target);
  if (acked >= static_cast<size_t>(std::max<int64_t>(*wanted, 0))) return ctx.reply.Integer(acked);
  r->RequestAcks();
  int64_t limit = *timeout == 0 ? 60'000 : *timeout;
  int64_t deadline = MonotonicUs() / 1000 + limit;
  while (MonotonicUs() / 1000 < deadline && !ctx.engine.shutdown_requested()) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
    acked = r->AckedReplicas(target);
    if (acked >= static_cast<size_t>(*wanted)) break;
  }
  ctx.reply.Integer(static_cast<int64_t>(acked));
}

}  // namespace

void RegisterReplicationCommands(CommandTable& t) {
  CommandGroup g(t, "server");
  for (auto [name, since] : {std::pair{"replicaof", "5.0.0"}, std::pair{"slaveof", "1.0.0"}}) {
    g.Add(Command(name, ReplicaOf)
              .Arity(3)
              .Flags(kCmdAdmin | kCmdNoScript | kCmdStale | kCmdNoAsyncLoading)
              .Exec(ExecKind::kLocal)
              .Acl(kAclAdmin | kAclDangerous)
              .Since(since)
              .Summary("Configures a server as replica of another, or promotes it to a master."));
  }
  g.Add(Command("replconf", ReplConf)
            .Arity(-1)
            .Flags(kCmdAdmin | kCmdNoScript | kCmdLoading | kCmdStale | kCmdAllowBusy)
            .Exec(ExecKind::kConnection)
            .Acl(kAclAdmin | kAclDangerous)
            .Since("3.0.0")
            .Summary("An internal command for configuring the replication stream."));
  g.Add(Command("psync", Psync)
            .Arity(-3)
            .Flags(kCmdAdmin | kCmdNoScript | kCmdNoAsyncLoading | kCmdNoMulti)
            .Exec(ExecKind::kConnection)
            .Acl(kAclAdmin | kAclDangerous)
            .Since("2.8.0")
            .Summary("An internal command used in replication."));
  g.Add(Command("sync", Psync)
            .Arity(1)
            .Flags(kCmdAdmin | kCmdNoScript | kCmdNoAsyncLoading | kCmdNoMulti)
            .Exec(ExecKind::kConnection)
            .Acl(kAclAdmin | kAclDangerous)
            .Since("1.0.0")
            .Summary("An internal command used in replication."));
  CommandGroup generic(t, "generic");
  generic.Add(Command("wait", Wait)
                  .Arity(3)
                  .Flags(kCmdNoScript)
                  .Exec(ExecKind::kLocal)
                  .Acl(kAclConnection)
                  .Since("3.0.0")
                  .Summary("Blocks until the asynchronous replication of all preceding write "
                           "commands sent by the connection is completed."));
}

}  // namespace ember
