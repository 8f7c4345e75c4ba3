#pragma once
// Shared pieces of the stream commands (stream_family.cc, stream_groups.cc, stream_read.cc,
// stream_info.cc): id arguments as Redis parses them, the entry reply shape, lookups.
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "commands/command.h"
#include "commands/typed_value.h"
#include "types/stream_value.h"

namespace ember {

inline constexpr std::string_view kInvalidStreamId =
    "ERR Invalid stream ID specified as stream command argument";

// An id argument: "ms-seq" or "ms" (seq = missing_seq). `strict` refuses "-" and "+", which
// otherwise mean 0-0 and the maximum. When `seq_given` is not null "ms-*" is accepted and
// clears it. Replies Redis's error and returns nullopt when invalid.
std::optional<StreamId> ParseIdArg(CommandContext& ctx, std::string_view arg, uint64_t missing_seq,
                                   bool strict, bool* seq_given = nullptr);
inline std::optional<StreamId> ParseStrictIdArg(CommandContext& ctx, std::string_view arg) {
  return ParseIdArg(ctx, arg, 0, true);
}
// A range bound of XRANGE/XPENDING/XAUTOCLAIM: "-", "+", an id, or "(" id for an exclusive
// bound (moved one id inwards; `start` tells which way). Replies the error on failure.
std::optional<StreamId> ParseRangeBound(CommandContext& ctx, std::string_view arg, bool start);

// One entry as Redis replies it: [id, [field, value, ...]].
void ReplyEntry(ReplyBuilder& reply, StreamId id, std::span<const std::string_view> fv);
void ReplyId(ReplyBuilder& reply, StreamId id);
// Up to `count` entries of [start, end] (0: all), as an array; returns how many.
size_t ReplyRange(ReplyBuilder& reply, const StreamValue& s, StreamId start, StreamId end,
                  size_t count, bool reverse);

// MAXLEN/MINID [=|~] threshold [LIMIT n] of XADD and XTRIM (Redis's
// streamParseAddOrTrimArgsOrReply). XADD options end at the id, whose index it returns in
// *id_index; NOMKSTREAM and the id are XADD's only.
struct StreamAddArgs {
  StreamTrim trim;
  bool nomkstream = false;
  bool id_given = false;
  bool seq_given = true;
  StreamId id;
  size_t id_index = 0;
  size_t threshold_index = 0;  // the MAXLEN/MINID value, for the propagated form
};
bool ParseAddOrTrimArgs(CommandContext& ctx, bool xadd, StreamAddArgs* out);

// What an approximate trim really did, for the journal: "XTRIM key MAXLEN <length>" or
// "MINID <first id>" of the stream as it is now.
void PropagateTrimEffect(CommandContext& ctx, std::string_view key, const StreamValue& s,
                         TrimStrategy strategy);

// NOGROUP for XGROUP/XACK/XCLAIM ...: "No such consumer group 'g' for key name 'k'".
std::string NoGroupError(std::string_view key, std::string_view group);

// The stream at `key` of the client's database, for reading (counted as a hit or miss) or for
// a change (finish with FinishStreamWrite). Replies WRONGTYPE and returns false on another
// type.
bool FindStream(CommandContext& ctx, std::string_view key, bool for_read,
                TypedEntry<StreamValue>* out);
// A stream changed in place: book its bytes and tell the database (streams are kept empty).
void FinishStreamWrite(CommandContext& ctx, TypedEntry<StreamValue>& found);
// New data on `key`: wakes every client blocked on it (XREAD, XREADGROUP).
void SignalStreamReady(CommandContext& ctx, std::string_view key);

}  // namespace ember
