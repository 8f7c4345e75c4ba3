#pragma once
// The bit-offset argument of SETBIT, GETBIT and BITFIELD, with Redis's limit: the byte it
// names must lie within proto-max-bulk-len (512 MB: 2^32 bits).
#include <cstdint>
#include <string_view>

#include "commands/command.h"
#include "common/numbers.h"
#include "engine/engine.h"

namespace ember {

inline constexpr std::string_view kBitOffsetError =
    "ERR bit offset is not an integer or out of range";

// Parses `arg` into *offset; BITFIELD's "#N" form (`allow_hash`) means N fields of `bits`
// bits. Replies and returns false when it is no integer, negative or past the limit.
inline bool ParseBitOffset(CommandContext& ctx, std::string_view arg, bool allow_hash, int bits,
                           uint64_t* offset) {
  bool hash = allow_hash && !arg.empty() && arg[0] == '#';
  auto value = ParseInt64(hash ? arg.substr(1) : arg);
  int64_t bit = value.value_or(-1);
  if (value && hash && __builtin_mul_overflow(*value, int64_t{bits}, &bit)) bit = -1;
  if (bit < 0 || (bit >> 3) >= ctx.engine.config().proto_max_bulk_len) {
    ctx.reply.Error(kBitOffsetError);
    return false;
  }
  *offset = static_cast<uint64_t>(bit);
  return true;
}

}  // namespace ember
