#include "whois/upstream/address_policy.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <cstring>
#include <initializer_list>

#include "util/enum_names.h"

namespace whois {
namespace {

// True if the first `bits` bits of `bytes` equal those of `prefix`.
bool HasPrefix(const uint8_t* bytes, std::initializer_list<uint8_t> prefix, int bits) {
  const uint8_t* p = prefix.begin();
  for (int i = 0; bits > 0; ++i, bits -= 8) {
    uint8_t mask = bits >= 8 ? 0xff : static_cast<uint8_t>(0xff << (8 - bits));
    if ((bytes[i] & mask) != (p[i] & mask)) return false;
  }
  return true;
}

AddressClass ClassifyV4(const uint8_t* b) {
  if (b[0] == 0) return AddressClass::kUnspecified;
  if (b[0] == 127) return AddressClass::kLoopback;
  if (b[0] == 10 || HasPrefix(b, {172, 16}, 12) || HasPrefix(b, {192, 168}, 16)) {
    return AddressClass::kPrivate;
  }
  if (HasPrefix(b, {100, 64}, 10)) return AddressClass::kSharedCgnat;
  if (HasPrefix(b, {169, 254}, 16)) return AddressClass::kLinkLocal;
  if (HasPrefix(b, {224}, 4)) return AddressClass::kMulticast;
  if (HasPrefix(b, {240}, 4)) return AddressClass::kReserved;  // includes 255.255.255.255
  if (HasPrefix(b, {192, 0, 0}, 24) || HasPrefix(b, {192, 0, 2}, 24) ||
      HasPrefix(b, {198, 51, 100}, 24) || HasPrefix(b, {203, 0, 113}, 24) ||
      HasPrefix(b, {198, 18}, 15)) {
    return AddressClass::kReserved;
  }
  return AddressClass::kPublic;
}

}  // namespace

IpAddress IpAddress::V4(uint8_t a, uint8_t b, uint8_t c, uint8_t d) {
  IpAddress ip;
  ip.family = Family::kV4;
  ip.bytes[0] = a;
  ip.bytes[1] = b;
  ip.bytes[2] = c;
  ip.bytes[3] = d;
  return ip;
}

std::optional<IpAddress> IpAddress::Parse(std::string_view text) {
  if (text.empty() || text.size() >= INET6_ADDRSTRLEN) return std::nullopt;
  char buf[INET6_ADDRSTRLEN];
  std::memcpy(buf, text.data(), text.size());
  buf[text.size()] = '\0';
  IpAddress ip;
  if (inet_pton(AF_INET, buf, ip.bytes.data()) == 1) {
    ip.family = Family::kV4;
    return ip;
  }
  if (inet_pton(AF_INET6, buf, ip.bytes.data()) == 1) {
    ip.family = Family::kV6;
    return ip;
  }
  return std::nullopt;
}

std::optional<IpAddress> IpAddress::FromSockaddr(const sockaddr* sa) {
  if (sa == nullptr) return std::nullopt;
  IpAddress ip;
  if (sa->sa_family == AF_INET) {
    const auto* in = reinterpret_cast<const sockaddr_in*>(sa);
    ip.family = Family::kV4;
    std::memcpy(ip.bytes.data(), &in->sin_addr, 4);
    return ip;
  }
  if (sa->sa_family == AF_INET6) {
    const auto* in6 = reinterpret_cast<const sockaddr_in6*>(sa);
    ip.family = Family::kV6;
    std::memcpy(ip.bytes.data(), &in6->sin6_addr, 16);
    return ip;
  }
  return std::nullopt;
}

std::string IpAddress::ToString() const {
  char buf[INET6_ADDRSTRLEN] = {};
  inet_ntop(family == Family::kV4 ? AF_INET : AF_INET6, bytes.data(), buf, sizeof(buf));
  return buf;
}

std::string IpAddress::ToStringWithPort(uint16_t port) const {
  if (family == Family::kV4) return ToString() + ":" + std::to_string(port);
  return "[" + ToString() + "]:" + std::to_string(port);
}

AddressClass ClassifyAddress(const IpAddress& address) {
  const uint8_t* b = address.bytes.data();
  if (address.family == IpAddress::Family::kV4) return ClassifyV4(b);

  static constexpr uint8_t kZero[16] = {};
  bool first80_zero = std::memcmp(b, kZero, 10) == 0;
  if (first80_zero && b[10] == 0xff && b[11] == 0xff) return ClassifyV4(b + 12);  // ::ffff:v4
  if (first80_zero && b[10] == 0 && b[11] == 0) {
    if (std::memcmp(b + 12, kZero, 3) == 0) {
      if (b[15] == 0) return AddressClass::kUnspecified;  // ::
      if (b[15] == 1) return AddressClass::kLoopback;     // ::1
    }
    // IPv4-compatible (::a.b.c.d), deprecated by RFC 4291: no real server uses it, and a
    // stack that still honours it would reach the embedded IPv4 address.
    AddressClass embedded = ClassifyV4(b + 12);
    return embedded == AddressClass::kPublic ? AddressClass::kReserved : embedded;
  }
  // Translated and tunnelled IPv4: the network delivers these to the IPv4 address they carry,
  // so 64:ff9b::7f00:1 is 127.0.0.1 to a host behind DNS64/NAT64. NAT64's well-known prefix
  // 64:ff9b::/96 (RFC 6052) holds it in the last 32 bits.
  if (HasPrefix(b, {0x00, 0x64, 0xff, 0x9b, 0, 0, 0, 0, 0, 0, 0, 0}, 96)) return ClassifyV4(b + 12);
  // The local-use prefix 64:ff9b:1::/48 (RFC 8215) holds an operator's NAT64 prefix of 48, 56,
  // 64 or 96 bits, each embedding the address elsewhere (RFC 6052 section 2.2, skipping bits
  // 64-71), and we cannot know which. Every reading is judged; one in 0.0.0.0/8 (no translator
  // sends there) is the zero padding of another, and any other that is not public refuses.
  if (HasPrefix(b, {0x00, 0x64, 0xff, 0x9b, 0x00, 0x01}, 48)) {
    const uint8_t readings[4][4] = {{b[6], b[7], b[9], b[10]},
                                    {b[7], b[9], b[10], b[11]},
                                    {b[9], b[10], b[11], b[12]},
                                    {b[12], b[13], b[14], b[15]}};
    AddressClass result = AddressClass::kUnspecified;
    for (const auto& v4 : readings) {
      AddressClass c = ClassifyV4(v4);
      if (c == AddressClass::kUnspecified) continue;
      if (c != AddressClass::kPublic) return c;
      result = c;
    }
    return result;
  }
  // 6to4 (2002::/16, RFC 3056): a relay sends the packet to the IPv4 address in bits 16-47.
  if (HasPrefix(b, {0x20, 0x02}, 16)) return ClassifyV4(b + 2);
  if (HasPrefix(b, {0xfc}, 7)) return AddressClass::kPrivate;
  if (HasPrefix(b, {0xfe, 0xc0}, 10)) return AddressClass::kPrivate;
  if (HasPrefix(b, {0xfe, 0x80}, 10)) return AddressClass::kLinkLocal;
  if (b[0] == 0xff) return AddressClass::kMulticast;
  if (HasPrefix(b, {0x20, 0x01, 0x0d, 0xb8}, 32)) return AddressClass::kReserved;  // documentation
  return AddressClass::kPublic;
}

std::string_view AddressClassName(AddressClass c) {
  static constexpr util::EnumNames<AddressClass::kReserved> kNames(
      {"public", "unspecified", "loopback", "private", "shared (CGNAT)", "link-local", "multicast",
       "reserved"},
      "unknown");
  return kNames.Name(c);
}

bool IsAllowedUpstreamAddress(const IpAddress& address, bool allow_private) {
  AddressClass c = ClassifyAddress(address);
  if (c == AddressClass::kPublic) return true;
  if (c == AddressClass::kUnspecified || c == AddressClass::kMulticast) return false;
  return allow_private;
}

}  // namespace whois
