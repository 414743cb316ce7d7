// Redis Cluster's key-to-slot mapping: CRC16 (XMODEM) of the key, or of its hash tag, modulo
// 16384. A hash tag is the text between the first '{' and the next '}' when it is not empty:
// the fleet names every key of one domain `{<prefix>:<domain>}...`, so they share one slot and
// a Lua script or MULTI may touch them together.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace storage::fleet {

inline constexpr int kClusterSlots = 16384;

// CRC16-CCITT (XMODEM): polynomial 0x1021, initial value 0, as Redis's crc16.c.
uint16_t Crc16(std::string_view bytes);

// The slot Redis Cluster serves `key` from.
int KeySlot(std::string_view key);

// The key that routes the command `argv` in a Cluster: argv[1], except for a script (EVAL,
// EVALSHA and their _RO forms), whose first key follows the script and the key count; empty when
// the command has no key (any node may answer it).
std::string_view RoutingKey(const std::vector<std::string>& argv);

}  // namespace storage::fleet
