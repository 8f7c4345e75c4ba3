// SORT and SORT_RO over lists, sets and sorted sets: BY (with nosort), LIMIT, GET, ASC/DESC,
// ALPHA, STORE. BY and GET patterns may name keys on any shard, so SORT runs with every shard
// still (kAllShards); it is never a hot command.
#include <algorithm>
#include <cmath>
#include <optional>
#include <string>
#include <vector>

#include "commands/arg_parser.h"
#include "commands/command.h"
#include "commands/errors.h"
#include "commands/typed_value.h"
#include "common/numbers.h"
#include "engine/engine.h"
#include "types/hash_ref.h"
#include "types/list_value.h"
#include "types/set_value.h"
#include "types/zset_value.h"

namespace ember {
namespace {

struct SortOptions {
  std::string_view by;  // empty: sort by the elements themselves
  bool nosort = false;
  int64_t offset = 0, count = -1;
  std::vector<std::string_view> gets;
  bool desc = false, alpha = false;
  std::string_view store;
};

struct SortItem {
  std::string element;
  std::optional<std::string> by;  // the BY pattern's value, when there is a pattern
  double score = 0;
};

// What an element sorts by: itself, or its BY value (missing: empty).
std::string_view SortKey(const SortOptions& o, const SortItem& item) {
  if (o.by.empty()) return item.element;
  return item.by ? std::string_view(*item.by) : std::string_view();
}

// Reads a string key, or a hash field with "key->field", for a pattern with '*' replaced by
// the element. Missing (or another type): nullopt.
std::optional<std::string> Dereference(CommandContext& ctx, std::string_view pattern,
                                       std::string_view element) {
  if (pattern == "#") return std::string(element);
  size_t star = pattern.find('*');
  if (star == std::string_view::npos) return std::nullopt;
  std::string key(pattern.substr(0, star));
  key.append(element);
  std::string_view rest = pattern.substr(star + 1);
  std::string field;
  size_t arrow = rest.find("->");
  if (arrow != std::string_view::npos && arrow + 2 < rest.size()) {
    key.append(rest.substr(0, arrow));
    field = std::string(rest.substr(arrow + 2));
  } else {
    key.append(rest);
  }
  Database& db = ctx.Db(key);
  auto entry = db.Find(key, ctx.now_ms);
  if (!entry) return std::nullopt;
  const Record* r = entry.record;
  if (field.empty()) {
    if (r->type() != ValueType::kString) return std::nullopt;
    return RecordValueString(r);
  }
  if (r->type() != ValueType::kHash) return std::nullopt;
  return HashRecordGet(r, field);
}

// Parses the options; replies the error and returns false when they are wrong.
bool ParseOptions(CommandContext& ctx, bool read_only, SortOptions* o) {
  ArgParser args(ctx.args, 2);
  while (args.HasNext()) {
    if (args.Eat("ASC")) {
      o->desc = false;
    } else if (args.Eat("DESC")) {
      o->desc = true;
    } else if (args.Eat("ALPHA")) {
      o->alpha = true;
    } else if (args.remaining() >= 3 && args.Eat("LIMIT")) {
      auto offset = ParseInt64(args.Next()), count = ParseInt64(args.Next());
      if (!offset || !count) {
        ctx.reply.Error(err::kNotInteger);
        return false;
      }
      o->offset = *offset;
      o->count = *count;
    } else if (args.remaining() >= 2 && args.Eat("BY")) {
      o->by = args.Next();
      if (o->by.find('*') == std::string_view::npos) o->nosort = true;
    } else if (args.remaining() >= 2 && args.Eat("GET")) {
      o->gets.push_back(args.Next());
    } else if (!read_only && args.remaining() >= 2 && args.Eat("STORE")) {
      o->store = args.Next();
    } else {
      ctx.reply.Error(err::kSyntax);
      return false;
    }
  }
  return true;
}

// The elements of the key, in the type's own order, and the type (a missing key reads as an
// empty list).
bool Collect(CommandContext& ctx, std::vector<std::string>* out, ValueType* type) {
  std::string_view key = ctx.args[1];
  auto entry = ctx.Db(key).Find(key, ctx.now_ms);
  *type = ValueType::kList;
  if (!entry) return true;
  const Record* r = entry.record;
  *type = r->type();
  switch (r->type()) {
    case ValueType::kList:
      static_cast<ListValue*>(r->object())->Scan(false, [&](size_t, std::string_view v) {
        out->emplace_back(v);
        return true;
      });
      return true;
    case ValueType::kSet:
      static_cast<SetValue*>(r->object())->ForEach([&](std::string_view v) {
        out->emplace_back(v);
        return true;
      });
      return true;
    case ValueType::kZSet: {
      auto* z = static_cast<ZSetValue*>(r->object());
      z->Visit(0, z->size(), false, [&](std::string_view m, double) {
        out->emplace_back(m);
        return true;
      });
      return true;
    }
    default:
      ctx.reply.Error(err::kWrongType);
      return false;
  }
}

void SortGeneric(CommandContext& ctx, bool read_only) {
  SortOptions o;
  if (!ParseOptions(ctx, read_only, &o)) return;
  std::vector<std::string> elements;
  ValueType type;
  if (!Collect(ctx, &elements, &type)) return;
  if (o.nosort && type == ValueType::kSet && !o.store.empty()) {
    // As Redis does: a set has no order of its own, so what STORE writes (and replicas would
    // replay) must not depend on its layout. BY without '*' then means ALPHA by the members.
    o.nosort = false;
    o.alpha = true;
    o.by = {};
  }

  if (!o.nosort) {
    std::vector<SortItem> items;
    items.reserve(elements.size());
    for (std::string& e : elements) {
      SortItem item{std::move(e), std::nullopt, 0};
      if (!o.by.empty()) item.by = Dereference(ctx, o.by, item.element);
      if (!o.alpha) {
        std::string_view text = SortKey(o, item);
        if (!o.by.empty() && !item.by) {
          item.score = 0;
        } else {
          auto d = ParseDouble(text);
          if (!d || std::isnan(*d)) {
            return ctx.reply.Error("ERR One or more scores can't be converted into double");
          }
          item.score = *d;
        }
      }
      items.push_back(std::move(item));
    }
    auto less = [&](const SortItem& a, const SortItem& b) {
      int c;
      if (o.alpha) {
        c = SortKey(o, a).compare(SortKey(o, b));
      } else {
        c = a.score < b.score ? -1 : (a.score > b.score ? 1 : 0);
      }
      if (c == 0) c = a.element.compare(b.element);  // ties: the element decides, like Redis
      return o.desc ? c > 0 : c < 0;
    };
    std::stable_sort(items.begin(), items.end(), less);
    elements.clear();
    for (SortItem& item : items) elements.push_back(std::move(item.element));
  } else if (o.desc && type != ValueType::kSet) {
    std::reverse(elements.begin(), elements.end());  // BY nosort: the list's or zset's order, read
  }                                                  // from the tail with DESC

  // LIMIT: Redis clamps a negative offset to 0 and a negative count to "all".
  size_t start = o.offset < 0 ? 0 : static_cast<size_t>(o.offset);
  if (start > elements.size()) start = elements.size();
  size_t end = elements.size();
  if (o.count >= 0 && start + static_cast<size_t>(o.count) < end) {
    end = start + static_cast<size_t>(o.count);
  }

  std::vector<std::optional<std::string>> result;
  for (size_t i = start; i < end; ++i) {
    if (o.gets.empty()) {
      result.emplace_back(elements[i]);
      continue;
    }
    for (std::string_view pattern : o.gets)
      result.push_back(Dereference(ctx, pattern, elements[i]));
  }

  if (!o.store.empty()) {
    Database& db = ctx.Db(o.store);
    auto entry = db.Find(o.store, ctx.now_ms);
    if (result.empty()) {
      if (entry) {
        db.Erase(entry);
        ctx.Notify(kNotifyGeneric, "del", o.store);
      }
      return ctx.reply.Integer(0);
    }
    auto* list = new ListValue(ctx.engine.config().list_max_listpack_size);
    for (const auto& v : result) list->PushBack(v ? *v : "");
    db.Put(entry, Record::NewObject(o.store, ValueType::kList, list, 0));
    ctx.Notify(kNotifyList, "sortstore", o.store);
    return ctx.reply.Integer(static_cast<int64_t>(result.size()));
  }
  ctx.reply.ArrayHeader(result.size());
  for (const auto& v : result) v ? ctx.reply.Bulk(*v) : ctx.reply.Null();
}

void Sort(CommandContext& ctx) {
  SortGeneric(ctx, false);
}
void SortRo(CommandContext& ctx) {
  SortGeneric(ctx, true);
}

}  // namespace

namespace {

// SORT's keys, as Redis's sortGetKeys finds them: the sorted key and STORE's destination (the
// last STORE wins), skipping the arguments of LIMIT, BY and GET (BY/GET patterns are not keys).
void SortKeys(std::span<const std::string_view> args, std::vector<size_t>* positions,
              std::vector<uint32_t>* flags) {
  positions->assign({1});
  if (flags != nullptr) flags->assign({kKeyRO | kKeyAccess});
  size_t store = 0;
  for (size_t i = 2; i < args.size(); ++i) {
    size_t skip = 0;
    if (EqualsIgnoreCase(args[i], "LIMIT")) skip = 2;
    if (EqualsIgnoreCase(args[i], "BY") || EqualsIgnoreCase(args[i], "GET")) skip = 1;
    // Redis records the word after STORE without skipping it: "STORE STORE k" stores to k.
    if (EqualsIgnoreCase(args[i], "STORE") && i + 1 < args.size()) store = i + 1;
    i += skip;
  }
  if (store == 0) return;
  positions->push_back(store);
  if (flags != nullptr) flags->push_back(kKeyOW | kKeyUpdate);
}

void SortRoKeys(std::span<const std::string_view>, std::vector<size_t>* positions,
                std::vector<uint32_t>* flags) {
  positions->assign({1});
  if (flags != nullptr) flags->assign({kKeyRO | kKeyAccess});
}

}  // namespace

void RegisterSortCommands(CommandTable& t) {
  CommandGroup g(t, "generic");
  g.Add(Command("sort", Sort)
            .Arity(-2)
            .Flags(kCmdWrite | kCmdDenyOom)
            .Exec(ExecKind::kAllShards)
            .Key(1, kKeyRO | kKeyAccess)
            .FindKeys(SortKeys)
            .Acl(kAclSet | kAclSortedSet | kAclList | kAclDangerous)
            .Since("1.0.0")
            .Summary("Sorts the elements of a list, set or sorted set."));
  g.Add(Command("sort_ro", SortRo)
            .Arity(-2)
            .Flags(kCmdReadOnly)
            .Exec(ExecKind::kAllShards)
            .Key(1, kKeyRO | kKeyAccess)
            .FindKeys(SortRoKeys)
            .Acl(kAclSet | kAclSortedSet | kAclList | kAclDangerous)
            .Since("7.0.0")
            .Summary("Sorts the elements of a list, set or sorted set (read-only)."));
}

}  // namespace ember
