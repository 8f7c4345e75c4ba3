#pragma once
// The footer of a DUMP payload (DUMP, FUNCTION DUMP), as Redis writes it: the RDB version in two
// little-endian bytes, then the CRC-64 of everything before the checksum.
#include <cstddef>
#include <string>
#include <string_view>

namespace ember {

inline constexpr size_t kDumpFooterBytes = 10;

void AppendDumpFooter(std::string* payload);
// Redis's verifyDumpPayload: long enough, an RDB version this build reads, a matching checksum.
bool DumpPayloadIntact(std::string_view payload);

}  // namespace ember
