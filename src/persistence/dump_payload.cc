#include "persistence/dump_payload.h"

#include <cstdint>

#include "persistence/crc64.h"
#include "persistence/rdb_format.h"

namespace ember {

void AppendDumpFooter(std::string* payload) {
  payload->push_back(static_cast<char>(rdb::kVersion & 0xff));
  payload->push_back(static_cast<char>(rdb::kVersion >> 8));
  uint64_t crc = Crc64(0, payload->data(), payload->size());
  for (int i = 0; i < 8; ++i) payload->push_back(static_cast<char>((crc >> (8 * i)) & 0xff));
}

bool DumpPayloadIntact(std::string_view p) {
  if (p.size() < kDumpFooterBytes) return false;
  size_t footer = p.size() - kDumpFooterBytes;
  int version = static_cast<uint8_t>(p[footer]) | (static_cast<uint8_t>(p[footer + 1]) << 8);
  if (version > rdb::kMaxVersion) return false;
  uint64_t stored = 0;
  for (int i = 0; i < 8; ++i) {
    stored |= static_cast<uint64_t>(static_cast<uint8_t>(p[p.size() - 8 + i])) << (8 * i);
  }
  return Crc64(0, p.data(), p.size() - 8) == stored;
}

}  // namespace ember
