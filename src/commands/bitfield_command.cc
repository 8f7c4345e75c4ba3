// BITFIELD and BITFIELD_RO: integer fields of 1..64 bits at any bit offset of a string.
#include <algorithm>
#include <vector>

#include "commands/arg_parser.h"
#include "commands/bit_args.h"
#include "commands/command.h"
#include "commands/errors.h"
#include "commands/string_bytes.h"
#include "common/numbers.h"
#include "types/bitmap.h"

namespace ember {
namespace {

constexpr std::string_view kBadType =
    "ERR Invalid bitfield type. Use something like i16 u8. Note that u64 is not supported but "
    "i64 is.";
constexpr std::string_view kBadOverflow = "ERR Invalid OVERFLOW type specified";
constexpr std::string_view kReadOnlyOnlyGet = "ERR BITFIELD_RO only supports the GET subcommand";

enum class FieldOp : uint8_t { kGet, kSet, kIncrBy };

struct FieldCommand {
  FieldOp op;
  bitmap::FieldType type;
  bitmap::Overflow overflow;  // the OVERFLOW in effect where the operation appeared
  uint64_t offset;
  int64_t value;  // SET's value, INCRBY's increment
};

// "i1".."i64", "u1".."u63" (lower case only, as in Redis).
bool ParseFieldType(std::string_view arg, bitmap::FieldType* type) {
  if (arg.size() < 2 || (arg[0] != 'i' && arg[0] != 'u')) return false;
  auto bits = ParseInt64(arg.substr(1));
  type->is_signed = arg[0] == 'i';
  if (!bits || *bits < 1 || *bits > (type->is_signed ? 64 : 63)) return false;
  type->bits = static_cast<uint8_t>(*bits);
  return true;
}

// Parses every operation first, as Redis does: any error means nothing runs.
bool ParseFieldCommands(CommandContext& ctx, std::vector<FieldCommand>* out, bool* writes) {
  bitmap::Overflow overflow = bitmap::Overflow::kWrap;
  *writes = false;
  auto args = ctx.args;
  for (size_t i = 2; i < args.size();) {
    std::string_view word = args[i];
    size_t left = args.size() - i - 1;
    FieldOp op;
    if (EqualsIgnoreCase(word, "GET") && left >= 2) {
      op = FieldOp::kGet;
    } else if (EqualsIgnoreCase(word, "SET") && left >= 3) {
      op = FieldOp::kSet;
    } else if (EqualsIgnoreCase(word, "INCRBY") && left >= 3) {
      op = FieldOp::kIncrBy;
    } else if (EqualsIgnoreCase(word, "OVERFLOW") && left >= 1) {
      std::string_view policy = args[i + 1];
      if (EqualsIgnoreCase(policy, "WRAP")) {
        overflow = bitmap::Overflow::kWrap;
      } else if (EqualsIgnoreCase(policy, "SAT")) {
        overflow = bitmap::Overflow::kSat;
      } else if (EqualsIgnoreCase(policy, "FAIL")) {
        overflow = bitmap::Overflow::kFail;
      } else {
        ctx.reply.Error(kBadOverflow);
        return false;
      }
      i += 2;
      continue;
    } else {
      ctx.reply.Error(err::kSyntax);
      return false;
    }
    FieldCommand cmd{op, {}, overflow, 0, 0};
    if (!ParseFieldType(args[i + 1], &cmd.type)) {
      ctx.reply.Error(kBadType);
      return false;
    }
    if (!ParseBitOffset(ctx, args[i + 2], true, cmd.type.bits, &cmd.offset)) return false;
    if (op != FieldOp::kGet) {
      auto value = ParseInt64(args[i + 3]);
      if (!value) {
        ctx.reply.Error(err::kNotInteger);
        return false;
      }
      cmd.value = *value;
      *writes = true;
    }
    out->push_back(cmd);
    i += op == FieldOp::kGet ? 3 : 4;
  }
  return true;
}

void ReplyGets(CommandContext& ctx, const std::vector<FieldCommand>& cmds, std::string_view v) {
  ctx.reply.ArrayHeader(cmds.size());
  for (const FieldCommand& c : cmds) ctx.reply.Integer(bitmap::GetFieldValue(v, c.offset, c.type));
}

void Bitfield(CommandContext& ctx, bool read_only_command) {
  std::vector<FieldCommand> cmds;
  bool writes;
  if (!ParseFieldCommands(ctx, &cmds, &writes)) return;
  std::string_view key = ctx.args[1];
  Database& db = ctx.Db(key);
  if (!writes) {
    auto entry = db.FindForRead(key, ctx.now_ms);
    if (entry && entry.record->type() != ValueType::kString)
      return ctx.reply.Error(err::kWrongType);
    char buf[kStringIntBufSize];
    return ReplyGets(ctx, cmds, entry ? StringBytes(entry.record, buf) : std::string_view());
  }
  if (read_only_command) return ctx.reply.Error(kReadOnlyOnlyGet);
  auto entry = db.FindMutable(key, ctx.now_ms);
  if (entry && entry.record->type() != ValueType::kString) return ctx.reply.Error(err::kWrongType);
  // Room up to the farthest bit any write reaches, made before anything runs (as Redis).
  uint64_t highest = 0;
  for (const FieldCommand& c : cmds) {
    if (c.op != FieldOp::kGet) highest = std::max(highest, c.offset + c.type.bits - 1);
  }
  size_t old_len = 0;
  if (entry) {
    char buf[kStringIntBufSize];
    old_len = StringBytes(entry.record, buf).size();
  }
  bool created = !entry;
  size_t len;
  uint8_t* bytes = WritableStringBytes(db, entry, key, (highest >> 3) + 1, &len);
  bool grew = created || len != old_len;
  std::string_view view(reinterpret_cast<const char*>(bytes), len);
  size_t changes = 0;
  ctx.reply.ArrayHeader(cmds.size());
  for (const FieldCommand& c : cmds) {
    int64_t old = bitmap::GetFieldValue(view, c.offset, c.type);
    if (c.op == FieldOp::kGet) {
      ctx.reply.Integer(old);
      continue;
    }
    int64_t updated;
    bool fits = c.op == FieldOp::kSet
                    ? bitmap::AddToField(c.type, c.value, 0, c.overflow, &updated)
                    : bitmap::AddToField(c.type, old, c.value, c.overflow, &updated);
    if (!fits) {
      ctx.reply.Null();  // OVERFLOW FAIL: nothing written
      continue;
    }
    bitmap::SetField(bytes, c.offset, c.type.bits, static_cast<uint64_t>(updated));
    if (grew || updated != old) ++changes;
    ctx.reply.Integer(c.op == FieldOp::kSet ? old : updated);
  }
  if (changes > 0 || grew) db.PostUpdate(entry);
  if (changes > 0) ctx.Notify(kNotifyString, "setbit", key);
}

void BitfieldCmd(CommandContext& ctx) {
  Bitfield(ctx, false);
}
void BitfieldRo(CommandContext& ctx) {
  Bitfield(ctx, true);
}

// BITFIELD only reads its key unless it has a SET or INCRBY (COMMAND GETKEYSANDFLAGS).
uint32_t BitfieldKeyFlags(std::span<const std::string_view> args, size_t) {
  for (size_t i = 2; i < args.size(); ++i) {
    if (EqualsIgnoreCase(args[i], "SET") || EqualsIgnoreCase(args[i], "INCRBY"))
      return kKeyRW | kKeyAccess | kKeyUpdate;
  }
  return kKeyRO | kKeyAccess;
}

}  // namespace

void RegisterBitfieldCommands(CommandGroup& g) {
  g.Add(Command("bitfield", BitfieldCmd)
            .Arity(-2)
            .Flags(kCmdWrite | kCmdDenyOom)
            .Key(1, kKeyRW | kKeyAccess | kKeyUpdate | kKeyVariableFlags)
            .ResolveKeyFlags(BitfieldKeyFlags)
            .Since("3.2.0")
            .Summary("Performs arbitrary bitfield integer operations on strings."));
  g.Add(Command("bitfield_ro", BitfieldRo)
            .Arity(-2)
            .Flags(kCmdReadOnly | kCmdFast)
            .Key(1, kKeyRO | kKeyAccess)
            .Since("6.0.0")
            .Summary("Performs arbitrary read-only bitfield integer operations on strings."));
}

}  // namespace ember
