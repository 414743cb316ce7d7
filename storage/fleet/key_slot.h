// Redis Cluster's key-to-slot mapping: CRC16 (XMODEM) of the key, or of its hash tag, modulo
// 16384. A hash tag is the text between the first '{' and the next '}' when it is not empty:
// the fleet names every key of one domain `{<prefix>:<domain>}...`, so they share one slot and
// a Lua script or MULTI may touch them together.
#pragma once

#include <cstdint>
#include <string_view>

namespace storage::fleet {

inline constexpr int kClusterSlots = 16384;

// CRC16-CCITT (XMODEM): polynomial 0x1021, initial value 0, as Redis's crc16.c.
uint16_t Crc16(std::string_view bytes);

// The slot Redis Cluster serves `key` from.
int KeySlot(std::string_view key);

}  // namespace storage::fleet
