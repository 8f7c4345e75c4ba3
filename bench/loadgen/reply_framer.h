// Finds where one RESP2/RESP3 reply ends, without building it: the load generator only needs
// to count replies and spot errors.
#pragma once

#include <cstdint>
#include <string_view>

// Length in bytes of the complete reply at the start of `data`; 0 when more bytes are
// needed; -1 when the bytes are not RESP.
int64_t FrameReply(std::string_view data);
