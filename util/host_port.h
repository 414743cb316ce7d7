// Splitting "ADDRESS[:PORT]" as operators write it in directives and as referrals carry it.
#ifndef WP_UTIL_HOST_PORT_H_
#define WP_UTIL_HOST_PORT_H_

#include <cstdint>
#include <optional>
#include <string_view>

namespace util {

struct AddressPort {
  std::string_view address;  // without brackets
  uint16_t port = 0;         // 0: none given
};

// "192.0.2.1", "192.0.2.1:43", "[2001:db8::1]" or "[2001:db8::1]:43". A bare IPv6 literal has
// colons of its own, so a port is recognised only after brackets or after a text with exactly
// one colon. A colon must be followed by a port of 1-65535 in decimal: "192.0.2.1:" is not a
// spelling of "192.0.2.1". std::nullopt when the text is none of these; the address part is not
// checked here (callers parse it as the address they need).
std::optional<AddressPort> SplitAddressPort(std::string_view text);

}  // namespace util

#endif  // WP_UTIL_HOST_PORT_H_
