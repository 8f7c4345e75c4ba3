#pragma once
// Streams in Redis 7's RDB encoding: RDB_TYPE_STREAM_LISTPACKS_2 (type 19) out, types 15, 19
// and 21 in. Entries travel as Redis's listpack nodes keyed by their 128-bit big-endian
// master id; consumer groups with their PELs and consumers follow.
#include <string>

#include "types/stream_value.h"

namespace ember {

class RdbInput;

void AppendRdbStream(std::string* out, const StreamValue& stream, bool compress);

}  // namespace ember
