// Geo commands on one key that are no search: GEOADD, GEODIST, GEOHASH, GEOPOS. A geo index is
// a plain sorted set whose scores are 52-bit geohashes (common/geohash.h); GEOADD writes
// through the sorted set like ZADD and, as in Redis, announces itself as "zadd". The searches
// are in geo_search.cc.
#include <cstdio>
#include <string>

#include "commands/arg_parser.h"
#include "commands/command.h"
#include "commands/errors.h"
#include "commands/geo_ops.h"
#include "commands/typed_value.h"
#include "commands/zset_ops.h"
#include "common/geohash.h"
#include "common/numbers.h"

namespace ember {

bool ParseLonLatOrReply(CommandContext& ctx, size_t at, double* lon, double* lat) {
  auto x = ParseStrictDouble(ctx.args[at]);
  auto y = x ? ParseStrictDouble(ctx.args[at + 1]) : std::nullopt;
  if (!x || !y) {
    ctx.reply.Error(err::kNotFloat);
    return false;
  }
  if (!geo::ValidLonLat(*x, *y)) {
    char msg[128];
    snprintf(msg, sizeof(msg), "ERR invalid longitude,latitude pair %f,%f", *x, *y);
    ctx.reply.Error(msg);
    return false;
  }
  *lon = *x;
  *lat = *y;
  return true;
}

std::optional<double> ParseUnitOrReply(CommandContext& ctx, std::string_view unit) {
  if (EqualsIgnoreCase(unit, "m")) return 1.0;
  if (EqualsIgnoreCase(unit, "km")) return 1000.0;
  if (EqualsIgnoreCase(unit, "ft")) return 0.3048;
  if (EqualsIgnoreCase(unit, "mi")) return 1609.34;
  ctx.reply.Error("ERR unsupported unit provided. please use M, KM, FT, MI");
  return std::nullopt;
}

void ReplyCoordinate(ReplyBuilder& reply, double v) {
  // Redis's human long-double format in both protocols: 17 decimals, trailing zeros cut
  // (printf is exact, so "%.17f" of the double is "%.17Lf" of it as a long double).
  char buf[32];  // |v| <= 180
  int len = snprintf(buf, sizeof(buf), "%.17f", v);
  while (len > 0 && buf[len - 1] == '0') --len;
  if (len > 0 && buf[len - 1] == '.') --len;
  std::string_view text(buf, static_cast<size_t>(len));
  reply.DoubleText(text == "-0" ? "0" : text);
}

void ReplyDistance(ReplyBuilder& reply, double v) {
  char buf[400];  // "%.4f" of the largest double is about 315 characters
  int len = snprintf(buf, sizeof(buf), "%.4f", v);
  reply.Bulk(std::string_view(buf, static_cast<size_t>(len)));
}

namespace {

// GEOADD key [NX|XX] [CH] longitude latitude member [longitude latitude member ...]
void GeoAdd(CommandContext& ctx) {
  bool nx = false, xx = false, ch = false;
  size_t first = 2;
  for (; first < ctx.args.size(); ++first) {
    std::string_view w = ctx.args[first];
    if (EqualsIgnoreCase(w, "NX")) {
      nx = true;
    } else if (EqualsIgnoreCase(w, "XX")) {
      xx = true;
    } else if (EqualsIgnoreCase(w, "CH")) {
      ch = true;
    } else {
      break;
    }
  }
  size_t left = ctx.args.size() - first;
  if (left % 3 != 0 || left == 0 || (nx && xx)) return ctx.reply.Error(err::kSyntax);
  size_t elements = left / 3;
  // All points are checked before anything is written.
  thread_local std::vector<double> scores;
  scores.resize(elements);
  size_t max_len = 0;
  for (size_t i = 0; i < elements; ++i) {
    double lon, lat;
    if (!ParseLonLatOrReply(ctx, first + 3 * i, &lon, &lat)) return;
    scores[i] = static_cast<double>(geo::EncodeScore(lon, lat));
    max_len = std::max(max_len, ctx.args[first + 3 * i + 2].size());
  }
  std::string_view key = ctx.args[1];
  Database& db = ctx.Db(key);
  auto found = FindTyped<ZSetValue>(db, key, ctx.now_ms, false);
  if (found.wrong_type) return ctx.reply.Error(err::kWrongType);
  ZSetLimits limits = ZLimits(ctx);
  if (found.value == nullptr && !xx) CreateTyped(db, found, key, elements, max_len, limits);
  int64_t added = 0, updated = 0;
  if (found.value != nullptr) {
    for (size_t i = 0; i < elements; ++i) {
      std::string_view member = ctx.args[first + 3 * i + 2];
      auto current = found.value->Score(member);
      if (current ? nx : xx) continue;
      if (current && *current == scores[i]) continue;
      found.value->Set(member, scores[i], limits);
      ++(current ? updated : added);
    }
  }
  // A key just created and then left empty goes again; a changed one is counted.
  if (found.value != nullptr && (added + updated > 0 || found.value->empty()))
    FinishWrite(db, found);
  if (added + updated > 0) ctx.Notify(kNotifyZset, "zadd", key);
  ctx.reply.Integer(ch ? added + updated : added);
}

// GEODIST key member1 member2 [M|KM|FT|MI]
void GeoDist(CommandContext& ctx) {
  double to_meters = 1;
  if (ctx.args.size() == 5) {
    auto unit = ParseUnitOrReply(ctx, ctx.args[4]);
    if (!unit) return;
    to_meters = *unit;
  } else if (ctx.args.size() > 5) {
    return ctx.reply.Error(err::kSyntax);
  }
  auto found = FindTyped<ZSetValue>(ctx.Db(ctx.args[1]), ctx.args[1], ctx.now_ms, true);
  if (found.wrong_type) return ctx.reply.Error(err::kWrongType);
  if (found.value == nullptr) return ctx.reply.Null();
  auto s1 = found.value->Score(ctx.args[2]);
  auto s2 = s1 ? found.value->Score(ctx.args[3]) : std::nullopt;
  if (!s2) return ctx.reply.Null();
  double lon1, lat1, lon2, lat2;
  geo::DecodeScore(*s1, &lon1, &lat1);
  geo::DecodeScore(*s2, &lon2, &lat2);
  ReplyDistance(ctx.reply, geo::Distance(lon1, lat1, lon2, lat2) / to_meters);
}

// GEOHASH key [member ...]
void GeoHash(CommandContext& ctx) {
  auto found = FindTyped<ZSetValue>(ctx.Db(ctx.args[1]), ctx.args[1], ctx.now_ms, true);
  if (found.wrong_type) return ctx.reply.Error(err::kWrongType);
  ctx.reply.ArrayHeader(ctx.args.size() - 2);
  for (size_t i = 2; i < ctx.args.size(); ++i) {
    auto score = found.value == nullptr ? std::nullopt : found.value->Score(ctx.args[i]);
    if (!score) {
      ctx.reply.Null();
      continue;
    }
    ctx.reply.Bulk(geo::StandardGeohash(*score));
  }
}

// GEOPOS key [member ...]
void GeoPos(CommandContext& ctx) {
  auto found = FindTyped<ZSetValue>(ctx.Db(ctx.args[1]), ctx.args[1], ctx.now_ms, true);
  if (found.wrong_type) return ctx.reply.Error(err::kWrongType);
  ctx.reply.ArrayHeader(ctx.args.size() - 2);
  for (size_t i = 2; i < ctx.args.size(); ++i) {
    auto score = found.value == nullptr ? std::nullopt : found.value->Score(ctx.args[i]);
    if (!score) {
      ctx.reply.NullArray();
      continue;
    }
    double lon, lat;
    geo::DecodeScore(*score, &lon, &lat);
    ctx.reply.ArrayHeader(2);
    ReplyCoordinate(ctx.reply, lon);
    ReplyCoordinate(ctx.reply, lat);
  }
}

}  // namespace

void RegisterGeoCommands(CommandTable& t) {
  CommandGroup g(t, "geo", kAclGeo);
  g.Add(Command("geoadd", GeoAdd)
            .Arity(-5)
            .Flags(kCmdWrite | kCmdDenyOom)
            .Key(1, kKeyRW | kKeyUpdate)
            .Since("3.2.0")
            .Summary("Add one or more geospatial items in the geospatial index represented using "
                     "a sorted set"));
  g.Add(Command("geodist", GeoDist)
            .Arity(-4)
            .Flags(kCmdReadOnly)
            .Key(1, kKeyRO | kKeyAccess)
            .Since("3.2.0")
            .Summary("Returns the distance between two members of a geospatial index"));
  g.Add(Command("geohash", GeoHash)
            .Arity(-2)
            .Flags(kCmdReadOnly)
            .Key(1, kKeyRO | kKeyAccess)
            .Since("3.2.0")
            .Summary("Returns members of a geospatial index as standard geohash strings"));
  g.Add(Command("geopos", GeoPos)
            .Arity(-2)
            .Flags(kCmdReadOnly)
            .Key(1, kKeyRO | kKeyAccess)
            .Since("3.2.0")
            .Summary("Returns longitude and latitude of members of a geospatial index"));
  RegisterGeoSearchCommands(t);
}

}  // namespace ember
