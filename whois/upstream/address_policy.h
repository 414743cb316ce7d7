// Which IP addresses the proxy may connect to as WHOIS upstreams. Pure: no sockets, no DNS.
//
// Referral hosts come from untrusted WHOIS text ("Registrar WHOIS Server: ..."), and DNS answers
// for them are untrusted too. Without this check a hostile registry could make the proxy probe
// the machine it runs on or its private network (SSRF). Addresses the operator pins in the
// configuration (`upstream-address HOST IP:PORT`) bypass the policy: that is a deliberate choice,
// and how tests point upstreams at 127.0.0.1.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

struct sockaddr;

namespace whois {

// An IPv4 or IPv6 address in network byte order. IPv4 uses the first 4 bytes.
struct IpAddress {
  enum class Family { kV4, kV6 };
  Family family = Family::kV4;
  std::array<uint8_t, 16> bytes{};

  static IpAddress V4(uint8_t a, uint8_t b, uint8_t c, uint8_t d);

  // Parses a literal "192.0.2.1" or "2001:db8::1" (no brackets, no port, no zone).
  // std::nullopt if it is neither.
  static std::optional<IpAddress> Parse(std::string_view text);
  // From a sockaddr_in / sockaddr_in6; std::nullopt for any other family.
  static std::optional<IpAddress> FromSockaddr(const sockaddr* sa);

  // "192.0.2.1" or "2001:db8::1".
  std::string ToString() const;
  // "192.0.2.1:43" or "[2001:db8::1]:43".
  std::string ToStringWithPort(uint16_t port) const;

  friend bool operator==(const IpAddress&, const IpAddress&) = default;
};

// What kind of network an address belongs to, as far as the upstream policy cares.
enum class AddressClass {
  kPublic,       // routable on the Internet: allowed
  kUnspecified,  // 0.0.0.0/8 ("this network"), ::
  kLoopback,     // 127.0.0.0/8, ::1
  kPrivate,      // 10/8, 172.16/12, 192.168/16, fc00::/7 (ULA), fec0::/10 (old site-local)
  kSharedCgnat,  // 100.64.0.0/10 (RFC 6598 carrier-grade NAT)
  kLinkLocal,    // 169.254/16, fe80::/10
  kMulticast,    // 224/4, ff00::/8
  kReserved,     // 240/4 and broadcast, documentation and benchmarking ranges, 192.0.0/24,
                 // deprecated IPv4-compatible IPv6 (::/96)
};

// IPv6 addresses that carry an IPv4 address are classified by it: IPv4-mapped (::ffff:a.b.c.d)
// and the deprecated IPv4-compatible form, NAT64 (64:ff9b::/96 and the local-use 64:ff9b:1::/48
// at every embedding RFC 6052 allows there) and 6to4 (2002::/16). So "::ffff:127.0.0.1" and
// "64:ff9b::7f00:1" are kLoopback.
AddressClass ClassifyAddress(const IpAddress& address);

// "public", "loopback", ... for error messages.
std::string_view AddressClassName(AddressClass c);

// True if the proxy may connect to `address` for a target that was not pinned.
// `allow_private` (an operator setting, never set from upstream data) admits every class except
// kUnspecified and kMulticast, which can never be a WHOIS server.
bool IsAllowedUpstreamAddress(const IpAddress& address, bool allow_private);

}  // namespace whois
