// The geo searches: GEOSEARCH, GEOSEARCHSTORE, GEORADIUS, GEORADIUSBYMEMBER and the _RO forms.
// One parser and one search serve them all, with Redis's argument rules and error order (the
// source key's type first, then the centre, the size, the options). The search scans the
// score ranges of up to 9 grid cells around the centre (geo::CellsToSearch) and keeps the
// points inside the shape, in scan order unless ASC/DESC (or COUNT, which implies ASC) sorts
// them by distance. The STORE forms write the destination through StoreZSet, which the
// router runs on the destination's shard even when it is not the source's.
#include <algorithm>
#include <string>
#include <vector>

#include "commands/arg_parser.h"
#include "commands/command.h"
#include "commands/errors.h"
#include "commands/geo_ops.h"
#include "commands/typed_value.h"
#include "commands/zset_ops.h"
#include "common/geohash.h"
#include "common/numbers.h"

namespace ember {
namespace {

enum SearchFlag : uint32_t {
  kFromCoords = 1 << 0,   // GEORADIUS: key lon lat radius unit
  kFromMember = 1 << 1,   // GEORADIUSBYMEMBER: key member radius unit
  kSearch = 1 << 2,       // GEOSEARCH: FROMMEMBER/FROMLONLAT, BYRADIUS/BYBOX options
  kSearchStore = 1 << 3,  // GEOSEARCHSTORE: dst first, STOREDIST as a bare option
  kNoStore = 1 << 4,      // the _RO forms: no STORE/STOREDIST
};

enum class Order : uint8_t { kNone, kAsc, kDesc };

struct Match {
  size_t name_at;
  size_t name_len;
  double score;
  double lon, lat;
  double meters;
};

// The matches of one search; the member names share one buffer (reused between searches).
struct Matches {
  std::vector<Match> points;
  std::string names;

