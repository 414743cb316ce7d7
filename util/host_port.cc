#include "util/host_port.h"

namespace util {
namespace {

std::optional<uint16_t> ParsePort(std::string_view text) {
  if (text.empty() || text.size() > 5) return std::nullopt;
  unsigned value = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return std::nullopt;
    value = value * 10 + static_cast<unsigned>(c - '0');
  }
  if (value == 0 || value > 65535) return std::nullopt;
  return static_cast<uint16_t>(value);
}

}  // namespace

std::optional<AddressPort> SplitAddressPort(std::string_view text) {
  AddressPort out{text, 0};
  std::string_view port;
  bool has_port = false;
  if (!text.empty() && text.front() == '[') {
    size_t close = text.find(']');
    if (close == std::string_view::npos) return std::nullopt;
    out.address = text.substr(1, close - 1);
    std::string_view rest = text.substr(close + 1);
    if (!rest.empty()) {
      if (rest.front() != ':') return std::nullopt;
      port = rest.substr(1);
      has_port = true;
    }
  } else if (size_t colon = text.find(':'); colon != std::string_view::npos &&
                                            text.find(':', colon + 1) == std::string_view::npos) {
    out.address = text.substr(0, colon);
    port = text.substr(colon + 1);
    has_port = true;
  }
  if (out.address.empty()) return std::nullopt;
  if (has_port) {
    std::optional<uint16_t> p = ParsePort(port);
    if (!p) return std::nullopt;
    out.port = *p;
  }
  return out;
}

}  // namespace util
