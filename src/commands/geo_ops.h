#pragma once
// Pieces the geo commands share: argument parsing with Redis's errors and coordinate replies.
#include <optional>
#include <string_view>

#include "commands/command.h"

namespace ember {

// Reads "longitude latitude" at args[at], args[at + 1]; on a bad number or a point outside the
// indexable range replies with Redis's error and returns false.
bool ParseLonLatOrReply(CommandContext& ctx, size_t at, double* lon, double* lat);
// m, km, ft, mi (any case) in meters; replies with Redis's error and returns nullopt otherwise.
std::optional<double> ParseUnitOrReply(CommandContext& ctx, std::string_view unit);
// A coordinate in Redis's human long-double format: RESP2 a bulk, RESP3 a double.
void ReplyCoordinate(ReplyBuilder& reply, double v);
// A distance: always a bulk with 4 decimals, in both protocols.
void ReplyDistance(ReplyBuilder& reply, double v);

// Registration of the search commands (geo_search.cc).
void RegisterGeoSearchCommands(CommandTable& table);

}  // namespace ember
