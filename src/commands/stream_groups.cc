// Consumer group commands: XGROUP (CREATE, SETID, DESTROY, CREATECONSUMER, DELCONSUMER, HELP),
// XACK, XPENDING, XCLAIM and XAUTOCLAIM. Claims are journaled as Redis propagates them: one
// XCLAIM ... FORCE JUSTID LASTID per entry, or XGROUP SETID when only the last id moved.
#include <climits>
#include <vector>

#include "commands/arg_parser.h"
#include "commands/command.h"
#include "commands/errors.h"
#include "commands/stream_ops.h"
#include "common/numbers.h"
#include "engine/engine.h"

namespace ember {
namespace {

std::string NoKeyOrGroup(std::string_view key, std::string_view group) {
  return "NOGROUP No such key '" + std::string(err::AsCString(key)) + "' or consumer group '" +
         std::string(err::AsCString(group)) + "'";
}

// ENTRIESREAD's value: >= 0 or -1.
bool ParseEntriesRead(CommandContext& ctx, std::string_view arg, int64_t* out) {
  auto n = ParseInt64(arg);
  if (!n) {
    ctx.reply.Error(err::kNotInteger);
    return false;
  }
  if (*n < 0 && *n != kInvalidEntriesRead) {
    ctx.reply.Error("ERR value for ENTRIESREAD must be positive or -1");
    return false;
  }
  *out = *n;
  return true;
}

// Redis's addReplySubcommandSyntaxError.
void SubcommandSyntaxError(CommandContext& ctx) {
  ctx.reply.Error("ERR unknown subcommand or wrong number of arguments for '" +
                  std::string(err::AsCString(ctx.args[1]).substr(0, 128)) + "'. Try XGROUP HELP.");
}

void XGroupCreate(CommandContext& ctx, TypedEntry<StreamValue>& found) {
  std::string_view key = ctx.args[2];
  bool mkstream = false;
  int64_t entries_read = kInvalidEntriesRead;
  for (size_t i = 5; i < ctx.args.size(); ++i) {
    if (EqualsIgnoreCase(ctx.args[i], "mkstream")) {
      mkstream = true;
    } else if (EqualsIgnoreCase(ctx.args[i], "entriesread") && i + 1 < ctx.args.size()) {
      if (!ParseEntriesRead(ctx, ctx.args[++i], &entries_read)) return;
    } else {
      return SubcommandSyntaxError(ctx);
    }
  }
  StreamId id;
  if (ctx.args[4] == "$") {
    if (found.value != nullptr) id = found.value->last_id();
  } else {
    auto parsed = ParseStrictIdArg(ctx, ctx.args[4]);
    if (!parsed) return;
    id = *parsed;
  }
  if (found.value == nullptr) {
    if (!mkstream)
      return ctx.reply.Error(
          "ERR The XGROUP subcommand requires the key to exist. Note that for CREATE you may "
          "want to use the MKSTREAM option to create an empty stream automatically.");
    CreateTyped<StreamValue>(ctx.Db(key), found, key);
  }
  if (found.value->CreateGroup(ctx.args[3], id, entries_read) == nullptr) {
    FinishStreamWrite(ctx, found);  // MKSTREAM may have made the key
    return ctx.reply.Error("BUSYGROUP Consumer Group name already exists");
  }
  FinishStreamWrite(ctx, found);
  ctx.reply.Ok();
  ctx.Notify(kNotifyStream, "xgroup-create", key);
}

// XGROUP <sub> key group ...
void XGroup(CommandContext& ctx) {
  std::string_view sub = ctx.args[1];
  if (EqualsIgnoreCase(sub, "help")) {
    ctx.reply.ArrayHeader(2);
    ctx.reply.SimpleString("XGROUP <subcommand> [<arg> [value] [opt] ...]. Subcommands are:");
    ctx.reply.SimpleString("CREATE, SETID, DESTROY, CREATECONSUMER, DELCONSUMER, HELP");
    return;
  }
  bool known = false;
  for (std::string_view name : {"create", "setid", "destroy", "createconsumer", "delconsumer"})
    known |= EqualsIgnoreCase(sub, name);
  if (!known || ctx.args.size() < 4) return ctx.reply.Error(err::UnknownSubcommand("XGROUP", sub));
  std::string_view key = ctx.args[2];
  TypedEntry<StreamValue> found;
  if (!FindStream(ctx, key, false, &found)) return;
  if (EqualsIgnoreCase(sub, "create")) {
    if (ctx.args.size() > 8) return SubcommandSyntaxError(ctx);
    return XGroupCreate(ctx, found);
  }
  if (found.value == nullptr)
    return ctx.reply.Error(
        "ERR The XGROUP subcommand requires the key to exist. Note that for CREATE you may want "
        "to use the MKSTREAM option to create an empty stream automatically.");
  std::string_view name = ctx.args[3];
  StreamGroup* group = found.value->FindGroup(name);
  if (EqualsIgnoreCase(sub, "destroy")) {
    if (group == nullptr) return ctx.reply.Integer(0);
    found.value->DestroyGroup(name);
    FinishStreamWrite(ctx, found);
    ctx.reply.Integer(1);
    return ctx.Notify(kNotifyStream, "xgroup-destroy", key);
  }
  if (group == nullptr) return ctx.reply.Error(NoGroupError(key, name));
  if (EqualsIgnoreCase(sub, "setid")) {
    if (ctx.args.size() != 5 &&
        !(ctx.args.size() == 7 && EqualsIgnoreCase(ctx.args[5], "entriesread")))
      return SubcommandSyntaxError(ctx);
    StreamId id = found.value->last_id();
    if (ctx.args[4] != "$") {
      auto parsed = ParseStrictIdArg(ctx, ctx.args[4]);
      if (!parsed) return;
      id = *parsed;
    }
    int64_t entries_read = kInvalidEntriesRead;
    if (ctx.args.size() == 7 && !ParseEntriesRead(ctx, ctx.args[6], &entries_read)) return;
    group->last_id = id;
    group->entries_read = entries_read;
    FinishStreamWrite(ctx, found);
    ctx.reply.Ok();
    return ctx.Notify(kNotifyStream, "xgroup-setid", key);
  }
  if (EqualsIgnoreCase(sub, "createconsumer")) {
    bool created = false;
    group->GetConsumer(ctx.args[4], ctx.now_ms, &created);
    if (created) {
      FinishStreamWrite(ctx, found);
      ctx.Notify(kNotifyStream, "xgroup-createconsumer", key);
    }
    return ctx.reply.Integer(created ? 1 : 0);
  }
  // DELCONSUMER
  bool existed = group->FindConsumer(ctx.args[4]) != nullptr;
  size_t pending = group->DeleteConsumer(ctx.args[4]);
  if (existed) {
    FinishStreamWrite(ctx, found);
    ctx.Notify(kNotifyStream, "xgroup-delconsumer", key);
  }
  ctx.reply.Integer(static_cast<int64_t>(pending));
}

// XACK key group id [id ...]
void XAck(CommandContext& ctx) {
  TypedEntry<StreamValue> found;
  if (!FindStream(ctx, ctx.args[1], false, &found)) return;
  StreamGroup* group = found.value == nullptr ? nullptr : found.value->FindGroup(ctx.args[2]);
  if (group == nullptr) return ctx.reply.Integer(0);
  std::vector<StreamId> ids;
  for (size_t j = 3; j < ctx.args.size(); ++j) {
    auto id = ParseStrictIdArg(ctx, ctx.args[j]);
    if (!id) return;
    ids.push_back(*id);
  }
  int64_t acked = 0;
  for (StreamId id : ids) acked += group->Ack(id) ? 1 : 0;
  if (acked > 0) FinishStreamWrite(ctx, found);
  ctx.reply.Integer(acked);
}

// XPENDING key group [[IDLE min-idle] start end count [consumer]]
void XPending(CommandContext& ctx) {
  size_t argc = ctx.args.size();
  if (argc != 3 && (argc < 6 || argc > 9)) return ctx.reply.Error(err::kSyntax);
  int64_t min_idle = 0, count = 0;
  StreamId start, end;
  std::string_view consumer_name;
  bool have_consumer = false;
  if (argc >= 6) {
    size_t at = 3;
    if (EqualsIgnoreCase(ctx.args[3], "idle")) {
      auto n = ParseInt64(ctx.args[4]);
      if (!n) return ctx.reply.Error(err::kNotInteger);
      min_idle = *n;
      if (argc < 8) return ctx.reply.Error(err::kSyntax);
      at += 2;
    }
    auto n = ParseInt64(ctx.args[at + 2]);
    if (!n) return ctx.reply.Error(err::kNotInteger);
    count = *n < 0 ? 0 : *n;
    auto s = ParseRangeBound(ctx, ctx.args[at], true);
    if (!s) return;
    auto e = ParseRangeBound(ctx, ctx.args[at + 1], false);
    if (!e) return;
    start = *s;
    end = *e;
    if (at + 3 < argc) {
      consumer_name = ctx.args[at + 3];
      have_consumer = true;
    }
  }
  TypedEntry<StreamValue> found;
  if (!FindStream(ctx, ctx.args[1], true, &found)) return;
  StreamGroup* group = found.value == nullptr ? nullptr : found.value->FindGroup(ctx.args[2]);
  if (group == nullptr) return ctx.reply.Error(NoKeyOrGroup(ctx.args[1], ctx.args[2]));
  ReplyBuilder& r = ctx.reply;
  if (argc == 3) {
    r.ArrayHeader(4);
    r.Integer(static_cast<int64_t>(group->pel().size()));
    if (group->pel().empty()) {
      r.Null();
      r.Null();
      return r.NullArray();
    }
    ReplyId(r, group->pel().begin()->first);
    ReplyId(r, group->pel().rbegin()->first);
    size_t with_pending = 0;
    for (const auto& [name, c] : group->consumers()) with_pending += c.pending.empty() ? 0 : 1;
    r.ArrayHeader(with_pending);
    for (const auto& [name, c] : group->consumers()) {
      if (c.pending.empty()) continue;
      r.ArrayHeader(2);
      r.Bulk(name);
      r.BulkInt(static_cast<int64_t>(c.pending.size()));
    }
    return;
  }
  const StreamConsumer* consumer = nullptr;
  if (have_consumer) {
    consumer = group->FindConsumer(consumer_name);
    if (consumer == nullptr) return r.ArrayHeader(0);
  }
  struct Row {
    StreamId id;
    const PendingEntry* pending;
  };
  std::vector<Row> rows;
  auto take = [&](StreamId id, const PendingEntry& p) {
    if (min_idle != 0 && ctx.now_ms - p.delivery_ms < min_idle) return;
    rows.push_back({id, &p});
  };
  if (consumer != nullptr) {
    for (auto it = consumer->pending.lower_bound(start);
         it != consumer->pending.end() && *it <= end && static_cast<int64_t>(rows.size()) < count;
         ++it) {
      take(*it, group->pel().find(*it)->second);
    }
  } else {
    for (auto it = group->pel().lower_bound(start);
         it != group->pel().end() && it->first <= end && static_cast<int64_t>(rows.size()) < count;
         ++it) {
      take(it->first, it->second);
    }
  }
  r.ArrayHeader(rows.size());
  for (const Row& row : rows) {
    r.ArrayHeader(4);
    ReplyId(r, row.id);
    r.Bulk(row.pending->consumer->name);
    int64_t elapsed = ctx.now_ms - row.pending->delivery_ms;
    r.Integer(elapsed < 0 ? 0 : elapsed);
    r.Integer(static_cast<int64_t>(row.pending->delivery_count));
  }
}

// The journal form of a claim (Redis's streamPropagateXCLAIM).
void PropagateClaim(CommandContext& ctx, const StreamGroup& group, StreamId id,
                    const PendingEntry& p) {
  if (!Journal::enabled()) return;
  std::string id_text = id.ToString(), time = std::to_string(p.delivery_ms);
  std::string count = std::to_string(p.delivery_count), last = group.last_id.ToString();
  ctx.Propagate({"XCLAIM", ctx.args[1], ctx.args[2], p.consumer->name, "0", id_text, "TIME", time,
                 "RETRYCOUNT", count, "FORCE", "JUSTID", "LASTID", last});
}

// A PEL entry whose stream entry was deleted: dropped, and the drop journaled.
void PropagateDroppedClaim(CommandContext& ctx, const StreamGroup& group, StreamId id,
                           std::string_view consumer) {
  if (!Journal::enabled()) return;
  std::string id_text = id.ToString(), last = group.last_id.ToString();
  ctx.Propagate({"XCLAIM", ctx.args[1], ctx.args[2], consumer, "0", id_text, "FORCE", "JUSTID",
                 "LASTID", last});
}

void ReplyClaimed(CommandContext& ctx, const StreamValue& s, StreamId id, bool justid) {
  if (justid) return ReplyId(ctx.reply, id);
  bool found = s.Lookup(id, [&](StreamId entry, std::span<const std::string_view> fv) {
    ReplyEntry(ctx.reply, entry, fv);
    return false;
  });
  if (!found) ctx.reply.Null();
}

bool ParseOptionInt(CommandContext& ctx, std::string_view arg, std::string_view error,
                    int64_t* out) {
  auto n = ParseInt64(arg);
  if (!n) {
    ctx.reply.Error(error);
    return false;
  }
  *out = *n;
  return true;
}

// XCLAIM key group consumer min-idle-time id [id ...] [IDLE ms] [TIME ms] [RETRYCOUNT n]
//   [FORCE] [JUSTID] [LASTID id]
void XClaim(CommandContext& ctx) {
  TypedEntry<StreamValue> found;
  if (!FindStream(ctx, ctx.args[1], false, &found)) return;
  StreamGroup* group = found.value == nullptr ? nullptr : found.value->FindGroup(ctx.args[2]);
  if (group == nullptr) return ctx.reply.Error(NoKeyOrGroup(ctx.args[1], ctx.args[2]));
  int64_t min_idle = 0;
  if (!ParseOptionInt(ctx, ctx.args[4], "ERR Invalid min-idle-time argument for XCLAIM", &min_idle))
    return;
  if (min_idle < 0) min_idle = 0;
  std::vector<StreamId> ids;
  size_t j = 5;
  for (; j < ctx.args.size(); ++j) {
    auto id = ParseStreamId(ctx.args[j], 0);
    if (!id) break;
    ids.push_back(*id);
  }
  int64_t now = ctx.now_ms, delivery = -1, retry = -1;
  bool force = false, justid = false;
  StreamId last_id;
  for (; j < ctx.args.size(); ++j) {
    std::string_view opt = ctx.args[j];
    bool more = j + 1 < ctx.args.size();
    if (EqualsIgnoreCase(opt, "force")) {
      force = true;
    } else if (EqualsIgnoreCase(opt, "justid")) {
      justid = true;
    } else if (EqualsIgnoreCase(opt, "idle") && more) {
      if (!ParseOptionInt(ctx, ctx.args[++j], "ERR Invalid IDLE option argument for XCLAIM",
                          &delivery))
        return;
      delivery = now - delivery;
    } else if (EqualsIgnoreCase(opt, "time") && more) {
      if (!ParseOptionInt(ctx, ctx.args[++j], "ERR Invalid TIME option argument for XCLAIM",
                          &delivery))
        return;
    } else if (EqualsIgnoreCase(opt, "retrycount") && more) {
      if (!ParseOptionInt(ctx, ctx.args[++j], "ERR Invalid RETRYCOUNT option argument for XCLAIM",
                          &retry))
        return;
    } else if (EqualsIgnoreCase(opt, "lastid") && more) {
      auto id = ParseStrictIdArg(ctx, ctx.args[++j]);
      if (!id) return;
      last_id = *id;
    } else {
      return ctx.reply.Error("ERR Unrecognized XCLAIM option '" + std::string(err::AsCString(opt)) +
                             "'");
    }
  }
  bool changed = false, propagate_last_id = false;
  if (last_id > group->last_id) {
    group->last_id = last_id;
    changed = propagate_last_id = true;
  }
  if (delivery == -1 || delivery < 0 || delivery > now) delivery = now;
  StreamValue& s = *found.value;
  StreamConsumer* consumer = nullptr;
  std::string body;
  std::string* saved = ctx.reply.output();
  ctx.reply.set_output(&body);
  size_t claimed = 0;
  for (StreamId id : ids) {
    PendingEntry* p = group->FindPending(id);
    if (!s.Lookup(id, [](StreamId, std::span<const std::string_view>) { return false; })) {
      if (p != nullptr) {
        std::string owner = p->consumer->name;
        group->Ack(id);
        PropagateDroppedClaim(ctx, *group, id, owner);
        changed = true;
        propagate_last_id = false;
      }
      continue;
    }
    bool created = false;
    if (p == nullptr) {
      if (!force) continue;
      created = true;
    } else if (min_idle != 0 && now - p->delivery_ms < min_idle) {
      continue;
    }
    if (consumer == nullptr) consumer = group->GetConsumer(ctx.args[3], now);
    uint64_t count = created ? 1 : p->delivery_count;
    if (retry >= 0) {
      count = static_cast<uint64_t>(retry);
    } else if (!justid) {
      ++count;
    }
    group->SetPending(id, consumer, delivery, count);
    ReplyClaimed(ctx, s, id, justid);
    ++claimed;
    PropagateClaim(ctx, *group, id, *group->FindPending(id));
    changed = true;
    propagate_last_id = false;
  }
  ctx.reply.set_output(saved);
  ctx.reply.ArrayHeader(claimed);
  saved->append(body);
  if (propagate_last_id && Journal::enabled()) {
    std::string last = group->last_id.ToString();
    ctx.Propagate({"XGROUP", "SETID", ctx.args[1], ctx.args[2], last, "ENTRIESREAD"},
                  group->entries_read);
  }
  if (changed) FinishStreamWrite(ctx, found);
}

// XAUTOCLAIM key group consumer min-idle-time start [COUNT count] [JUSTID]
void XAutoClaim(CommandContext& ctx) {
  int64_t min_idle = 0;
  if (!ParseOptionInt(ctx, ctx.args[4], "ERR Invalid min-idle-time argument for XAUTOCLAIM",
                      &min_idle))
    return;
  if (min_idle < 0) min_idle = 0;
  auto start = ParseRangeBound(ctx, ctx.args[5], true);
  if (!start) return;
  int64_t count = 100;
  bool justid = false;
  for (size_t j = 6; j < ctx.args.size(); ++j) {
    if (EqualsIgnoreCase(ctx.args[j], "count") && j + 1 < ctx.args.size()) {
      auto n = ParseInt64(ctx.args[++j]);
      if (!n || *n < 1) return ctx.reply.Error("ERR COUNT must be > 0");
      count = *n;
    } else if (EqualsIgnoreCase(ctx.args[j], "justid")) {
      justid = true;
    } else {
      return ctx.reply.Error(err::kSyntax);
    }
  }
  if (count > LONG_MAX / 10) return ctx.reply.Error("ERR COUNT too big");
  TypedEntry<StreamValue> found;
  if (!FindStream(ctx, ctx.args[1], false, &found)) return;
  StreamGroup* group = found.value == nullptr ? nullptr : found.value->FindGroup(ctx.args[2]);
  if (group == nullptr) return ctx.reply.Error(NoKeyOrGroup(ctx.args[1], ctx.args[2]));
  StreamValue& s = *found.value;
  int64_t attempts = count * 10, now = ctx.now_ms;
  StreamConsumer* consumer = nullptr;
  std::vector<StreamId> deleted;
  std::string body;
  std::string* saved = ctx.reply.output();
  ctx.reply.set_output(&body);
  size_t claimed = 0;
  auto it = group->pel().lower_bound(*start);
  while (attempts-- > 0 && count > 0 && it != group->pel().end()) {
    StreamId id = it->first;
    ++it;  // the next one stays valid whatever happens to this one
    PendingEntry* p = group->FindPending(id);
    if (!s.Lookup(id, [](StreamId, std::span<const std::string_view>) { return false; })) {
      std::string owner = p->consumer->name;
      group->Ack(id);
      PropagateDroppedClaim(ctx, *group, id, owner);
      deleted.push_back(id);
      --count;
      continue;
    }
    if (min_idle != 0 && now - p->delivery_ms < min_idle) continue;
    if (consumer == nullptr) consumer = group->GetConsumer(ctx.args[3], now);
    group->SetPending(id, consumer, now, p->delivery_count + (justid ? 0 : 1));
    ReplyClaimed(ctx, s, id, justid);
    ++claimed;
    --count;
    PropagateClaim(ctx, *group, id, *group->FindPending(id));
  }
  ctx.reply.set_output(saved);
  ctx.reply.ArrayHeader(3);
  ReplyId(ctx.reply, it == group->pel().end() ? StreamId{} : it->first);
  ctx.reply.ArrayHeader(claimed);
  saved->append(body);
  ctx.reply.ArrayHeader(deleted.size());
  for (StreamId id : deleted) ReplyId(ctx.reply, id);
  if (claimed > 0 || !deleted.empty()) FinishStreamWrite(ctx, found);
}

}  // namespace

void RegisterStreamGroupCommands(CommandTable& t) {
  CommandGroup g(t, "stream", kAclStream);
  auto sub = [](std::string_view name, int arity, uint32_t flags, std::string_view summary) {
    return Command(name)
        .Arity(arity)
        .Flags(flags)
        .Key(2, kKeyRW | kKeyUpdate)
        .Since("5.0.0")
        .Summary(summary);
  };
  g.Add(Command("xgroup", XGroup)
            .Arity(-2)
            .Since("5.0.0")
            .Summary("A container for consumer groups commands.")
            .Subcommand(sub("create", -5, kCmdWrite | kCmdDenyOom, "Creates a consumer group."))
            .Subcommand(sub("setid", -5, kCmdWrite, "Sets the last-delivered ID of a group."))
            .Subcommand(sub("destroy", 4, kCmdWrite, "Destroys a consumer group."))
            .Subcommand(sub("createconsumer", 5, kCmdWrite | kCmdDenyOom,
                            "Creates a consumer in a consumer group.")
                            .Since("6.2.0"))
            .Subcommand(sub("delconsumer", 5, kCmdWrite, "Deletes a consumer from a group."))
            .Subcommand(Command("help")
                            .Arity(2)
                            .Flags(kCmdLoading | kCmdStale)
                            .Since("5.0.0")
                            .Summary("Returns helpful text about the different subcommands.")));
  g.Add(Command("xack", XAck)
            .Arity(-4)
            .Flags(kCmdWrite | kCmdFast)
            .Key(1, kKeyRW | kKeyUpdate)
            .Since("5.0.0")
            .Summary("Acknowledges messages of a consumer group."));
  g.Add(Command("xpending", XPending)
            .Arity(-3)
            .Flags(kCmdReadOnly)
            .Key(1, kKeyRO | kKeyAccess)
            .Since("5.0.0")
            .Summary("Returns information about a consumer group's pending messages."));
  g.Add(Command("xclaim", XClaim)
            .Arity(-6)
            .Flags(kCmdWrite | kCmdFast)
            .Key(1, kKeyRW | kKeyUpdate)
            .Since("5.0.0")
            .Summary("Changes the ownership of messages in a consumer group."));
  g.Add(Command("xautoclaim", XAutoClaim)
            .Arity(-6)
            .Flags(kCmdWrite | kCmdFast)
            .Key(1, kKeyRW | kKeyUpdate)
            .Since("6.2.0")
            .Summary("Claims pending messages idle for long enough, as XCLAIM."));
}

}  // namespace ember
