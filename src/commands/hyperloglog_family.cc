// HyperLogLog commands: PFADD, PFCOUNT, PFMERGE, PFDEBUG, PFSELFTEST. The values are plain
// strings in Redis's HYLL format (types/hyperloglog.h), so GET/SET/DUMP carry them as they are.
#include <cstring>
#include <string>

#include "commands/arg_parser.h"
#include "commands/command.h"
#include "commands/errors.h"
#include "engine/engine.h"
#include "types/hyperloglog.h"

namespace ember {
namespace {

constexpr std::string_view kNotHll = "WRONGTYPE Key is not a valid HyperLogLog string value.";
constexpr std::string_view kCorruptHll = "INVALIDOBJ Corrupted HLL object detected";

// Where a sparse value is edited: one per thread, so PFADD on a sparse value allocates nothing.
std::string& Scratch() {
  thread_local std::string scratch;
  return scratch;
}

size_t SparseMaxBytes(CommandContext& ctx) {
  return static_cast<size_t>(std::max<int64_t>(0, ctx.engine.config().hll_sparse_max_bytes));
}

// The key's HyperLogLog bytes, or an error replied (false) when it holds something else.
bool HllBytes(CommandContext& ctx, const Record* r, std::string_view* bytes) {
  if (r->type() != ValueType::kString) {
    ctx.reply.Error(err::kWrongType);
    return false;
  }
  if (r->encoding() != Encoding::kRaw || !hll::LooksValid(r->raw_value())) {
    ctx.reply.Error(kNotHll);
    return false;
  }
  *bytes = r->raw_value();
  return true;
}

// Stores `bytes` as the key's value: in place when the record has room, else in a new record
// (keeping the TTL) with slack for a sparse value's growth.
void StoreHll(Database& db, Database::Entry& entry, std::string_view key, std::string_view bytes) {
  Record* r = entry.record;
  if (r != nullptr && r->encoding() == Encoding::kRaw && bytes.size() <= r->raw_value_capacity()) {
    memcpy(r->raw_value_data(), bytes.data(), bytes.size());
    r->TrySetRawLength(bytes.size());
    db.PostUpdate(entry);
    return;
  }
  size_t capacity = bytes.size() < hll::kDenseSize ? bytes.size() + bytes.size() / 2 : bytes.size();
  int64_t expire = r != nullptr ? r->expire_ms() : 0;
  db.Put(entry, Record::NewStringWithCapacity(key, bytes, capacity, expire));
}

void PfAdd(CommandContext& ctx) {
  std::string_view key = ctx.args[1];
  Database& db = ctx.Db(key);
  auto entry = db.FindMutable(key, ctx.now_ms);
  std::string_view current;
  if (entry && !HllBytes(ctx, entry.record, &current)) return;
  int updated = entry ? 0 : 1;
  auto elements = ctx.args.subspan(2);
  if (entry && hll::EncodingOf(current) == hll::kDense) {
    // Dense values change in place: no copy of the 12 KB.
    char* bytes = entry.record->raw_value_data();
    auto* registers = reinterpret_cast<uint8_t*>(bytes) + hll::kHeaderSize;
    for (std::string_view element : elements) {
      hll::Pattern p = hll::PatternOf(element);
      updated += hll::DenseSet(registers, p.index, p.count);
    }
    if (updated > 0) {
      hll::InvalidateCache(bytes);
      db.PostUpdate(entry);
    }
  } else {
    std::string& hll = Scratch();
    if (entry) {
      hll.assign(current);
    } else {
      hll = hll::NewEmpty();
    }
    size_t sparse_max = SparseMaxBytes(ctx);
    for (std::string_view element : elements) {
      int result = hll::Add(hll, element, sparse_max);
      if (result < 0) return ctx.reply.Error(kCorruptHll);
      updated += result;
    }
    if (updated > 0) {
      hll::InvalidateCache(hll.data());  // a new key's too, as in Redis
      StoreHll(db, entry, key, hll);
    }
  }
  if (updated > 0) ctx.Notify(kNotifyString, "pfadd", key);
  ctx.reply.Integer(updated > 0 ? 1 : 0);
}

// PFCOUNT of one key answers from the cached cardinality, refreshing it when stale (a change to
// the value, as in Redis: WATCH sees it); several keys are counted as their union.
void PfCount(CommandContext& ctx) {
  if (ctx.args.size() > 2) {
    uint8_t max[hll::kRegisters] = {};
    for (size_t i = 1; i < ctx.args.size(); ++i) {
      auto entry = ctx.Db(ctx.args[i]).FindForRead(ctx.args[i], ctx.now_ms);
      if (!entry) continue;
      std::string_view bytes;
      if (!HllBytes(ctx, entry.record, &bytes)) return;
      if (!hll::MergeInto(bytes, max)) return ctx.reply.Error(kCorruptHll);
    }
    return ctx.reply.Integer(static_cast<int64_t>(hll::CountRegisters(max)));
  }
  std::string_view key = ctx.args[1];
  Database& db = ctx.Db(key);
  auto entry = db.FindForRead(key, ctx.now_ms);
  if (!entry) return ctx.reply.Integer(0);
  std::string_view bytes;
  if (!HllBytes(ctx, entry.record, &bytes)) return;
  if (hll::CacheValid(bytes))
    return ctx.reply.Integer(static_cast<int64_t>(hll::CachedCount(bytes)));
  bool invalid = false;
  uint64_t count = hll::Count(bytes, &invalid);
  if (invalid) return ctx.reply.Error(kCorruptHll);
  db.PreUpdate(entry.hash, key);
  hll::SetCachedCount(entry.record->raw_value_data(), count);
  db.PostUpdate(entry);
  ctx.reply.Integer(static_cast<int64_t>(count));
}

// PFMERGE destkey [sourcekey ...]: the destination counts as a source too.
void PfMerge(CommandContext& ctx) {
  uint8_t max[hll::kRegisters] = {};
  bool dense = false;
  for (size_t i = 1; i < ctx.args.size(); ++i) {
    auto entry = ctx.Db(ctx.args[i]).FindForRead(ctx.args[i], ctx.now_ms);
    if (!entry) continue;
    std::string_view bytes;
    if (!HllBytes(ctx, entry.record, &bytes)) return;
    dense = dense || hll::EncodingOf(bytes) == hll::kDense;
    if (!hll::MergeInto(bytes, max)) return ctx.reply.Error(kCorruptHll);
  }
  std::string_view key = ctx.args[1];
  Database& db = ctx.Db(key);
  auto entry = db.FindMutable(key, ctx.now_ms);
  std::string& hll = Scratch();
  if (entry) {
    hll.assign(entry.record->raw_value());
  } else {
    hll = hll::NewEmpty();
  }
  // A dense source makes the result dense at once, as in Redis (same bytes either way).
  if (dense && !hll::ToDense(hll)) return ctx.reply.Error(kCorruptHll);
  size_t sparse_max = SparseMaxBytes(ctx);
  for (uint32_t i = 0; i < hll::kRegisters; ++i) {
    if (max[i] != 0) hll::SetRegister(hll, i, max[i], sparse_max);
  }
  hll::InvalidateCache(hll.data());
  StoreHll(db, entry, key, hll);
  ctx.Notify(kNotifyString, "pfadd", key);
  ctx.reply.Ok();
}

// PFDEBUG GETREG|DECODE|ENCODING|TODENSE key.
void PfDebug(CommandContext& ctx) {
  std::string_view sub = ctx.args[1], key = ctx.args[2];
  Database& db = ctx.Db(key);
  auto entry = db.FindMutable(key, ctx.now_ms);
  if (!entry) return ctx.reply.Error("ERR The specified key does not exist");
  std::string_view bytes;
  if (!HllBytes(ctx, entry.record, &bytes)) return;
  bool sparse = hll::EncodingOf(bytes) == hll::kSparse;
  // GETREG and TODENSE leave the value dense (Redis does; the change is journaled).
  auto make_dense = [&]() -> bool {
    std::string& hll = Scratch();
    hll.assign(bytes);
    if (!hll::ToDense(hll)) return false;
    StoreHll(db, entry, key, hll);
    bytes = entry.record->raw_value();
    return true;
  };
  if (EqualsIgnoreCase(sub, "GETREG")) {
    if (sparse && !make_dense()) return ctx.reply.Error(kCorruptHll);
    const auto* registers = reinterpret_cast<const uint8_t*>(bytes.data()) + hll::kHeaderSize;
    ctx.reply.ArrayHeader(hll::kRegisters);
    for (uint32_t i = 0; i < hll::kRegisters; ++i)
      ctx.reply.Integer(hll::GetDenseRegister(registers, i));
  } else if (EqualsIgnoreCase(sub, "DECODE")) {
    if (!sparse) return ctx.reply.Error("ERR HLL encoding is not sparse");
    std::string text;
    hll::DecodeSparse(bytes, &text);
    ctx.reply.Bulk(text);
  } else if (EqualsIgnoreCase(sub, "ENCODING")) {
    ctx.reply.SimpleString(sparse ? "sparse" : "dense");
  } else if (EqualsIgnoreCase(sub, "TODENSE")) {
    if (sparse && !make_dense()) return ctx.reply.Error(kCorruptHll);
    ctx.reply.Integer(sparse ? 1 : 0);
  } else {
    ctx.reply.Error("ERR Unknown PFDEBUG subcommand '" + std::string(err::AsCString(sub)) + "'");
  }
}

void PfSelfTest(CommandContext& ctx) {
  std::string failure = hll::SelfTest();
  if (!failure.empty()) return ctx.reply.Error("TESTFAILED " + failure);
  ctx.reply.Ok();
}

}  // namespace

void RegisterHyperLogLogCommands(CommandTable& t) {
  CommandGroup g(t, "hyperloglog", kAclHyperLogLog);
  g.Add(Command("pfadd", PfAdd)
            .Arity(-2)
            .Flags(kCmdWrite | kCmdDenyOom | kCmdFast)
            .Key(1, kKeyRW | kKeyInsert)
            .Since("2.8.9")
            .Summary("Adds elements to a HyperLogLog key. Creates the key if it doesn't exist."));
  g.Add(Command("pfcount", PfCount)
            .Arity(-2)
            .Flags(kCmdReadOnly)
            .KeyRange(1, -1, 1, kKeyRW | kKeyAccess)
            .Since("2.8.9")
            .Summary("Returns the approximated cardinality of the set(s) observed by the "
                     "HyperLogLog key(s)."));
  g.Add(Command("pfmerge", PfMerge)
            .Arity(-2)
            .Flags(kCmdWrite | kCmdDenyOom)
            .Key(1, kKeyRW | kKeyAccess | kKeyInsert)
            .KeyRange(2, -1, 1, kKeyRO | kKeyAccess)
            .Since("2.8.9")
            .Summary("Merges one or more HyperLogLog values into a single key."));
  g.Add(Command("pfdebug", PfDebug)
            .Arity(3)
            .Flags(kCmdWrite | kCmdDenyOom | kCmdAdmin)
            .Key(2, kKeyRW | kKeyAccess)
            .Since("2.8.9")
            .Summary("Internal commands for debugging HyperLogLog values."));
  g.Add(Command("pfselftest", PfSelfTest)
            .Arity(1)
            .Flags(kCmdAdmin)
            .Exec(ExecKind::kLocal)
            .Since("2.8.9")
            .Summary("An internal command for testing HyperLogLog values."));
}

}  // namespace ember
