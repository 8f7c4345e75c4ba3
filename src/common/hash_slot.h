#pragma once
// Redis Cluster hash slots: CRC16 (XMODEM) of the key, or of its {hash tag}, mod 16384.
#include <cstdint>
#include <string_view>

namespace ember {

inline constexpr uint32_t kHashSlots = 16384;

uint16_t Crc16(std::string_view data);
uint32_t KeyHashSlot(std::string_view key);

}  // namespace ember