  std::string_view name(const Match& m) const { return {names.data() + m.name_at, m.name_len}; }
  void Clear() {
    points.clear();
    names.clear();
  }
};

// Appends the members of `z` inside `shape`, stopping once `limit` (0: none) were found.
void Collect(const ZSetValue& z, const geo::Shape& shape, size_t limit, Matches* out) {
  geo::SearchCells plan = geo::CellsToSearch(shape);
  auto take = [&](std::string_view member, double score) {
    double lon, lat, meters;
    geo::DecodeScore(score, &lon, &lat);
    if (geo::InShape(shape, lon, lat, &meters)) {
      out->points.push_back(Match{out->names.size(), member.size(), score, lon, lat, meters});
      out->names.append(member);
    }
    return limit == 0 || out->points.size() < limit;
  };
  for (const geo::Cell& cell : plan.cells) {
    if (cell.none()) continue;
    if (limit != 0 && out->points.size() >= limit) break;
    uint64_t min, max;
    geo::CellScores(cell, &min, &max);
    size_t lo = z.CountScoreBelow(static_cast<double>(min), false);
    size_t hi = z.CountScoreBelow(static_cast<double>(max), false);
    if (hi > lo) z.Visit(lo, hi - lo, false, take);
  }
}

bool ParseRadiusOrReply(CommandContext& ctx, size_t at, geo::Shape* shape) {
  auto radius = ParseStrictDouble(ctx.args[at]);
  if (!radius) {
    ctx.reply.Error("ERR need numeric radius");
    return false;
  }
  if (*radius < 0) {
    ctx.reply.Error("ERR radius cannot be negative");
    return false;
  }
  auto unit = ParseUnitOrReply(ctx, ctx.args[at + 1]);
  if (!unit) return false;
  shape->kind = geo::Shape::kRadius;
  shape->radius = *radius;
  shape->to_meters = *unit;
  return true;
}

bool ParseBoxOrReply(CommandContext& ctx, size_t at, geo::Shape* shape) {
  auto width = ParseStrictDouble(ctx.args[at]);
  if (!width) {
    ctx.reply.Error("ERR need numeric width");
    return false;
  }
  auto height = ParseStrictDouble(ctx.args[at + 1]);
  if (!height) {
    ctx.reply.Error("ERR need numeric height");
    return false;
  }
  if (*height < 0 || *width < 0) {
    ctx.reply.Error("ERR height or width cannot be negative");
    return false;
  }
  auto unit = ParseUnitOrReply(ctx, ctx.args[at + 2]);
  if (!unit) return false;
  shape->kind = geo::Shape::kBox;
  shape->width = *width;
  shape->height = *height;
  shape->to_meters = *unit;
  return true;
}

// The centre a member stands for; replies Redis's error when it is not in the set.
bool MemberCentreOrReply(CommandContext& ctx, const ZSetValue& z, std::string_view member,
                         geo::Shape* shape) {
  auto score = z.Score(member);
  if (!score) {
    ctx.reply.Error("ERR could not decode requested zset member");
    return false;
  }
  geo::DecodeScore(*score, &shape->lon, &shape->lat);
  return true;
}

struct Options {
  bool with_dist = false, with_hash = false, with_coord = false;
  bool from_member = false, from_lonlat = false, by_radius = false, by_box = false;
  bool any = false;
  bool store = false, store_dist = false;
  std::string_view store_key;
  Order order = Order::kNone;
  int64_t count = 0;  // 0: all
};

// The options after the fixed arguments, in Redis's rules (an option's arguments must all be
// there, else it is a syntax error; the centre and size of GEOSEARCH are parsed in place).
bool ParseOptionsOrReply(CommandContext& ctx, size_t base, uint32_t flags, const ZSetValue* z,
                         geo::Shape* shape, Options* o) {
  const auto& args = ctx.args;
  size_t n = args.size();
  for (size_t i = base; i < n; ++i) {
    std::string_view w = args[i];
    size_t left = n - i - 1;  // arguments after this one
    if (EqualsIgnoreCase(w, "WITHDIST")) {
      o->with_dist = true;
    } else if (EqualsIgnoreCase(w, "WITHHASH")) {
      o->with_hash = true;
    } else if (EqualsIgnoreCase(w, "WITHCOORD")) {
      o->with_coord = true;
    } else if (EqualsIgnoreCase(w, "ANY")) {
      o->any = true;
    } else if (EqualsIgnoreCase(w, "ASC")) {
      o->order = Order::kAsc;
    } else if (EqualsIgnoreCase(w, "DESC")) {
      o->order = Order::kDesc;
    } else if (EqualsIgnoreCase(w, "COUNT") && left >= 1) {
      auto count = ParseInt64(args[++i]);
      if (!count) {
        ctx.reply.Error(err::kNotInteger);
        return false;
      }
      if (*count <= 0) {
        ctx.reply.Error("ERR COUNT must be > 0");
        return false;
      }
      o->count = *count;
    } else if ((EqualsIgnoreCase(w, "STORE") || EqualsIgnoreCase(w, "STOREDIST")) && left >= 1 &&
               !(flags & (kNoStore | kSearch))) {
      o->store = true;
      o->store_dist = EqualsIgnoreCase(w, "STOREDIST");
      o->store_key = args[++i];
    } else if (EqualsIgnoreCase(w, "STOREDIST") && (flags & kSearchStore)) {
      o->store_dist = true;
    } else if (EqualsIgnoreCase(w, "FROMMEMBER") && left >= 1 && (flags & kSearch) &&
               !o->from_lonlat) {
      // Without a source key there is no member to find: keep parsing, the reply is empty.
      if (z != nullptr && !MemberCentreOrReply(ctx, *z, args[i + 1], shape)) return false;
      o->from_member = true;
      ++i;
    } else if (EqualsIgnoreCase(w, "FROMLONLAT") && left >= 2 && (flags & kSearch) &&
               !o->from_member) {
      if (!ParseLonLatOrReply(ctx, i + 1, &shape->lon, &shape->lat)) return false;
      o->from_lonlat = true;
      i += 2;
    } else if (EqualsIgnoreCase(w, "BYRADIUS") && left >= 2 && (flags & kSearch) && !o->by_box) {
      if (!ParseRadiusOrReply(ctx, i + 1, shape)) return false;
      o->by_radius = true;
      i += 2;
    } else if (EqualsIgnoreCase(w, "BYBOX") && left >= 3 && (flags & kSearch) && !o->by_radius) {
      if (!ParseBoxOrReply(ctx, i + 1, shape)) return false;
      o->by_box = true;
      i += 3;
    } else {
      ctx.reply.Error(err::kSyntax);
      return false;
    }
  }
  if (o->store && (o->with_dist || o->with_hash || o->with_coord)) {
    ctx.reply.Error(flags & kSearchStore
                        ? "ERR GEOSEARCHSTORE is not compatible with WITHDIST, WITHHASH and "
                          "WITHCOORD options"
                        : "ERR STORE option in GEORADIUS is not compatible with WITHDIST, "
                          "WITHHASH and WITHCOORD options");
    return false;
  }
  if ((flags & kSearch) && !(o->from_member || o->from_lonlat)) {
    ctx.reply.Error("ERR exactly one of FROMMEMBER or FROMLONLAT can be specified for " +
                    std::string(args[0]));
    return false;
  }
  if ((flags & kSearch) && !(o->by_radius || o->by_box)) {
    ctx.reply.Error("ERR exactly one of BYRADIUS and BYBOX can be specified for " +
                    std::string(args[0]));
    return false;
  }
  if (o->any && o->count == 0) {
    ctx.reply.Error("ERR the ANY argument requires COUNT argument");
    return false;
  }
  return true;
}

void ReplyMatches(CommandContext& ctx, const Matches& found, size_t returned, const Options& o,
                  double to_meters) {
  ReplyBuilder& r = ctx.reply;
  size_t extras = size_t{o.with_dist} + o.with_hash + o.with_coord;
  r.ArrayHeader(returned);
  for (size_t i = 0; i < returned; ++i) {
    const Match& m = found.points[i];
    if (extras == 0) {
      r.Bulk(found.name(m));
      continue;
    }
    r.ArrayHeader(extras + 1);
    r.Bulk(found.name(m));
    if (o.with_dist) ReplyDistance(r, m.meters / to_meters);
    if (o.with_hash) r.Integer(static_cast<int64_t>(m.score));
    if (o.with_coord) {
      r.ArrayHeader(2);
      ReplyCoordinate(r, m.lon);
      ReplyCoordinate(r, m.lat);
    }
  }
}

void SearchGeneric(CommandContext& ctx, size_t src_at, uint32_t flags) {
  std::string_view src = ctx.args[src_at];
  auto source = FindTyped<ZSetValue>(ctx.Db(src), src, ctx.now_ms, true);
  if (source.wrong_type) return ctx.reply.Error(err::kWrongType);
  const ZSetValue* z = source.value;

  geo::Shape shape;
  Options o;
  size_t base;
  if (flags & kFromCoords) {
    base = 6;
    if (!ParseLonLatOrReply(ctx, 2, &shape.lon, &shape.lat)) return;
    if (!ParseRadiusOrReply(ctx, 4, &shape)) return;
  } else if (flags & kFromMember) {
    base = 5;
    // Without a source key Redis checks neither the member nor the radius.
    if (z != nullptr) {
      if (!MemberCentreOrReply(ctx, *z, ctx.args[2], &shape)) return;
      if (!ParseRadiusOrReply(ctx, 3, &shape)) return;
    }
  } else {
    base = 2;
    if (flags & kSearchStore) {
      base = 3;
      o.store = true;
      o.store_key = ctx.args[1];
    }
  }
  if (!ParseOptionsOrReply(ctx, base, flags, z, &shape, &o)) return;
  std::string_view event = flags & kSearchStore ? "geosearchstore" : "georadiusstore";

  if (z == nullptr) {
    if (o.store) return ctx.reply.Integer(StoreZSet(ctx, o.store_key, event, {}));
    return ctx.reply.ArrayHeader(0);
  }
  // The closest COUNT need an order; ANY takes the first found instead.
  if (o.count != 0 && o.order == Order::kNone && !o.any) o.order = Order::kAsc;

  thread_local Matches found;
  found.Clear();
  Collect(*z, shape, o.any ? static_cast<size_t>(o.count) : 0, &found);
  if (found.points.empty() && !o.store) return ctx.reply.ArrayHeader(0);

  // Stable, as glibc's qsort (a merge sort) that Redis calls is: equal distances keep scan order.
  if (o.order == Order::kAsc) {
    std::stable_sort(found.points.begin(), found.points.end(),
                     [](const Match& a, const Match& b) { return a.meters < b.meters; });
  } else if (o.order == Order::kDesc) {
    std::stable_sort(found.points.begin(), found.points.end(),
                     [](const Match& a, const Match& b) { return a.meters > b.meters; });
  }
  size_t returned = found.points.size();
  if (o.count != 0) returned = std::min(returned, static_cast<size_t>(o.count));

  if (!o.store) return ReplyMatches(ctx, found, returned, o, shape.to_meters);
  std::vector<std::pair<std::string, double>> items;
  items.reserve(returned);
  for (size_t i = 0; i < returned; ++i) {
    const Match& m = found.points[i];
    items.emplace_back(found.name(m), o.store_dist ? m.meters / shape.to_meters : m.score);
  }
  ctx.reply.Integer(StoreZSet(ctx, o.store_key, event, items));
}

void GeoRadius(CommandContext& ctx) {
  SearchGeneric(ctx, 1, kFromCoords);
}
void GeoRadiusRo(CommandContext& ctx) {
  SearchGeneric(ctx, 1, kFromCoords | kNoStore);
}
void GeoRadiusByMember(CommandContext& ctx) {
  SearchGeneric(ctx, 1, kFromMember);
}
void GeoRadiusByMemberRo(CommandContext& ctx) {
  SearchGeneric(ctx, 1, kFromMember | kNoStore);
}
void GeoSearch(CommandContext& ctx) {
  SearchGeneric(ctx, 1, kSearch);
}
void GeoSearchStore(CommandContext& ctx) {
  SearchGeneric(ctx, 2, kSearch | kSearchStore);
}

// GEORADIUS / GEORADIUSBYMEMBER keys: the source, and the destination of each STORE/STOREDIST
// option after the fixed arguments (COUNT's number is skipped, so it is never taken for one).
template <size_t kBase>
void RadiusKeys(std::span<const std::string_view> args, std::vector<size_t>* positions,
                std::vector<uint32_t>* flags) {
  positions->assign({1});
  if (flags != nullptr) flags->assign({kKeyRO | kKeyAccess});
  for (size_t i = kBase; i + 1 < args.size(); ++i) {
    if (EqualsIgnoreCase(args[i], "COUNT")) {
      ++i;
    } else if (EqualsIgnoreCase(args[i], "STORE") || EqualsIgnoreCase(args[i], "STOREDIST")) {
      positions->push_back(++i);
      if (flags != nullptr) flags->push_back(kKeyOW | kKeyUpdate);
    }
  }
}

}  // namespace

void RegisterGeoSearchCommands(CommandTable& t) {
  CommandGroup g(t, "geo", kAclGeo);
  g.Add(Command("georadius", GeoRadius)
            .Arity(-6)
            .Flags(kCmdWrite | kCmdDenyOom)
            .Key(1, kKeyRO | kKeyAccess)
            .FindKeys(RadiusKeys<6>)
            .Since("3.2.0")
            .Summary("Query a sorted set representing a geospatial index to fetch members "
                     "matching a given maximum distance from a point"));
  g.Add(Command("georadius_ro", GeoRadiusRo)
            .Arity(-6)
            .Flags(kCmdReadOnly)
            .Key(1, kKeyRO | kKeyAccess)
            .Since("3.2.10")
            .Summary("A read-only variant for GEORADIUS"));
  g.Add(Command("georadiusbymember", GeoRadiusByMember)
            .Arity(-5)
            .Flags(kCmdWrite | kCmdDenyOom)
            .Key(1, kKeyRO | kKeyAccess)
            .FindKeys(RadiusKeys<5>)
            .Since("3.2.0")
            .Summary("Query a sorted set representing a geospatial index to fetch members "
                     "matching a given maximum distance from a member"));
  g.Add(Command("georadiusbymember_ro", GeoRadiusByMemberRo)
            .Arity(-5)
            .Flags(kCmdReadOnly)
            .Key(1, kKeyRO | kKeyAccess)
            .Since("3.2.10")
            .Summary("A read-only variant for GEORADIUSBYMEMBER"));
  g.Add(Command("geosearch", GeoSearch)
            .Arity(-7)
            .Flags(kCmdReadOnly)
            .Key(1, kKeyRO | kKeyAccess)
            .Since("6.2.0")
            .Summary("Query a sorted set representing a geospatial index to fetch members "
                     "inside an area of a box or a circle."));
  g.Add(Command("geosearchstore", GeoSearchStore)
            .Arity(-8)
            .Flags(kCmdWrite | kCmdDenyOom)
            .Key(1, kKeyOW | kKeyUpdate)
            .Key(2, kKeyRO | kKeyAccess)
            .Since("6.2.0")
            .Summary("Query a sorted set representing a geospatial index to fetch members "
                     "inside an area of a box or a circle, and store the result in another "
                     "key."));
}

}  // namespace ember
