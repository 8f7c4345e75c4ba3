#pragma once
// Shared pieces of the sorted-set commands: limits, score replies, and the pop core that
// ZPOPMIN/ZPOPMAX/ZMPOP use and that the blocking forms (BZPOPMIN, BZPOPMAX, BZMPOP) call once
// a watched key has data.
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "commands/command.h"
#include "commands/typed_value.h"
#include "types/zset_value.h"

namespace ember {

inline constexpr std::string_view kZsetNaN = "ERR resulting score is not a number (NaN)";
inline constexpr std::string_view kZsetMinMaxFloat = "ERR min or max is not a float";
inline constexpr std::string_view kZsetMinMaxLex = "ERR min or max not valid string range item";
inline constexpr std::string_view kZsetPositive = "ERR value is out of range, must be positive";

ZSetLimits ZLimits(CommandContext& ctx);

// Member/score pairs as Redis replies them with WITHSCORES: RESP2 a flat array
// [m1, s1, m2, s2 ...], RESP3 an array of [member, score] pairs (scores as doubles).
void ReplyWithScores(ReplyBuilder& reply, const std::vector<std::pair<std::string, double>>& items);
// Members only: an array of bulks.
void ReplyMembers(ReplyBuilder& reply, const std::vector<std::pair<std::string, double>>& items);

// Replaces `dst` (whatever it held) with a zset of `items`, or deletes it when `items` is
// empty; returns the number of members stored.
int64_t StoreZSet(CommandContext& ctx, std::string_view dst, std::string_view event,
                  const std::vector<std::pair<std::string, double>>& items);

// Which end a pop takes from.
enum class PopEnd : uint8_t { kMin, kMax };

// The tail ZMPOP and BZMPOP share: numkeys key [key ...] MIN|MAX [COUNT count].
struct MPopArgs {
  std::span<const std::string_view> keys;
  PopEnd end = PopEnd::kMin;
  size_t count = 1;
};
// Parses it from ctx.args[first] (the numkeys argument); on bad input replies with Redis's
// error and returns nullopt.
std::optional<MPopArgs> ParseMPopArgs(CommandContext& ctx, size_t first);

// Removes up to `count` members from the `end` of the non-empty zset at `found` (deleting the
// key once empty) and returns them in pop order.
std::vector<std::pair<std::string, double>> PopMembers(Database& db, TypedEntry<ZSetValue>& found,
                                                       PopEnd end, size_t count);

// How PopAndReply shapes its reply:
//   kFlat    ZPOPMIN/ZPOPMAX without COUNT, and with COUNT under RESP2: [m, s, m, s ...]
//   kNested  ZPOPMIN/ZPOPMAX with COUNT under RESP3: [[m, s], [m, s] ...]
//   kKeyed   ZMPOP / BZMPOP: [key, [[m, s] ...]] in both protocols
//   kKeyFlat BZPOPMIN/BZPOPMAX: [key, member, score]
enum class PopReply : uint8_t { kFlat, kNested, kKeyed, kKeyFlat };

// Pops up to `count` members from the non-empty zset at `found` and writes the reply in
// `shape`. The blocking commands call this once the key they waited on holds a zset.
void PopAndReply(CommandContext& ctx, Database& db, TypedEntry<ZSetValue>& found,
                 std::string_view key, PopEnd end, size_t count, PopReply shape);

// Registration of the command groups split over several files.
void RegisterZSetRangeCommands(CommandTable& table);
void RegisterZSetAlgebraCommands(CommandTable& table);
void RegisterZSetBlockingCommands(CommandTable& table);

}  // namespace ember
