#include "commands/stream_ops.h"

#include "commands/arg_parser.h"
#include "commands/errors.h"
#include "common/numbers.h"
#include "engine/blocking.h"
#include "engine/engine.h"

namespace ember {

std::optional<StreamId> ParseIdArg(CommandContext& ctx, std::string_view arg, uint64_t missing_seq,
                                   bool strict, bool* seq_given) {
  if (arg.size() == 1 && (arg[0] == '-' || arg[0] == '+')) {
    if (!strict) return arg[0] == '-' ? StreamId{} : StreamId::Max();
    ctx.reply.Error(kInvalidStreamId);
    return std::nullopt;
  }
  if (seq_given != nullptr) {
    *seq_given = true;
    if (arg.size() > 2 && arg.substr(arg.size() - 2) == "-*") {
      auto id = ParseStreamId(arg.substr(0, arg.size() - 2), 0);
      if (id && arg.substr(0, arg.size() - 2).find('-') == std::string_view::npos) {
        *seq_given = false;
        return id;
      }
      ctx.reply.Error(kInvalidStreamId);
      return std::nullopt;
    }
  }
  auto id = ParseStreamId(arg, missing_seq);
  if (!id) ctx.reply.Error(kInvalidStreamId);
  return id;
}

std::optional<StreamId> ParseRangeBound(CommandContext& ctx, std::string_view arg, bool start) {
  bool exclusive = arg.size() > 1 && arg[0] == '(';
  if (!exclusive) return ParseIdArg(ctx, arg, start ? 0 : UINT64_MAX, false);
  auto id = ParseIdArg(ctx, arg.substr(1), start ? 0 : UINT64_MAX, true);
  if (!id) return id;
  if (!(start ? id->Increment() : id->Decrement())) {
    ctx.reply.Error(start ? "ERR invalid start ID for the interval"
                          : "ERR invalid end ID for the interval");
    return std::nullopt;
  }
  return id;
}

void ReplyId(ReplyBuilder& reply, StreamId id) {
  char buf[48];
  char* p = std::to_chars(buf, buf + 24, id.ms).ptr;
  *p++ = '-';
  p = std::to_chars(p, buf + sizeof(buf), id.seq).ptr;
  reply.Bulk(std::string_view(buf, static_cast<size_t>(p - buf)));
}

void ReplyEntry(ReplyBuilder& reply, StreamId id, std::span<const std::string_view> fv) {
  reply.ArrayHeader(2);
  ReplyId(reply, id);
  reply.ArrayHeader(fv.size());
  for (std::string_view s : fv) reply.Bulk(s);
}

size_t ReplyRange(ReplyBuilder& reply, const StreamValue& s, StreamId start, StreamId end,
                  size_t count, bool reverse) {
  // The count comes first on the wire: gather the ids, then reply (entries are small views).
  thread_local std::string body;
  body.clear();
  std::string* saved = reply.output();
  reply.set_output(&body);
  size_t n = 0;
  s.Range(start, end, reverse, [&](StreamId id, std::span<const std::string_view> fv) {
    ReplyEntry(reply, id, fv);
    return ++n != count;
  });
  reply.set_output(saved);
  reply.ArrayHeader(n);
  saved->append(body);
  return n;
}

bool ParseAddOrTrimArgs(CommandContext& ctx, bool xadd, StreamAddArgs* out) {
  auto& args = ctx.args;
  bool limit_given = false;
  size_t i = 2;
  for (; i < args.size(); ++i) {
    size_t more = args.size() - 1 - i;
    std::string_view opt = args[i];
    if (xadd && opt == "*") break;
    bool maxlen = EqualsIgnoreCase(opt, "maxlen");
    if ((maxlen || EqualsIgnoreCase(opt, "minid")) && more > 0) {
      if (out->trim.strategy != TrimStrategy::kNone) {
        ctx.reply.Error(
            "ERR syntax error, MAXLEN and MINID options at the same time are not compatible");
        return false;
      }
      out->trim.approx = false;
      std::string_view next = args[i + 1];
      if (more >= 2 && (next == "~" || next == "=")) {
        out->trim.approx = next == "~";
        ++i;
      }
      if (maxlen) {
        auto n = ParseInt64(args[i + 1]);
        if (!n) {
          ctx.reply.Error(err::kNotInteger);
          return false;
        }
        if (*n < 0) {
          ctx.reply.Error("ERR The MAXLEN argument must be >= 0.");
          return false;
        }
        out->trim.maxlen = static_cast<uint64_t>(*n);
        out->trim.strategy = TrimStrategy::kMaxLen;
      } else {
        auto id = ParseStrictIdArg(ctx, args[i + 1]);
        if (!id) return false;
        out->trim.minid = *id;
        out->trim.strategy = TrimStrategy::kMinId;
      }
      ++i;
      out->threshold_index = i;
    } else if (EqualsIgnoreCase(opt, "limit") && more > 0) {
      auto n = ParseInt64(args[i + 1]);
      if (!n) {
        ctx.reply.Error(err::kNotInteger);
        return false;
      }
      if (*n < 0) {
        ctx.reply.Error("ERR The LIMIT argument must be >= 0.");
        return false;
      }
      out->trim.limit = *n;
      limit_given = true;
      ++i;
    } else if (xadd && EqualsIgnoreCase(opt, "nomkstream")) {
      out->nomkstream = true;
    } else if (xadd) {
      auto id = ParseIdArg(ctx, opt, 0, true, &out->seq_given);
      if (!id) return false;
      out->id = *id;
      out->id_given = true;
      break;
    } else {
      ctx.reply.Error(err::kSyntax);
      return false;
    }
  }
  out->id_index = i;
  if (out->trim.limit != 0 && out->trim.strategy == TrimStrategy::kNone) {
    ctx.reply.Error(
        "ERR syntax error, LIMIT cannot be used without specifying a trimming strategy");
    return false;
  }
  if (!xadd && out->trim.strategy == TrimStrategy::kNone) {
    ctx.reply.Error("ERR syntax error, XTRIM must be called with a trimming strategy");
    return false;
  }
  if (Database::loading()) {
    out->trim.limit = 0;  // a replayed effect: the journal wrote what was really done
  } else if (limit_given) {
    if (!out->trim.approx) {
      ctx.reply.Error("ERR syntax error, LIMIT cannot be used without the special ~ option");
      return false;
    }
  } else {
    out->trim.limit =
        out->trim.approx ? static_cast<int64_t>(100 * StreamValue::node_max_entries) : 0;
    if (out->trim.approx && (out->trim.limit <= 0 || out->trim.limit > 1000000))
      out->trim.limit = 1000000;
  }
  return true;
}

void PropagateTrimEffect(CommandContext& ctx, std::string_view key, const StreamValue& s,
                         TrimStrategy strategy) {
  if (strategy == TrimStrategy::kMaxLen) {
    ctx.Propagate({"XTRIM", key, "MAXLEN"}, static_cast<int64_t>(s.length()));
  } else {
    std::string first = s.first_id().ToString();
    ctx.Propagate({"XTRIM", key, "MINID", first});
  }
}

std::string NoGroupError(std::string_view key, std::string_view group) {
  return "NOGROUP No such consumer group '" + std::string(err::AsCString(group)) +
         "' for key name '" + std::string(err::AsCString(key)) + "'";
}

bool FindStream(CommandContext& ctx, std::string_view key, bool for_read,
                TypedEntry<StreamValue>* out) {
  *out = FindTyped<StreamValue>(ctx.Db(key), key, ctx.now_ms, for_read);
  if (out->wrong_type) {
    ctx.reply.Error(err::kWrongType);
    return false;
  }
  return true;
}

void FinishStreamWrite(CommandContext& ctx, TypedEntry<StreamValue>& found) {
  ctx.Db(found.entry.record->key()).PostUpdate(found.entry);
}

void SignalStreamReady(CommandContext& ctx, std::string_view key) {
  if (g_blocked_clients.load(std::memory_order_relaxed) == 0) return;
  ctx.engine.shard(ctx.engine.ShardOfKey(key)).blocking().WakeAll(ctx.engine, ctx.client.db, key);
}

}  // namespace ember
