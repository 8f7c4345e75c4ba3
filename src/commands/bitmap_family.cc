// Bitmap commands on string values: SETBIT, GETBIT, BITCOUNT, BITPOS, BITOP. (BITFIELD is in
// bitfield_command.cc; the bit arithmetic itself in types/bitmap.)
#include <algorithm>
#include <string>
#include <vector>

#include "commands/arg_parser.h"
#include "commands/bit_args.h"
#include "commands/command.h"
#include "commands/errors.h"
#include "commands/string_bytes.h"
#include "common/numbers.h"
#include "engine/engine.h"
#include "types/bitmap.h"

namespace ember {
namespace {

constexpr std::string_view kBitValue = "ERR bit is not an integer or out of range";
constexpr std::string_view kBitArgument = "ERR The bit argument must be 1 or 0.";
constexpr std::string_view kBitOpNot = "ERR BITOP NOT must be called with a single source key.";

bool IsString(const Record* r) {
  return r->type() == ValueType::kString;
}

void SetBit(CommandContext& ctx) {
  uint64_t offset;
  if (!ParseBitOffset(ctx, ctx.args[2], false, 0, &offset)) return;
  auto on = ParseInt64(ctx.args[3]);
  if (!on || (*on & ~int64_t{1}) != 0) return ctx.reply.Error(kBitValue);
  std::string_view key = ctx.args[1];
  Database& db = ctx.Db(key);
  auto entry = db.FindMutable(key, ctx.now_ms);
  if (entry && !IsString(entry.record)) return ctx.reply.Error(err::kWrongType);
  size_t need = static_cast<size_t>(offset >> 3) + 1;
  bool old = false;
  if (entry) {
    char buf[kStringIntBufSize];
    std::string_view value = StringBytes(entry.record, buf);
    old = bitmap::GetBit(value, offset);
    // Nothing changes: like Redis 7.0, no write, no event, no WATCH trigger.
    if (old == (*on == 1) && need <= value.size()) return ctx.reply.Integer(old);
  }
  size_t len;
  uint8_t* bytes = WritableStringBytes(db, entry, key, need, &len);
  bitmap::SetBit(bytes, offset, *on == 1);
  db.PostUpdate(entry);
  ctx.Notify(kNotifyString, "setbit", key);
  ctx.reply.Integer(old);
}

void GetBit(CommandContext& ctx) {
  uint64_t offset;
  if (!ParseBitOffset(ctx, ctx.args[2], false, 0, &offset)) return;
  auto entry = ctx.Db(ctx.args[1]).FindForRead(ctx.args[1], ctx.now_ms);
  if (!entry) return ctx.reply.Integer(0);
  if (!IsString(entry.record)) return ctx.reply.Error(err::kWrongType);
  char buf[kStringIntBufSize];
  ctx.reply.Integer(bitmap::GetBit(StringBytes(entry.record, buf), offset));
}

// A BITCOUNT/BITPOS range's unit word: false (with a syntax error replied) for another word.
bool ParseRangeUnit(CommandContext& ctx, std::string_view word, bool* in_bits) {
  if (EqualsIgnoreCase(word, "BIT")) {
    *in_bits = true;
  } else if (EqualsIgnoreCase(word, "BYTE")) {
    *in_bits = false;
  } else {
    ctx.reply.Error(err::kSyntax);
    return false;
  }
  return true;
}

// Redis's range rules for BITCOUNT/BITPOS: negative indexes count from the end (then clamped
// to 0), an end past the last unit is clamped to it. `total` is the length in units.
void ClampRange(int64_t total, int64_t* start, int64_t* end) {
  if (*start < 0) *start = std::max<int64_t>(0, total + *start);
  if (*end < 0) *end = std::max<int64_t>(0, total + *end);
  if (*end >= total) *end = total - 1;
}

// BITCOUNT key [start end [BYTE|BIT]]: as in Redis 7.0, a missing key answers 0 before the
// arguments are looked at.
void BitCount(CommandContext& ctx) {
  auto entry = ctx.Db(ctx.args[1]).FindForRead(ctx.args[1], ctx.now_ms);
  if (!entry) return ctx.reply.Integer(0);
  if (!IsString(entry.record)) return ctx.reply.Error(err::kWrongType);
  char buf[kStringIntBufSize];
  std::string_view value = StringBytes(entry.record, buf);
  size_t argc = ctx.args.size();
  if (argc == 2) return ctx.reply.Integer(static_cast<int64_t>(bitmap::CountBits(value)));
  if (argc != 4 && argc != 5) return ctx.reply.Error(err::kSyntax);
  auto start = ParseInt64(ctx.args[2]);
  if (!start) return ctx.reply.Error(err::kNotInteger);
  auto end = ParseInt64(ctx.args[3]);
  if (!end) return ctx.reply.Error(err::kNotInteger);
  if (*start < 0 && *end < 0 && *start > *end) return ctx.reply.Integer(0);
  bool in_bits = false;
  if (argc == 5 && !ParseRangeUnit(ctx, ctx.args[4], &in_bits)) return;
  int64_t s = *start, e = *end;
  int64_t total = static_cast<int64_t>(value.size()) * (in_bits ? 8 : 1);
  ClampRange(total, &s, &e);
  if (s > e) return ctx.reply.Integer(0);
  if (!in_bits) {
    auto bytes = value.substr(static_cast<size_t>(s), static_cast<size_t>(e - s + 1));
    return ctx.reply.Integer(static_cast<int64_t>(bitmap::CountBits(bytes)));
  }
  // Whole bytes in the middle by popcount, the partial edge bytes bit by bit (signed, so
  // `last` may step below 0).
  int64_t first = s, last = e;
  uint64_t count = 0;
  while (first <= last && (first & 7) != 0) count += bitmap::GetBit(value, first++);
  while (first <= last && (last & 7) != 7) count += bitmap::GetBit(value, last--);
  if (first <= last) {
    count += bitmap::CountBits(value.substr(first >> 3, ((last - first) >> 3) + 1));
  }
  ctx.reply.Integer(static_cast<int64_t>(count));
}

// BITPOS key bit [start [end [BYTE|BIT]]].
void BitPos(CommandContext& ctx) {
  auto bit = ParseInt64(ctx.args[2]);
  if (!bit) return ctx.reply.Error(err::kNotInteger);
  if (*bit != 0 && *bit != 1) return ctx.reply.Error(kBitArgument);
  auto entry = ctx.Db(ctx.args[1]).FindForRead(ctx.args[1], ctx.now_ms);
  // A missing key is an endless run of zeros.
  if (!entry) return ctx.reply.Integer(*bit ? -1 : 0);
  if (!IsString(entry.record)) return ctx.reply.Error(err::kWrongType);
  char buf[kStringIntBufSize];
  std::string_view value = StringBytes(entry.record, buf);
  size_t argc = ctx.args.size();
  if (argc > 6) return ctx.reply.Error(err::kSyntax);
  int64_t s = 0, e = static_cast<int64_t>(value.size()) - 1;
  bool in_bits = false, end_given = false;
  if (argc >= 4) {
    auto start = ParseInt64(ctx.args[3]);
    if (!start) return ctx.reply.Error(err::kNotInteger);
    if (argc == 6 && !ParseRangeUnit(ctx, ctx.args[5], &in_bits)) return;
    s = *start;
    if (argc >= 5) {
      auto end = ParseInt64(ctx.args[4]);
      if (!end) return ctx.reply.Error(err::kNotInteger);
      e = *end;
      end_given = true;
    }
    ClampRange(static_cast<int64_t>(value.size()) * (in_bits ? 8 : 1), &s, &e);
  }
  if (s > e) return ctx.reply.Integer(-1);
  uint64_t first = in_bits ? static_cast<uint64_t>(s) : static_cast<uint64_t>(s) * 8;
  uint64_t last = in_bits ? static_cast<uint64_t>(e) : static_cast<uint64_t>(e) * 8 + 7;
  int64_t pos = bitmap::FindBit(value, first, last, *bit == 1);
  // No clear bit in the string: without an explicit end the string continues with zeros.
  if (pos < 0 && *bit == 0 && !end_given) pos = static_cast<int64_t>(last + 1);
  ctx.reply.Integer(pos);
}

// BITOP AND|OR|XOR|NOT destkey srckey [srckey ...]: the sources may live on other shards (the
// engine runs the command with all of them paused).
void BitOpCmd(CommandContext& ctx) {
  std::string_view name = ctx.args[1];
  bitmap::BitOp op;
  if (EqualsIgnoreCase(name, "AND")) {
    op = bitmap::BitOp::kAnd;
  } else if (EqualsIgnoreCase(name, "OR")) {
    op = bitmap::BitOp::kOr;
  } else if (EqualsIgnoreCase(name, "XOR")) {
    op = bitmap::BitOp::kXor;
  } else if (EqualsIgnoreCase(name, "NOT")) {
    op = bitmap::BitOp::kNot;
  } else {
    return ctx.reply.Error(err::kSyntax);
  }
  if (op == bitmap::BitOp::kNot && ctx.args.size() != 4) return ctx.reply.Error(kBitOpNot);
  size_t n = ctx.args.size() - 3;
  std::vector<std::string_view> sources(n);
  std::vector<std::string> int_texts;  // int-encoded sources as text, alive until the end
  int_texts.reserve(n);
  size_t max_len = 0;
  for (size_t i = 0; i < n; ++i) {
    std::string_view key = ctx.args[3 + i];
    auto entry = ctx.Db(key).FindForRead(key, ctx.now_ms);
    if (!entry) continue;  // an empty string
    if (!IsString(entry.record)) return ctx.reply.Error(err::kWrongType);
    if (entry.record->encoding() == Encoding::kInt) {
      char buf[kStringIntBufSize];
      int_texts.emplace_back(StringBytes(entry.record, buf));
      sources[i] = int_texts.back();
    } else {
      sources[i] = entry.record->raw_value();
    }
    max_len = std::max(max_len, sources[i].size());
  }
  std::string_view dst = ctx.args[2];
  Database& db = ctx.Db(dst);
  auto entry = db.Find(dst, ctx.now_ms);
  if (max_len == 0) {
    if (entry) {
      db.Erase(entry);
      ctx.Notify(kNotifyGeneric, "del", dst);
    }
    return ctx.reply.Integer(0);
  }
  // Computed straight into the new record; stored after, as the destination may be a source.
  Record* result = Record::NewStringWithCapacity(dst, {}, max_len, 0);
  bitmap::Compute(op, sources, reinterpret_cast<uint8_t*>(result->raw_value_data()), max_len);
  result->TrySetRawLength(max_len);
  db.Put(entry, result);
  ctx.Notify(kNotifyString, "set", dst);
  ctx.reply.Integer(static_cast<int64_t>(max_len));
}

}  // namespace

void RegisterBitfieldCommands(CommandGroup& g);
void RegisterHyperLogLogCommands(CommandTable& t);

void RegisterBitmapCommands(CommandTable& t) {
  CommandGroup g(t, "bitmap", kAclBitmap);
  g.Add(Command("setbit", SetBit)
            .Arity(4)
            .Flags(kCmdWrite | kCmdDenyOom)
            .Key(1, kKeyRW | kKeyAccess | kKeyUpdate)
            .Since("2.2.0")
            .Summary("Sets or clears the bit at offset of the string value. Creates the key if "
                     "it doesn't exist."));
  g.Add(Command("getbit", GetBit)
            .Arity(3)
            .Flags(kCmdReadOnly | kCmdFast)
            .Key(1, kKeyRO | kKeyAccess)
            .Since("2.2.0")
            .Summary("Returns a bit value by offset."));
  g.Add(Command("bitcount", BitCount)
            .Arity(-2)
            .Flags(kCmdReadOnly)
            .Key(1, kKeyRO | kKeyAccess)
            .Since("2.6.0")
            .Summary("Counts the number of set bits (population counting) in a string."));
  g.Add(Command("bitpos", BitPos)
            .Arity(-3)
            .Flags(kCmdReadOnly)
            .Key(1, kKeyRO | kKeyAccess)
            .Since("2.8.7")
            .Summary("Finds the first set (1) or clear (0) bit in a string."));
  g.Add(Command("bitop", BitOpCmd)
            .Arity(-4)
            .Flags(kCmdWrite | kCmdDenyOom)
            .Key(2, kKeyOW | kKeyUpdate)
            .KeyRange(3, -1, 1, kKeyRO | kKeyAccess)
            .Since("2.6.0")
            .Summary("Performs bitwise operations on multiple strings, and stores the result."));
  RegisterBitfieldCommands(g);
  RegisterHyperLogLogCommands(t);
}

}  // namespace ember
