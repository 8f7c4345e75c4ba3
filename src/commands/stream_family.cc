// Stream commands on entries: XADD, XRANGE, XREVRANGE, XLEN, XDEL, XTRIM, XSETID. Consumer
// groups are in stream_groups.cc, XREAD/XREADGROUP in stream_read.cc, XINFO in stream_info.cc.
#include <vector>

#include "commands/arg_parser.h"
#include "commands/command.h"
#include "commands/errors.h"
#include "commands/stream_ops.h"
#include "common/numbers.h"
#include "engine/engine.h"

namespace ember {
namespace {

// The id XADD gives the entry (Redis's streamAppendItem); false when it would not be above
// the top item.
bool NextId(const StreamValue* s, const StreamAddArgs& a, int64_t now_ms, StreamId* out) {
  StreamId last = s == nullptr ? StreamId{} : s->last_id();
  if (a.id_given && a.seq_given) {
    *out = a.id;
  } else if (a.id_given) {
    if (last.ms == a.id.ms) {
      if (last.seq == UINT64_MAX) return false;
      *out = {last.ms, last.seq + 1};
    } else {
      *out = a.id;
    }
  } else {
    uint64_t ms = static_cast<uint64_t>(now_ms);
    *out = ms > last.ms ? StreamId{ms, 0} : last;
    if (ms <= last.ms && !out->Increment()) return false;
  }
  return *out > last;
}

// XADD key [NOMKSTREAM] [MAXLEN|MINID [=|~] threshold [LIMIT count]] *|id field value ...
void XAdd(CommandContext& ctx) {
  StreamAddArgs a;
  if (!ParseAddOrTrimArgs(ctx, true, &a)) return;
  size_t fields = a.id_index + 1;
  if (ctx.args.size() - a.id_index < 3 || (ctx.args.size() - a.id_index) % 2 == 0)
    return ctx.reply.Error(err::WrongArity("xadd"));
  if (a.id_given && a.seq_given && a.id.zero())
    return ctx.reply.Error("ERR The ID specified in XADD must be greater than 0-0");
  std::string_view key = ctx.args[1];
  TypedEntry<StreamValue> found;
  if (!FindStream(ctx, key, false, &found)) return;
  if (found.value == nullptr && a.nomkstream) return ctx.reply.Null();
  if (found.value != nullptr && found.value->last_id() == StreamId::Max())
    return ctx.reply.Error(
        "ERR The stream has exhausted the last possible ID, unable to add more items");
  StreamId id;
  if (!NextId(found.value, a, ctx.now_ms, &id))
    return ctx.reply.Error(
        "ERR The ID specified in XADD is equal or smaller than the target stream top item");
  Database& db = ctx.Db(key);
  StreamValue* s = found.value;
  if (s == nullptr) s = CreateTyped<StreamValue>(db, found, key);
  s->Append(id, ctx.args.subspan(fields));
  ReplyId(ctx.reply, id);
  ctx.Notify(kNotifyStream, "xadd", key);
  bool trimmed = a.trim.strategy != TrimStrategy::kNone && s->Trim(a.trim) > 0;
  if (trimmed) ctx.Notify(kNotifyStream, "xtrim", key);
  FinishStreamWrite(ctx, found);
  // The journal gets the entry under its real id, then what an approximate trim did.
  if (Journal::enabled() && (!a.id_given || !a.seq_given || a.trim.approx)) [[unlikely]] {
    std::vector<std::string_view> argv(ctx.args.begin(), ctx.args.end());
    std::string id_text = id.ToString();
    argv[a.id_index] = id_text;
    if (a.trim.approx) {
      // MAXLEN/MINID ~ n [LIMIT m] ... -> the plain XADD, then the trim's effect.
      std::vector<std::string_view> plain = {argv[0], argv[1]};
      if (a.nomkstream) plain.push_back("NOMKSTREAM");
      plain.insert(plain.end(), argv.begin() + static_cast<long>(a.id_index), argv.end());
      ctx.Propagate(plain);
      PropagateTrimEffect(ctx, key, *s, a.trim.strategy);
    } else {
      ctx.Propagate(argv);
    }
  }
  SignalStreamReady(ctx, key);
}

// XRANGE key start end [COUNT n], XREVRANGE key end start [COUNT n]
void RangeCommand(CommandContext& ctx, bool reverse) {
  auto start = ParseRangeBound(ctx, ctx.args[reverse ? 3 : 2], true);
  if (!start) return;
  auto end = ParseRangeBound(ctx, ctx.args[reverse ? 2 : 3], false);
  if (!end) return;
  int64_t count = -1;
  for (size_t j = 4; j < ctx.args.size(); ++j) {
    if (EqualsIgnoreCase(ctx.args[j], "count") && j + 1 < ctx.args.size()) {
      auto n = ParseInt64(ctx.args[++j]);
      if (!n) return ctx.reply.Error(err::kNotInteger);
      count = *n < 0 ? 0 : *n;
    } else {
      return ctx.reply.Error(err::kSyntax);
    }
  }
  TypedEntry<StreamValue> found;
  if (!FindStream(ctx, ctx.args[1], true, &found)) return;
  if (found.value == nullptr) return ctx.reply.ArrayHeader(0);
  if (count == 0) return ctx.reply.NullArray();
  ReplyRange(ctx.reply, *found.value, *start, *end, count < 0 ? 0 : static_cast<size_t>(count),
             reverse);
}

void XRange(CommandContext& ctx) {
  RangeCommand(ctx, false);
}
void XRevRange(CommandContext& ctx) {
  RangeCommand(ctx, true);
}

void XLen(CommandContext& ctx) {
  TypedEntry<StreamValue> found;
  if (!FindStream(ctx, ctx.args[1], true, &found)) return;
  ctx.reply.Integer(found.value == nullptr ? 0 : static_cast<int64_t>(found.value->length()));
}

// XDEL key id [id ...]
void XDel(CommandContext& ctx) {
  std::string_view key = ctx.args[1];
  TypedEntry<StreamValue> found;
  if (!FindStream(ctx, key, false, &found)) return;
  if (found.value == nullptr) return ctx.reply.Integer(0);
  std::vector<StreamId> ids;
  for (size_t j = 2; j < ctx.args.size(); ++j) {
    auto id = ParseStrictIdArg(ctx, ctx.args[j]);
    if (!id) return;
    ids.push_back(*id);
  }
  int64_t deleted = 0;
  for (StreamId id : ids) deleted += found.value->Delete(id) ? 1 : 0;
  if (deleted > 0) {
    FinishStreamWrite(ctx, found);
    ctx.Notify(kNotifyStream, "xdel", key);
  }
  ctx.reply.Integer(deleted);
}

// XTRIM key MAXLEN|MINID [=|~] threshold [LIMIT count]
void XTrim(CommandContext& ctx) {
  std::string_view key = ctx.args[1];
  TypedEntry<StreamValue> found;
  if (!FindStream(ctx, key, false, &found)) return;
  if (found.value == nullptr) return ctx.reply.Integer(0);
  StreamAddArgs a;
  if (!ParseAddOrTrimArgs(ctx, false, &a)) return;
  int64_t deleted = found.value->Trim(a.trim);
  if (deleted > 0) {
    FinishStreamWrite(ctx, found);
    ctx.Notify(kNotifyStream, "xtrim", key);
    if (a.trim.approx) PropagateTrimEffect(ctx, key, *found.value, a.trim.strategy);
  }
  ctx.reply.Integer(deleted);
}

// XSETID key last-id [ENTRIESADDED n] [MAXDELETEDID id]
void XSetId(CommandContext& ctx) {
  auto id = ParseStrictIdArg(ctx, ctx.args[2]);
  if (!id) return;
  int64_t entries_added = -1;
  StreamId max_deleted;
  for (size_t i = 3; i < ctx.args.size(); i += 2) {
    bool more = i + 1 < ctx.args.size();
    if (EqualsIgnoreCase(ctx.args[i], "entriesadded") && more) {
      auto n = ParseInt64(ctx.args[i + 1]);
      if (!n) return ctx.reply.Error(err::kNotInteger);
      if (*n < 0) return ctx.reply.Error("ERR entries_added must be positive");
      entries_added = *n;
    } else if (EqualsIgnoreCase(ctx.args[i], "maxdeletedid") && more) {
      auto md = ParseStrictIdArg(ctx, ctx.args[i + 1]);
      if (!md) return;
      if (*id < *md)
        return ctx.reply.Error(
            "ERR The ID specified in XSETID is smaller than the provided max_deleted_entry_id");
      max_deleted = *md;
    } else {
      return ctx.reply.Error(err::kSyntax);
    }
  }
  std::string_view key = ctx.args[1];
  TypedEntry<StreamValue> found;
  if (!FindStream(ctx, key, false, &found)) return;
  if (found.value == nullptr) return ctx.reply.Error(err::kNoSuchKey);
  StreamValue* s = found.value;
  if (*id < s->max_deleted_id())
    return ctx.reply.Error(
        "ERR The ID specified in XSETID is smaller than current max_deleted_entry_id");
  if (s->length() > 0) {
    StreamId top;
    s->EdgeId(false, &top);
    if (*id < top)
      return ctx.reply.Error(
          "ERR The ID specified in XSETID is smaller than the target stream top item");
    if (entries_added != -1 && s->length() > static_cast<uint64_t>(entries_added))
      return ctx.reply.Error(
          "ERR The entries_added specified in XSETID is smaller than the target stream length");
  }
  s->set_last_id(*id);
  if (entries_added != -1) s->set_entries_added(static_cast<uint64_t>(entries_added));
  if (!max_deleted.zero()) s->set_max_deleted_id(max_deleted);
  FinishStreamWrite(ctx, found);
  ctx.reply.Ok();
  ctx.Notify(kNotifyStream, "xsetid", key);
}

}  // namespace

void RegisterStreamGroupCommands(CommandTable& t);
void RegisterStreamReadCommands(CommandTable& t);
void RegisterStreamInfoCommands(CommandTable& t);

void RegisterStreamCommands(CommandTable& t) {
  CommandGroup g(t, "stream", kAclStream);
  g.Add(Command("xadd", XAdd)
            .Arity(-5)
            .Flags(kCmdWrite | kCmdDenyOom | kCmdFast)
            .Key(1, kKeyRW | kKeyUpdate)
            .Since("5.0.0")
            .Summary("Appends a new message to a stream. Creates the key if it doesn't exist."));
  g.Add(Command("xrange", XRange)
            .Arity(-4)
            .Flags(kCmdReadOnly)
            .Key(1, kKeyRO | kKeyAccess)
            .Since("5.0.0")
            .Summary("Returns the messages from a stream within a range of IDs."));
  g.Add(Command("xrevrange", XRevRange)
            .Arity(-4)
            .Flags(kCmdReadOnly)
            .Key(1, kKeyRO | kKeyAccess)
            .Since("5.0.0")
            .Summary("Returns the messages from a stream within a range of IDs in reverse order."));
  g.Add(Command("xlen", XLen)
            .Arity(2)
            .Flags(kCmdReadOnly | kCmdFast)
            .Key(1, kKeyRO)
            .Since("5.0.0")
            .Summary("Return the number of messages in a stream."));
  g.Add(Command("xdel", XDel)
            .Arity(-3)
            .Flags(kCmdWrite | kCmdFast)
            .Key(1, kKeyRW | kKeyDelete)
            .Since("5.0.0")
            .Summary("Returns the number of messages after removing them from a stream."));
  g.Add(Command("xtrim", XTrim)
            .Arity(-4)
            .Flags(kCmdWrite)
            .Key(1, kKeyRW | kKeyDelete)
            .Since("5.0.0")
            .Summary("Deletes messages from the beginning of a stream."));
  g.Add(Command("xsetid", XSetId)
            .Arity(-3)
            .Flags(kCmdWrite | kCmdDenyOom | kCmdFast)
            .Key(1, kKeyRW | kKeyUpdate)
            .Since("5.0.0")
            .Summary("An internal command for replicating stream values."));
  RegisterStreamGroupCommands(t);
  RegisterStreamReadCommands(t);
  RegisterStreamInfoCommands(t);
}

}  // namespace ember
