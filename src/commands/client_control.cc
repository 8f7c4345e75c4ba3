#include "commands/client_control.h"

#include <string>

#include "commands/arg_parser.h"
#include "commands/errors.h"
#include "commands/transaction.h"
#include "common/numbers.h"
#include "engine/engine.h"

namespace ember {
namespace {

bool CheckArity(CommandContext& ctx, const char* name, int arity) {
  std::string error;
  if (err::CheckSubcommandArity("client", name, arity, ctx.args.size(), &error)) return true;
  ctx.reply.Error(error);
  return false;
}

// CLIENT PAUSE timeout [WRITE|ALL]: commands of every client (writes only, with WRITE) wait
// unread until the pause ends; replicas would not, but there are none yet.
void Pause(CommandContext& ctx) {
  if (!CheckArity(ctx, "PAUSE", -3)) return;
  auto timeout = ParseInt64(ctx.args[2]);
  if (!timeout) return ctx.reply.Error("ERR timeout is not an integer or out of range");
  if (*timeout < 0) return ctx.reply.Error("ERR timeout is negative");
  bool writes_only = false;
  if (ctx.args.size() == 4) {
    if (EqualsIgnoreCase(ctx.args[3], "WRITE")) {
      writes_only = true;
    } else if (!EqualsIgnoreCase(ctx.args[3], "ALL")) {
      return ctx.reply.Error("ERR CLIENT PAUSE mode must be WRITE or ALL");
    }
  } else if (ctx.args.size() > 4) {
    return ctx.reply.Error(err::kSyntax);
  }
  int64_t until = *timeout > INT64_MAX - ctx.now_ms ? INT64_MAX : ctx.now_ms + *timeout;
  ctx.engine.Pause(until, writes_only, ctx.now_ms);
  ctx.reply.Ok();
}

// CLIENT UNBLOCK id [TIMEOUT|ERROR]: the client's own thread ends the wait (engine side:
// Session::OnUnblockRequest); 1 when it was parked in a blocking command.
void Unblock(CommandContext& ctx) {
  if (!CheckArity(ctx, "UNBLOCK", -3)) return;
  auto id = ParseInt64(ctx.args[2]);
  if (!id) return ctx.reply.Error(err::kNotInteger);
  int request = ClientState::kUnblockTimeout;
  if (ctx.args.size() == 4) {
    if (EqualsIgnoreCase(ctx.args[3], "ERROR")) {
      request = ClientState::kUnblockError;
    } else if (!EqualsIgnoreCase(ctx.args[3], "TIMEOUT")) {
      return ctx.reply.Error("ERR CLIENT UNBLOCK reason should be TIMEOUT or ERROR");
    }
  } else if (ctx.args.size() > 4) {
    return ctx.reply.Error(err::kSyntax);
  }
  int64_t unblocked = 0;
  ctx.engine.clients().ForEach([&](ClientState& c) {
    if (static_cast<int64_t>(c.id) != *id || !c.parked) return;
    int idle = 0;
    if (!c.unblock_request.compare_exchange_strong(idle, request)) return;
    ctx.engine.shard(c.worker).unblocks_pending.store(true, std::memory_order_release);
    ctx.engine.mailbox(c.worker).Wake();
    unblocked = 1;
  });
  ctx.reply.Integer(unblocked);
}

// CLIENT REPLY ON|OFF|SKIP: the session drops replies (engine/session.cc, DropsReply).
void Reply(CommandContext& ctx) {
  if (!CheckArity(ctx, "REPLY", 3)) return;
  std::string_view mode = ctx.args[2];
  if (EqualsIgnoreCase(mode, "ON")) {
    ctx.client.reply_off = false;
    ctx.client.skip_next_reply = false;
    return ctx.reply.Ok();
  }
  if (EqualsIgnoreCase(mode, "OFF")) {
    ctx.client.reply_off = true;
  } else if (EqualsIgnoreCase(mode, "SKIP")) {
    ctx.client.skip_next_reply = true;
  } else {
    return ctx.reply.Error(err::kSyntax);
  }
  ctx.reply.Ok();  // dropped: OFF and SKIP have no reply of their own
}

// CLIENT NO-TOUCH ON|OFF (Redis 7.2).
void NoTouch(CommandContext& ctx) {
  if (!CheckArity(ctx, "NO-TOUCH", 3)) return;
  if (EqualsIgnoreCase(ctx.args[2], "ON")) {
    ctx.client.no_touch = true;
  } else if (EqualsIgnoreCase(ctx.args[2], "OFF")) {
    ctx.client.no_touch = false;
  } else {
    return ctx.reply.Error(err::kSyntax);
  }
  ctx.reply.Ok();
}

}  // namespace

bool RunClientControl(CommandContext& ctx, std::string_view sub) {
  if (EqualsIgnoreCase(sub, "PAUSE")) {
    Pause(ctx);
  } else if (EqualsIgnoreCase(sub, "UNPAUSE")) {
    if (CheckArity(ctx, "UNPAUSE", 2)) {
      ctx.engine.Unpause();
      ctx.reply.Ok();
    }
  } else if (EqualsIgnoreCase(sub, "UNBLOCK")) {
    Unblock(ctx);
  } else if (EqualsIgnoreCase(sub, "REPLY")) {
    Reply(ctx);
  } else if (EqualsIgnoreCase(sub, "NO-TOUCH")) {
    NoTouch(ctx);
  } else {
    return false;
  }
  return true;
}

void Reset(CommandContext& ctx) {
  ClientState& c = ctx.client;
  ctx.engine.pubsub().DropClient(c);      // every subscription, and MONITOR
  ctx.engine.tracking().OnClientGone(c);  // CLIENT TRACKING OFF
  c.db = 0;
  c.resp = 2;
  ctx.reply.set_resp_version(2);
  c.reply_off = false;
  c.skip_next_reply = false;
  c.no_touch = false;
  c.in_multi = false;
  if (c.tx != nullptr) c.tx->Discard();
  ctx.engine.clients().SetName(&c, "");
  // Back to the default user: unauthenticated again while it needs a password.
  c.authenticated = !ctx.engine.password_required();
  ctx.engine.clients().SetUser(&c, nullptr);
  c.acl_generation = 0;  // the next command looks the default user up again
  ctx.reply.SimpleString("RESET");
}

}  // namespace ember
