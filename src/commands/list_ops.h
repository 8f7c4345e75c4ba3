#pragma once
// Shared pieces of the list commands: range clamping and the pop-and-reply core that LPOP,
// LMPOP and the blocking forms all use.
#include <cstdint>

#include "commands/command.h"
#include "commands/typed_value.h"
#include "types/list_value.h"

namespace ember {

// Redis's start/stop range rules (negative from the end, clamped); false when empty.
bool ClampRange(int64_t start, int64_t stop, size_t size, size_t* first, size_t* last);

// Pops up to `count` elements (count < 0: exactly one, replied as a bulk) from one end of the
// non-empty list at `found`, deletes the key if that empties it, and replies: a bulk, or an
// array of the elements, or with `with_key` [key, element] / [key, [elements]].
void PopAndReply(CommandContext& ctx, Database& db, TypedEntry<ListValue>& found, bool left,
                 int64_t count, bool with_key);

void RegisterListMoveCommands(CommandTable& table);

}  // namespace ember
