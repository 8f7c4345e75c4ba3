// CLIENT TRACKING / CACHING / GETREDIR / TRACKINGINFO: client-side caching's settings, with
// Redis 7.0's replies and errors (engine/client_tracking.h does the invalidating).
#include "commands/tracking_commands.h"

#include <string>
#include <vector>

#include "commands/arg_parser.h"
#include "commands/errors.h"
#include "common/numbers.h"
#include "engine/engine.h"

namespace ember {
namespace {

// Redis's check: one prefix of a client may not start another (nor equal it).
bool Overlap(std::string_view a, std::string_view b) {
  return a.starts_with(b) || b.starts_with(a);
}

std::string OverlapError(std::string_view prefix, std::string_view other, bool existing) {
  return "ERR Prefix '" + std::string(prefix) + "' overlaps with " +
         (existing ? "an existing" : "another provided") + " prefix '" + std::string(other) +
         "'. Prefixes for a single client must not overlap.";
}

// Redis's prefix checks; false when the command must stop. Redis 7.0 reports an overlap among
// the new prefixes past the first one and then enables tracking anyway (its check returns the
// index as success): the same two replies here.
bool CheckPrefixes(CommandContext& ctx, const std::vector<std::string>& existing,
                   const std::vector<std::string_view>& prefixes) {
  for (size_t i = 0; i < prefixes.size(); ++i) {
    for (const std::string& old : existing) {
      if (!Overlap(prefixes[i], old)) continue;
      ctx.reply.Error(OverlapError(prefixes[i], old, true));
      return false;
    }
    for (size_t j = i + 1; j < prefixes.size(); ++j) {
      if (!Overlap(prefixes[i], prefixes[j])) continue;
      ctx.reply.Error(OverlapError(prefixes[i], prefixes[j], false));
      return i > 0;
    }
  }
  return true;
}

// CLIENT TRACKING ON|OFF [REDIRECT id] [PREFIX p ...] [BCAST] [OPTIN] [OPTOUT] [NOLOOP]. Runs
// with every shard held (its exec kind), so the BCAST prefixes reach every shard at once.
void Tracking(CommandContext& ctx) {
  ClientState& client = ctx.client;
  TrackingState& t = client.tracking;
  int64_t redirect = 0;
  bool bcast = false, optin = false, optout = false, noloop = false;
  std::vector<std::string_view> prefixes;
  const auto& args = ctx.args;
  for (size_t j = 3; j < args.size(); ++j) {
    bool more = j + 1 < args.size();
    if (EqualsIgnoreCase(args[j], "REDIRECT") && more) {
      ++j;
      if (redirect != 0)
        return ctx.reply.Error("ERR A client can only redirect to a single other client");
      auto id = ParseInt64(args[j]);
      if (!id) return ctx.reply.Error(err::kNotInteger);
      redirect = *id;
      if (redirect <= 0 || !ctx.engine.clients().WorkerOf(static_cast<uint64_t>(redirect)))
        return ctx.reply.Error("ERR The client ID you want redirect to does not exist");
    } else if (EqualsIgnoreCase(args[j], "BCAST")) {
      bcast = true;
    } else if (EqualsIgnoreCase(args[j], "OPTIN")) {
      optin = true;
    } else if (EqualsIgnoreCase(args[j], "OPTOUT")) {
      optout = true;
    } else if (EqualsIgnoreCase(args[j], "NOLOOP")) {
      noloop = true;
    } else if (EqualsIgnoreCase(args[j], "PREFIX") && more) {
      prefixes.push_back(args[++j]);
    } else {
      return ctx.reply.Error(err::kSyntax);
    }
  }
  if (EqualsIgnoreCase(args[2], "OFF")) {
    ctx.engine.tracking().Disable(client);
    return ctx.reply.Ok();
  }
  if (!EqualsIgnoreCase(args[2], "ON")) return ctx.reply.Error(err::kSyntax);
  if (!bcast && !prefixes.empty())
    return ctx.reply.Error("ERR PREFIX option requires BCAST mode to be enabled");
  if (t.on && t.bcast != bcast) {
    return ctx.reply.Error(
        "ERR You can't switch BCAST mode on/off before disabling tracking for this client, and "
        "then re-enabling it with a different mode.");
  }
  if (bcast && (optin || optout))
    return ctx.reply.Error("ERR OPTIN and OPTOUT are not compatible with BCAST");
  if (optin && optout)
    return ctx.reply.Error("ERR You can't specify both OPTIN mode and OPTOUT mode");
  if ((optin && t.optout) || (optout && t.optin)) {
    return ctx.reply.Error(
        "ERR You can't switch OPTIN/OPTOUT mode before disabling tracking for this client, and "
        "then re-enabling it with a different mode.");
  }
  if (bcast && !CheckPrefixes(ctx, t.prefixes, prefixes)) return;
  ctx.engine.tracking().Enable(client, static_cast<uint64_t>(redirect), bcast, optin, optout,
                               noloop, prefixes);
  ctx.reply.Ok();
}

void Caching(CommandContext& ctx) {
  TrackingState& t = ctx.client.tracking;
  if (!t.on) {
    return ctx.reply.Error(
        "ERR CLIENT CACHING can be called only when the client is in tracking mode with OPTIN or "
        "OPTOUT mode enabled");
  }
  std::string_view opt = ctx.args[2];
  if (EqualsIgnoreCase(opt, "YES")) {
    if (!t.optin) {
      return ctx.reply.Error(
          "ERR CLIENT CACHING YES is only valid when tracking is enabled in OPTIN mode.");
    }
  } else if (EqualsIgnoreCase(opt, "NO")) {
    if (!t.optout) {
      return ctx.reply.Error(
          "ERR CLIENT CACHING NO is only valid when tracking is enabled in OPTOUT mode.");
    }
  } else {
    return ctx.reply.Error(err::kSyntax);
  }
  t.caching = true;
  ctx.client.tracking_active = true;
  ctx.reply.Ok();
}

void TrackingInfo(CommandContext& ctx) {
  const TrackingState& t = ctx.client.tracking;
  std::vector<std::string_view> flags;
  flags.push_back(t.on ? "on" : "off");
  if (t.bcast) flags.push_back("bcast");
  if (t.optin) {
    flags.push_back("optin");
    if (t.caching) flags.push_back("caching-yes");
  }
  if (t.optout) {
    flags.push_back("optout");
    if (t.caching) flags.push_back("caching-no");
  }
  if (t.noloop) flags.push_back("noloop");
  if (t.broken_redirect) flags.push_back("broken_redirect");
  ctx.reply.MapHeader(3);
  ctx.reply.Bulk("flags");
  ctx.reply.SetHeader(flags.size());
  for (std::string_view f : flags) ctx.reply.Bulk(f);
  ctx.reply.Bulk("redirect");
  ctx.reply.Integer(t.on ? static_cast<int64_t>(static_cast<uint64_t>(t.redirect)) : -1);
  ctx.reply.Bulk("prefixes");
  ctx.reply.ArrayHeader(t.prefixes.size());
  for (const std::string& p : t.prefixes) ctx.reply.Bulk(p);
}

}  // namespace

bool RunClientTracking(CommandContext& ctx, std::string_view sub) {
  if (EqualsIgnoreCase(sub, "TRACKING")) {
    Tracking(ctx);
  } else if (EqualsIgnoreCase(sub, "CACHING")) {
    Caching(ctx);
  } else if (EqualsIgnoreCase(sub, "GETREDIR")) {
    const TrackingState& t = ctx.client.tracking;
    ctx.reply.Integer(t.on ? static_cast<int64_t>(static_cast<uint64_t>(t.redirect)) : -1);
  } else if (EqualsIgnoreCase(sub, "TRACKINGINFO")) {
    TrackingInfo(ctx);
  } else {
    return false;
  }
  return true;
}

std::string TrackingClientFlags(const ClientState& c) {
  std::string flags;
  if (c.tracking.on) flags += 't';
  if (c.tracking.broken_redirect) flags += 'R';
  if (c.tracking.bcast) flags += 'B';
  return flags;
}

}  // namespace ember
