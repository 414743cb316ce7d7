#include "storage/fleet/key_slot.h"

#include "util/ascii.h"

namespace storage::fleet {

uint16_t Crc16(std::string_view bytes) {
  uint16_t crc = 0;
  for (char c : bytes) {
    crc ^= static_cast<uint16_t>(static_cast<uint8_t>(c) << 8);
    for (int bit = 0; bit < 8; ++bit)
      crc = (crc & 0x8000) ? static_cast<uint16_t>((crc << 1) ^ 0x1021)
                           : static_cast<uint16_t>(crc << 1);
  }
  return crc;
}

int KeySlot(std::string_view key) {
  size_t open = key.find('{');
  if (open != std::string_view::npos) {
    size_t close = key.find('}', open + 1);
    // "{}" is no tag: the whole key is hashed, as Redis does.
    if (close != std::string_view::npos && close > open + 1)
      key = key.substr(open + 1, close - open - 1);
  }
  return Crc16(key) & (kClusterSlots - 1);
}

std::string_view RoutingKey(const std::vector<std::string>& argv) {
  if (argv.size() < 2) return {};
  const std::string& name = argv[0];
  bool script = util::EqualsIgnoreCase(name, "EVAL") || util::EqualsIgnoreCase(name, "EVALSHA") ||
                util::EqualsIgnoreCase(name, "EVAL_RO") ||
                util::EqualsIgnoreCase(name, "EVALSHA_RO");
  if (!script) return argv[1];
  // EVAL script numkeys key [key ...] arg [arg ...]
  if (argv.size() < 4 || argv[2] == "0") return {};
  return argv[3];
}

}  // namespace storage::fleet
