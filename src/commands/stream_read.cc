// XREAD and XREADGROUP: entries after given ids from several streams, optionally blocking
// until an XADD (on any shard, from any client) brings some. A blocked XREAD's `$` is the
// stream's last id when it parked: the re-run after a wake-up reads from there.
#include <string>
#include <vector>

#include "commands/arg_parser.h"
#include "commands/command.h"
#include "commands/errors.h"
#include "commands/stream_ops.h"
#include "common/numbers.h"
#include "engine/blocking.h"
#include "engine/engine.h"

namespace ember {
namespace {

struct ReadArgs {
  bool group_read = false;
  std::string_view group, consumer;
  int64_t count = 0;
  int64_t block_ms = -1;  // -1: no BLOCK
  bool noack = false;
  size_t streams = 0;  // index of the first key
  size_t n = 0;        // how many keys
};

// Walks the options as Redis does; false (with the error replied when `ctx` is not null) on
// a bad one.
bool ParseReadArgs(CommandContext* ctx, std::span<const std::string_view> args, bool group_read,
                   ReadArgs* out) {
  out->group_read = group_read;
  auto fail = [&](std::string_view error) {
    if (ctx != nullptr) ctx->reply.Error(error);
    return false;
  };
  for (size_t i = 1; i < args.size(); ++i) {
    size_t more = args.size() - i - 1;
    std::string_view o = args[i];
    if (EqualsIgnoreCase(o, "block") && more > 0) {
      auto ms = ParseInt64(args[++i]);
      if (!ms) return fail("ERR timeout is not an integer or out of range");
      if (*ms < 0) return fail("ERR timeout is negative");
      out->block_ms = *ms;
    } else if (EqualsIgnoreCase(o, "count") && more > 0) {
      auto n = ParseInt64(args[++i]);
      if (!n) return fail(err::kNotInteger);
      out->count = *n < 0 ? 0 : *n;
    } else if (EqualsIgnoreCase(o, "streams") && more > 0) {
      out->streams = i + 1;
      size_t rest = args.size() - out->streams;
      if (rest % 2 != 0) {
        return fail(group_read ? "ERR Unbalanced XREADGROUP list of streams: for each stream "
                                 "key an ID or '>' must be specified."
                               : "ERR Unbalanced XREAD list of streams: for each stream key an "
                                 "ID or '$' must be specified.");
      }
      out->n = rest / 2;
      break;
    } else if (EqualsIgnoreCase(o, "group") && more >= 2) {
      if (!group_read)
        return fail(
            "ERR The GROUP option is only supported by XREADGROUP. You called XREAD "
            "instead.");
      out->group = args[i + 1];
      out->consumer = args[i + 2];
      i += 2;
    } else if (EqualsIgnoreCase(o, "noack")) {
      if (!group_read)
        return fail(
            "ERR The NOACK option is only supported by XREADGROUP. You called XREAD "
            "instead.");
      out->noack = true;
    } else {
      return fail(err::kSyntax);
    }
  }
  if (out->streams == 0) return fail(err::kSyntax);
  if (group_read && out->group.empty() && out->consumer.empty())
    return fail("ERR Missing GROUP option for XREADGROUP");
  return true;
}

template <bool kGroup>
void ReadKeys(std::span<const std::string_view> args, std::vector<size_t>* positions,
              std::vector<uint32_t>* flags) {
  positions->clear();
  if (flags != nullptr) flags->clear();
  ReadArgs a;
  if (!ParseReadArgs(nullptr, args, kGroup, &a)) return;
  for (size_t i = 0; i < a.n; ++i) {
    positions->push_back(a.streams + i);
    if (flags != nullptr) flags->push_back(kGroup ? kKeyRW | kKeyUpdate : kKeyRO | kKeyAccess);
  }
}

constexpr StreamId kNewEntries = StreamId::Max();  // ">"

// Serves one group read of `s` (Redis's streamReplyWithRange with a group): new entries after
// the group's last id, or the consumer's own history.
void ReplyGroupRead(CommandContext& ctx, StreamValue& s, StreamGroup& group,
                    StreamConsumer& consumer, StreamId after, bool history, const ReadArgs& a,
                    std::string_view key, bool* changed) {
  size_t limit = static_cast<size_t>(a.count);
  StreamId start = after;
  start.Increment();
  ReplyBuilder& r = ctx.reply;
  if (history) {
    std::vector<StreamId> ids;
    for (auto it = consumer.pending.lower_bound(start);
         it != consumer.pending.end() && (limit == 0 || ids.size() < limit); ++it) {
      ids.push_back(*it);
    }
    r.ArrayHeader(ids.size());
    for (StreamId id : ids) {
      bool found = s.Lookup(id, [&](StreamId entry, std::span<const std::string_view> fv) {
        ReplyEntry(r, entry, fv);
        return false;
      });
      if (!found) {
        r.ArrayHeader(2);
        ReplyId(r, id);
        r.NullArray();
        continue;
      }
      PendingEntry* p = group.FindPending(id);
      p->delivery_ms = ctx.now_ms;
      ++p->delivery_count;
      *changed = true;
    }
    return;
  }
  std::vector<StreamId> delivered;
  std::string body;
  std::string* saved = r.output();
  r.set_output(&body);
  s.Range(start, StreamId::Max(), false, [&](StreamId id, std::span<const std::string_view> fv) {
    ReplyEntry(r, id, fv);
    delivered.push_back(id);
    return limit == 0 || delivered.size() < limit;
  });
  r.set_output(saved);
  r.ArrayHeader(delivered.size());
  saved->append(body);
  for (StreamId id : delivered) {
    if (id > group.last_id) {
      if (group.entries_read != kInvalidEntriesRead && !s.RangeHasTombstones(id, StreamId::Max())) {
        ++group.entries_read;
      } else if (s.entries_added() > 0) {
        group.entries_read = s.EstimateEntriesRead(id);
      }
      group.last_id = id;
    }
    if (!a.noack) {
      group.SetPending(id, &consumer, ctx.now_ms, 1);
      if (Journal::enabled()) [[unlikely]] {
        std::string id_text = id.ToString(), time = std::to_string(ctx.now_ms);
        std::string last = group.last_id.ToString();
        ctx.Propagate({"XCLAIM", key, a.group, a.consumer, "0", id_text, "TIME", time, "RETRYCOUNT",
                       "1", "FORCE", "JUSTID", "LASTID", last});
      }
    }
  }
  if (!delivered.empty()) {
    *changed = true;
    if (Journal::enabled()) [[unlikely]] {
      std::string last = group.last_id.ToString();
      ctx.Propagate({"XGROUP", "SETID", key, a.group, last, "ENTRIESREAD"}, group.entries_read);
    }
  }
}

void Read(CommandContext& ctx, bool group_read) {
  ReadArgs a;
  if (!ParseReadArgs(&ctx, ctx.args, group_read, &a)) return;
  std::vector<StreamId> ids(a.n);
  std::vector<TypedEntry<StreamValue>> streams(a.n);
  std::vector<StreamGroup*> groups(a.n, nullptr);
  bool any_dollar = false;
  for (size_t i = 0; i < a.n; ++i) {
    std::string_view key = ctx.args[a.streams + i];
    std::string_view arg = ctx.args[a.streams + a.n + i];
    if (!FindStream(ctx, key, !group_read, &streams[i])) return;
    StreamValue* s = streams[i].value;
    if (group_read) {
      groups[i] = s == nullptr ? nullptr : s->FindGroup(a.group);
      if (groups[i] == nullptr)
        return ctx.reply.Error("NOGROUP No such key '" + std::string(err::AsCString(key)) +
                               "' or consumer group '" + std::string(err::AsCString(a.group)) +
                               "' in XREADGROUP with GROUP option");
    }
    if (arg == "$") {
      if (group_read)
        return ctx.reply.Error(
            "ERR The $ ID is meaningless in the context of XREADGROUP: you want to read the "
            "history of this consumer by specifying a proper ID, or use the > ID to get new "
            "messages. The $ ID would just return an empty result set.");
      ids[i] = s == nullptr ? StreamId{} : s->last_id();
      any_dollar = true;
    } else if (arg == ">") {
      if (!group_read)
        return ctx.reply.Error(
            "ERR The > ID can be specified only when calling XREADGROUP using the GROUP <group> "
            "<consumer> option.");
      ids[i] = kNewEntries;
    } else {
      auto id = ParseStrictIdArg(ctx, arg);
      if (!id) return;
      ids[i] = *id;
    }
  }
  // Which streams can be served now, decided before any reply is written.
  std::vector<size_t> served;
  std::vector<bool> history(a.n, false);
  for (size_t i = 0; i < a.n; ++i) {
    StreamValue* s = streams[i].value;
    if (s == nullptr) continue;
    if (group_read && ids[i] != kNewEntries) {
      history[i] = true;
      served.push_back(i);
    } else if (s->length() > 0) {
      StreamId top;
      s->EdgeId(false, &top);
      StreamId after = group_read ? groups[i]->last_id : ids[i];
      if (top > after) {
        ids[i] = after;
        served.push_back(i);
      }
    }
  }
  if (!served.empty()) {
    ctx.reply.resp3() ? ctx.reply.MapHeader(served.size()) : ctx.reply.ArrayHeader(served.size());
    for (size_t i : served) {
      std::string_view key = ctx.args[a.streams + i];
      if (!ctx.reply.resp3()) ctx.reply.ArrayHeader(2);
      ctx.reply.Bulk(key);
      StreamValue& s = *streams[i].value;
      if (!group_read) {
        StreamId start = ids[i];
        start.Increment();
        ReplyRange(ctx.reply, s, start, StreamId::Max(), static_cast<size_t>(a.count), false);
        continue;
      }
      bool created = false;
      StreamConsumer* consumer = groups[i]->GetConsumer(a.consumer, ctx.now_ms, &created);
      if (created && Journal::enabled()) [[unlikely]]
        ctx.Propagate({"XGROUP", "CREATECONSUMER", key, a.group, a.consumer});
      bool changed = created;
      ReplyGroupRead(ctx, s, *groups[i], *consumer, ids[i], history[i], a, key, &changed);
      if (changed) FinishStreamWrite(ctx, streams[i]);
    }
    return;
  }
  if (a.block_ms < 0) return ctx.reply.NullArray();
  auto keys = ctx.args.subspan(a.streams, a.n);
  BlockClient(ctx, keys, a.block_ms, false);
  if (any_dollar && ctx.client.block_waiter != nullptr) {
    // The re-run must read after the ids of now, not of its own time.
    std::vector<std::string> rewritten(ctx.args.begin(), ctx.args.end());
    for (size_t i = 0; i < a.n; ++i) {
      if (ctx.args[a.streams + a.n + i] == "$") rewritten[a.streams + a.n + i] = ids[i].ToString();
    }
    ctx.client.block_rewritten_args = std::move(rewritten);
  }
}

void XRead(CommandContext& ctx) {
  Read(ctx, false);
}
void XReadGroup(CommandContext& ctx) {
  Read(ctx, true);
}

}  // namespace

void RegisterStreamReadCommands(CommandTable& t) {
  CommandGroup g(t, "stream", kAclStream);
  g.Add(Command("xread", XRead)
            .Arity(-4)
            .Flags(kCmdReadOnly | kCmdBlocking)
            .FindKeys(ReadKeys<false>)
            .Since("5.0.0")
            .Summary("Returns messages from multiple streams with IDs greater than the ones "
                     "requested. Blocks until a message is available otherwise."));
  g.Add(Command("xreadgroup", XReadGroup)
            .Arity(-7)
            .Flags(kCmdWrite | kCmdBlocking)
            .FindKeys(ReadKeys<true>)
            .Since("5.0.0")
            .Summary("Returns new or historical messages from a stream for a consumer in a "
                     "group. Blocks until a message is available otherwise."));
}

}  // namespace ember
