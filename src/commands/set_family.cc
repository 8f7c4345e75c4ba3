// Set commands on one key: SADD/SREM, membership, SCARD, SPOP/SRANDMEMBER, SMEMBERS, SSCAN.
// Commands over several sets (SUNION, SINTER, SDIFF, their STORE forms, SINTERCARD, SMOVE)
// are in set_algebra.cc.
#include <algorithm>
#include <climits>
#include <random>
#include <string>
#include <vector>

#include "commands/arg_parser.h"
#include "commands/command.h"
#include "commands/errors.h"
#include "commands/scan_options.h"
#include "commands/typed_value.h"
#include "common/glob.h"
#include "engine/engine.h"
#include "types/set_value.h"

namespace ember {

void RegisterSetAlgebraCommands(CommandTable& t);

namespace {

constexpr std::string_view kPositiveCount = "ERR value is out of range, must be positive";

SetLimits Limits(CommandContext& ctx) {
  const auto& c = ctx.engine.config();
  return SetLimits{c.set_max_intset_entries, c.set_max_listpack_entries, c.set_max_listpack_value};
}

uint64_t NextRandom() {
  thread_local std::mt19937_64 rng{std::random_device{}()};
  return rng();
}

// All members in a vector with the first `count` of them a uniform random sample (a partial
// Fisher-Yates shuffle).
std::vector<std::string> SampleDistinct(const SetValue& set, size_t count) {
  std::vector<std::string> all;
  all.reserve(set.size());
  set.ForEach([&](std::string_view m) {
    all.emplace_back(m);
    return true;
  });
  for (size_t i = 0; i < count && i + 1 < all.size(); ++i) {
    size_t j = i + NextRandom() % (all.size() - i);
    std::swap(all[i], all[j]);
  }
  return all;
}

// SPOP's random choice is journaled as the removal it made.
void PropagateRemoval(CommandContext& ctx, std::span<const std::string> members) {
  if (!Journal::enabled()) return;
  std::vector<std::string_view> argv = {"SREM", ctx.args[1]};
  argv.insert(argv.end(), members.begin(), members.end());
  ctx.Propagate(std::span<const std::string_view>(argv));
}

void SAdd(CommandContext& ctx) {
  Database& db = ctx.Db(ctx.args[1]);
  auto found = FindTyped<SetValue>(db, ctx.args[1], ctx.now_ms, false);
  if (found.wrong_type) return ctx.reply.Error(err::kWrongType);
  SetLimits limits = Limits(ctx);
  if (found.value == nullptr)
    CreateTyped(db, found, ctx.args[1], ctx.args[2], ctx.args.size() - 2, limits);
  int64_t added = 0;
  for (size_t i = 2; i < ctx.args.size(); ++i) added += found.value->Add(ctx.args[i], limits);
  if (added > 0) {
    FinishWrite(db, found);
    ctx.Notify(kNotifySet, "sadd", ctx.args[1]);
  }
  ctx.reply.Integer(added);
}

void SRem(CommandContext& ctx) {
  Database& db = ctx.Db(ctx.args[1]);
  auto found = FindTyped<SetValue>(db, ctx.args[1], ctx.now_ms, false);
  if (found.wrong_type) return ctx.reply.Error(err::kWrongType);
  if (found.value == nullptr) return ctx.reply.Integer(0);
  int64_t removed = 0;
  for (size_t i = 2; i < ctx.args.size() && !found.value->empty(); ++i) {
    removed += found.value->Remove(ctx.args[i]);
  }
  if (removed > 0) ctx.Notify(kNotifySet, "srem", ctx.args[1], FinishWrite(db, found));
  ctx.reply.Integer(removed);
}

void SCard(CommandContext& ctx) {
  auto found = FindTyped<SetValue>(ctx.Db(ctx.args[1]), ctx.args[1], ctx.now_ms, true);
  if (found.wrong_type) return ctx.reply.Error(err::kWrongType);
  ctx.reply.Integer(found.value == nullptr ? 0 : static_cast<int64_t>(found.value->size()));
}

void SIsMember(CommandContext& ctx) {
  auto found = FindTyped<SetValue>(ctx.Db(ctx.args[1]), ctx.args[1], ctx.now_ms, true);
  if (found.wrong_type) return ctx.reply.Error(err::kWrongType);
  ctx.reply.Integer(found.value != nullptr && found.value->Contains(ctx.args[2]));
}

void SMIsMember(CommandContext& ctx) {
  auto found = FindTyped<SetValue>(ctx.Db(ctx.args[1]), ctx.args[1], ctx.now_ms, true);
  if (found.wrong_type) return ctx.reply.Error(err::kWrongType);
  ctx.reply.ArrayHeader(ctx.args.size() - 2);
  for (size_t i = 2; i < ctx.args.size(); ++i) {
    ctx.reply.Integer(found.value != nullptr && found.value->Contains(ctx.args[i]));
  }
}

void SMembers(CommandContext& ctx) {
  auto found = FindTyped<SetValue>(ctx.Db(ctx.args[1]), ctx.args[1], ctx.now_ms, true);
  if (found.wrong_type) return ctx.reply.Error(err::kWrongType);
  if (found.value == nullptr) return ctx.reply.SetHeader(0);
  ctx.reply.SetHeader(found.value->size());
  found.value->ForEach([&](std::string_view m) {
    ctx.reply.Bulk(m);
    return true;
  });
}

// SPOP key count: a set of distinct members, removed.
void SPopCount(CommandContext& ctx) {
  auto count = ParseInt64(ctx.args[2]);
  if (!count || *count < 0) return ctx.reply.Error(kPositiveCount);
  Database& db = ctx.Db(ctx.args[1]);
  auto found = FindTyped<SetValue>(db, ctx.args[1], ctx.now_ms, false);
  if (found.wrong_type) return ctx.reply.Error(err::kWrongType);
  if (found.value == nullptr || *count == 0) return ctx.reply.SetHeader(0);
  SetValue* set = found.value;
  size_t n = std::min(static_cast<size_t>(*count), set->size());
  ctx.reply.SetHeader(n);
  std::vector<std::string> popped;
  if (n * 2 <= set->size()) {
    // Few members: random picks straight from the encoding.
    popped.reserve(n);
    for (size_t i = 0; i < n; ++i) popped.push_back(set->PopRandom(NextRandom()));
  } else {
    popped = SampleDistinct(*set, n);
    popped.resize(n);  // the sample is the shuffled front
    for (const std::string& member : popped) set->Remove(member);
  }
  for (const std::string& member : popped) ctx.reply.Bulk(member);
  ctx.Notify(kNotifySet, "spop", ctx.args[1], FinishWrite(db, found));
  PropagateRemoval(ctx, popped);
}

void SPop(CommandContext& ctx) {
  if (ctx.args.size() == 3) return SPopCount(ctx);
  if (ctx.args.size() > 3) return ctx.reply.Error(err::kSyntax);
  Database& db = ctx.Db(ctx.args[1]);
  auto found = FindTyped<SetValue>(db, ctx.args[1], ctx.now_ms, false);
  if (found.wrong_type) return ctx.reply.Error(err::kWrongType);
  if (found.value == nullptr) return ctx.reply.Null();
  std::string member = found.value->PopRandom(NextRandom());
  ctx.reply.Bulk(member);
  ctx.Notify(kNotifySet, "spop", ctx.args[1], FinishWrite(db, found));
  PropagateRemoval(ctx, {&member, 1});
}

// SRANDMEMBER key count: positive, distinct members; negative, |count| picks with repeats.
void SRandMemberCount(CommandContext& ctx) {
  auto count = ParseInt64(ctx.args[2]);
  if (!count) return ctx.reply.Error(err::kNotInteger);
  if (*count == LLONG_MIN) return ctx.reply.Error(err::kRandCountRange);
  auto found = FindTyped<SetValue>(ctx.Db(ctx.args[1]), ctx.args[1], ctx.now_ms, true);
  if (found.wrong_type) return ctx.reply.Error(err::kWrongType);
  if (found.value == nullptr || *count == 0) return ctx.reply.ArrayHeader(0);
  const SetValue& set = *found.value;
  if (*count < 0) {
    // The count, not the set, sizes this reply: it stops at the client's output limit (the
    // client is then closed), never building terabytes.
    auto picks = static_cast<size_t>(-*count);
    ctx.reply.ArrayHeader(picks);
    for (size_t i = 0; i < picks && !ctx.reply.Overflowed(); ++i)
      ctx.reply.Bulk(set.RandomMember(NextRandom()));
    return;
  }
  size_t n = std::min(static_cast<size_t>(*count), set.size());
  std::vector<std::string> sample = SampleDistinct(set, n);
  ctx.reply.ArrayHeader(n);
  for (size_t i = 0; i < n; ++i) ctx.reply.Bulk(sample[i]);
}

void SRandMember(CommandContext& ctx) {
  if (ctx.args.size() == 3) return SRandMemberCount(ctx);
  if (ctx.args.size() > 3) return ctx.reply.Error(err::kSyntax);
  auto found = FindTyped<SetValue>(ctx.Db(ctx.args[1]), ctx.args[1], ctx.now_ms, true);
  if (found.wrong_type) return ctx.reply.Error(err::kWrongType);
  if (found.value == nullptr) return ctx.reply.Null();
  ctx.reply.Bulk(found.value->RandomMember(NextRandom()));
}

// SSCAN key cursor [MATCH pattern] [COUNT count]. As in Redis, a missing key answers an empty
// scan before the options are looked at.
void SScan(CommandContext& ctx) {
  auto cursor = ParseUint64(ctx.args[2]);
  if (!cursor) return ctx.reply.Error(err::kInvalidCursor);
  auto found = FindTyped<SetValue>(ctx.Db(ctx.args[1]), ctx.args[1], ctx.now_ms, true);
  if (found.wrong_type) return ctx.reply.Error(err::kWrongType);
  if (found.value == nullptr) return ReplyScan(ctx, 0, {});
  ScanOptions options;
  if (!ParseScanOptions(ctx, 3, false, &options)) return;
  std::vector<std::string> members;
  uint64_t next = found.value->Scan(*cursor, options.count, [&](std::string_view m) {
    if (options.Matches(m)) members.emplace_back(m);
  });
  ReplyScan(ctx, next, members);
}

}  // namespace

void RegisterSetCommands(CommandTable& t) {
  CommandGroup g(t, "set", kAclSet);
  g.Add(Command("sadd", SAdd)
            .Arity(-3)
            .Flags(kCmdWrite | kCmdDenyOom | kCmdFast)
            .Key(1, kKeyRW | kKeyInsert)
            .Since("1.0.0")
            .Summary("Adds one or more members to a set. Creates the key if it doesn't exist."));
  g.Add(Command("srem", SRem)
            .Arity(-3)
            .Flags(kCmdWrite | kCmdFast)
            .Key(1, kKeyRW | kKeyDelete)
            .Since("1.0.0")
            .Summary("Removes one or more members from a set. Deletes the set if the last member "
                     "was removed."));
  g.Add(Command("scard", SCard)
            .Arity(2)
            .Flags(kCmdReadOnly | kCmdFast)
            .Key(1, kKeyRO)
            .Since("1.0.0")
            .Summary("Returns the number of members in a set."));
  g.Add(Command("sismember", SIsMember)
            .Arity(3)
            .Flags(kCmdReadOnly | kCmdFast)
            .Key(1, kKeyRO)
            .Since("1.0.0")
            .Summary("Determines whether a member belongs to a set."));
  g.Add(Command("smismember", SMIsMember)
            .Arity(-3)
            .Flags(kCmdReadOnly | kCmdFast)
            .Key(1, kKeyRO | kKeyAccess)
            .Since("6.2.0")
            .Summary("Determines whether multiple members belong to a set."));
  g.Add(Command("smembers", SMembers)
            .Arity(2)
            .Flags(kCmdReadOnly)
            .Key(1, kKeyRO | kKeyAccess)
            .Since("1.0.0")
            .Summary("Returns all members of a set."));
  g.Add(Command("spop", SPop)
            .Arity(-2)
            .Flags(kCmdWrite | kCmdFast)
            .Key(1, kKeyRW | kKeyAccess | kKeyDelete)
            .Since("1.0.0")
            .Summary("Returns one or more random members from a set after removing them. Deletes "
                     "the set if the last member was popped."));
  g.Add(Command("srandmember", SRandMember)
            .Arity(-2)
            .Flags(kCmdReadOnly)
            .Key(1, kKeyRO | kKeyAccess)
            .Since("1.0.0")
            .Summary("Returns one or more random members from a set."));
  g.Add(Command("sscan", SScan)
            .Arity(-3)
            .Flags(kCmdReadOnly)
            .Key(1, kKeyRO | kKeyAccess)
            .Since("2.8.0")
            .Summary("Iterates over members of a set."));
  RegisterSetAlgebraCommands(t);
}

}  // namespace ember
