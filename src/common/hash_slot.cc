#include "common/hash_slot.h"

#include <array>

namespace ember {
namespace {

// kCrc16Tables[k][b]: the CRC of byte b followed by k zero bytes. Eight bytes then fold into
// the CRC with eight independent lookups instead of a chain of eight dependent ones.
using Crc16Tables = std::array<std::array<uint16_t, 256>, 8>;

constexpr Crc16Tables MakeCrc16Tables() {
  Crc16Tables tables{};
  for (uint32_t i = 0; i < 256; ++i) {
    uint16_t crc = static_cast<uint16_t>(i << 8);
    for (int bit = 0; bit < 8; ++bit) {
      crc = (crc & 0x8000) ? static_cast<uint16_t>((crc << 1) ^ 0x1021)
                           : static_cast<uint16_t>(crc << 1);
    }
    tables[0][i] = crc;
  }
  for (size_t k = 1; k < tables.size(); ++k) {
    for (uint32_t i = 0; i < 256; ++i) {
      uint16_t prev = tables[k - 1][i];
      tables[k][i] = static_cast<uint16_t>((prev << 8) ^ tables[0][prev >> 8]);
    }
  }
  return tables;
}

constexpr Crc16Tables kCrc16 = MakeCrc16Tables();

}  // namespace

uint16_t Crc16(std::string_view data) {
  const auto* p = reinterpret_cast<const unsigned char*>(data.data());
  size_t n = data.size();
  uint16_t crc = 0;
  for (; n >= 8; p += 8, n -= 8) {
    crc = static_cast<uint16_t>(kCrc16[7][(crc >> 8) ^ p[0]] ^ kCrc16[6][(crc & 0xff) ^ p[1]] ^
                                kCrc16[5][p[2]] ^ kCrc16[4][p[3]] ^ kCrc16[3][p[4]] ^
                                kCrc16[2][p[5]] ^ kCrc16[1][p[6]] ^ kCrc16[0][p[7]]);
  }
  for (; n > 0; ++p, --n) crc = static_cast<uint16_t>((crc << 8) ^ kCrc16[0][(crc >> 8) ^ *p]);
  return crc;
}

uint32_t KeyHashSlot(std::string_view key) {
  // Only the part between the first '{' and the next '}' is hashed, when it is non-empty.
  size_t open = key.find('{');
  if (open != std::string_view::npos) {
    size_t close = key.find('}', open + 1);
    if (close != std::string_view::npos && close != open + 1) {
      key = key.substr(open + 1, close - open - 1);
    }
  }
  return Crc16(key) & (kHashSlots - 1);
}

}  // namespace ember
