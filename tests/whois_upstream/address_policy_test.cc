#include "whois/upstream/address_policy.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>

#include <optional>
#include <span>
#include <string>

namespace whois {
namespace {

// An address and the class it belongs to.
struct Classified {
  const char* address;
  AddressClass expected;
};

void ExpectClasses(std::span<const Classified> cases) {
  for (const Classified& c : cases) {
    SCOPED_TRACE(c.address);
    std::optional<IpAddress> ip = IpAddress::Parse(c.address);
    ASSERT_TRUE(ip.has_value());
    EXPECT_EQ(ClassifyAddress(*ip), c.expected)
        << AddressClassName(ClassifyAddress(*ip)) << ", expected " << AddressClassName(c.expected);
  }
}

TEST(IpAddressTest, ParsesV4AndV6AndRejectsOthers) {
  ASSERT_TRUE(IpAddress::Parse("192.0.2.1"));
  EXPECT_EQ(IpAddress::Parse("192.0.2.1")->family, IpAddress::Family::kV4);
  ASSERT_TRUE(IpAddress::Parse("2001:db8::1"));
  EXPECT_EQ(IpAddress::Parse("2001:db8::1")->family, IpAddress::Family::kV6);
  EXPECT_FALSE(IpAddress::Parse(""));
  EXPECT_FALSE(IpAddress::Parse("whois.nic.uk"));
  EXPECT_FALSE(IpAddress::Parse("192.0.2.1:43"));
  EXPECT_FALSE(IpAddress::Parse("[2001:db8::1]"));
  EXPECT_FALSE(IpAddress::Parse("256.1.1.1"));
  EXPECT_FALSE(IpAddress::Parse(std::string(100, '1')));
}

TEST(IpAddressTest, FormatsWithPort) {
  EXPECT_EQ(IpAddress::Parse("192.0.2.1")->ToStringWithPort(43), "192.0.2.1:43");
  EXPECT_EQ(IpAddress::Parse("2001:db8::1")->ToStringWithPort(4343), "[2001:db8::1]:4343");
  EXPECT_EQ(IpAddress::V4(10, 1, 2, 3).ToString(), "10.1.2.3");
}

TEST(IpAddressTest, FromSockaddr) {
  sockaddr_in in{};
  in.sin_family = AF_INET;
  inet_pton(AF_INET, "198.51.100.7", &in.sin_addr);
  auto ip = IpAddress::FromSockaddr(reinterpret_cast<sockaddr*>(&in));
  ASSERT_TRUE(ip);
  EXPECT_EQ(ip->ToString(), "198.51.100.7");

  sockaddr_in6 in6{};
  in6.sin6_family = AF_INET6;
  inet_pton(AF_INET6, "fe80::1", &in6.sin6_addr);
  ip = IpAddress::FromSockaddr(reinterpret_cast<sockaddr*>(&in6));
  ASSERT_TRUE(ip);
  EXPECT_EQ(ip->ToString(), "fe80::1");

  sockaddr other{};
  other.sa_family = AF_UNIX;
  EXPECT_FALSE(IpAddress::FromSockaddr(&other));
  EXPECT_FALSE(IpAddress::FromSockaddr(nullptr));
}

// Every range the policy knows, by the part of the address that decides.
const Classified kClassified[] = {
    // IPv4 ranges.
    {"8.8.8.8", AddressClass::kPublic},
    {"193.0.6.135", AddressClass::kPublic},  // whois.ripe.net
    {"0.0.0.0", AddressClass::kUnspecified},
    {"0.1.2.3", AddressClass::kUnspecified},
    {"127.0.0.1", AddressClass::kLoopback},
    {"127.255.255.254", AddressClass::kLoopback},
    {"10.0.0.1", AddressClass::kPrivate},
    {"172.16.0.1", AddressClass::kPrivate},
    {"172.31.255.255", AddressClass::kPrivate},
    {"172.15.255.255", AddressClass::kPublic},  // just below 172.16/12
    {"172.32.0.0", AddressClass::kPublic},      // just above
    {"192.168.1.1", AddressClass::kPrivate},
    {"192.169.0.1", AddressClass::kPublic},
    {"100.64.0.1", AddressClass::kSharedCgnat},
    {"100.127.255.255", AddressClass::kSharedCgnat},
    {"100.128.0.0", AddressClass::kPublic},
    {"100.63.255.255", AddressClass::kPublic},
    {"169.254.169.254", AddressClass::kLinkLocal},  // cloud metadata
    {"224.0.0.1", AddressClass::kMulticast},
    {"239.255.255.250", AddressClass::kMulticast},
    {"240.0.0.1", AddressClass::kReserved},
    {"255.255.255.255", AddressClass::kReserved},
    {"192.0.2.1", AddressClass::kReserved},   // TEST-NET-1
    {"198.18.0.1", AddressClass::kReserved},  // benchmarking
    {"198.20.0.1", AddressClass::kPublic},
    // IPv6 ranges.
    {"2001:67c:2e8:22::c100:68b", AddressClass::kPublic},  // whois.ripe.net
    {"::", AddressClass::kUnspecified},
    {"::1", AddressClass::kLoopback},
    {"fc00::1", AddressClass::kPrivate},
    {"fd12:3456::1", AddressClass::kPrivate},
    {"fe80::1", AddressClass::kLinkLocal},
    {"febf::1", AddressClass::kLinkLocal},
    {"fec0::1", AddressClass::kPrivate},
    {"ff02::1", AddressClass::kMulticast},
    {"2001:db8::1", AddressClass::kReserved},
    // IPv4-mapped addresses are judged by their IPv4 part.
    {"::ffff:127.0.0.1", AddressClass::kLoopback},
    {"::ffff:10.1.2.3", AddressClass::kPrivate},
    {"::ffff:169.254.169.254", AddressClass::kLinkLocal},
    {"::ffff:100.64.0.1", AddressClass::kSharedCgnat},
    {"::ffff:0.0.0.0", AddressClass::kUnspecified},
    {"::ffff:8.8.8.8", AddressClass::kPublic},
    // The deprecated IPv4-compatible form is never public.
    {"::127.0.0.1", AddressClass::kLoopback},
    {"::8.8.8.8", AddressClass::kReserved},
    // A NAT64 translator (RFC 6146) reaches the IPv4 address embedded in the IPv6 one: a name that
    // resolves to 64:ff9b::7f00:1 is 127.0.0.1 wherever DNS64/NAT64 is deployed.
    {"64:ff9b::7f00:1", AddressClass::kLoopback},
    {"64:ff9b::127.0.0.1", AddressClass::kLoopback},
    {"64:ff9b::a00:1", AddressClass::kPrivate},
    {"64:ff9b::a9fe:a9fe", AddressClass::kLinkLocal},  // 169.254.169.254 through NAT64
    {"64:ff9b::6440:1", AddressClass::kSharedCgnat},
    {"64:ff9b::e000:1", AddressClass::kMulticast},
    {"64:ff9b::", AddressClass::kUnspecified},
    {"64:ff9b::c000:201", AddressClass::kReserved},
    {"64:ff9b::808:808", AddressClass::kPublic},  // 8.8.8.8 through NAT64
    // The local-use prefix 64:ff9b:1::/48 (RFC 8215) may carry a NAT64 prefix of any length
    // RFC 6052 allows there (48, 56, 64 or 96 bits), each embedding the IPv4 address elsewhere:
    // 127.0.0.1 is refused in every one of them.
    {"64:ff9b:1::7f00:1", AddressClass::kLoopback},       // /96
    {"64:ff9b:1:0:7f:0:100:0", AddressClass::kLoopback},  // /64
    {"64:ff9b:1:7f:0:1::", AddressClass::kLoopback},      // /56
    {"64:ff9b:1:7f00:0:100::", AddressClass::kLoopback},  // /48
    {"64:ff9b:1:a00:0:100::", AddressClass::kPrivate},    // 10.0.0.1, /48
    {"64:ff9b:1:808:8:808::", AddressClass::kPublic},     // 8.8.8.8, /48
    {"64:ff9b:1::", AddressClass::kUnspecified},
    // Outside the two NAT64 prefixes nothing changes.
    {"64:ff9c::7f00:1", AddressClass::kPublic},
    // A 6to4 address (2002::/16, RFC 3056) is sent by the relay to the IPv4 address in bits
    // 16-47.
    {"2002:7f00:1::1", AddressClass::kLoopback},
    {"2002:a00:1::", AddressClass::kPrivate},
    {"2002:808:808::1", AddressClass::kPublic},
};

TEST(AddressPolicyTest, ClassifiesEveryRange) { ExpectClasses(kClassified); }

TEST(AddressPolicyTest, OnlyPublicAllowedByDefault) {
  EXPECT_TRUE(IsAllowedUpstreamAddress(*IpAddress::Parse("8.8.8.8"), false));
  EXPECT_TRUE(IsAllowedUpstreamAddress(*IpAddress::Parse("2a00:1450::1"), false));
  EXPECT_TRUE(IsAllowedUpstreamAddress(*IpAddress::Parse("64:ff9b::808:808"), false));  // NAT64
  for (const char* bad :
       {"64:ff9b::7f00:1", "64:ff9b:1::7f00:1", "127.0.0.1", "::1", "10.0.0.1", "192.168.0.1",
        "172.20.0.1", "fd00::1", "169.254.0.1", "fe80::1", "224.0.0.1", "ff02::1", "0.0.0.0",
        "::", "100.64.0.1", "::ffff:127.0.0.1", "::ffff:192.168.0.1"}) {
    EXPECT_FALSE(IsAllowedUpstreamAddress(*IpAddress::Parse(bad), false)) << bad;
  }
}

TEST(AddressPolicyTest, AllowPrivateAdmitsInternalButNeverUnspecifiedOrMulticast) {
  for (const char* ok : {"127.0.0.1", "::1", "10.0.0.1", "192.168.0.1", "fd00::1", "169.254.0.1",
                         "100.64.0.1", "192.0.2.1"}) {
    EXPECT_TRUE(IsAllowedUpstreamAddress(*IpAddress::Parse(ok), true)) << ok;
  }
  for (const char* bad : {"0.0.0.0", "::", "224.0.0.1", "ff02::1", "::ffff:224.0.0.1"}) {
    EXPECT_FALSE(IsAllowedUpstreamAddress(*IpAddress::Parse(bad), true)) << bad;
  }
}

TEST(AddressPolicyTest, ClassNamesAreReadable) {
  EXPECT_EQ(AddressClassName(AddressClass::kLoopback), "loopback");
  EXPECT_EQ(AddressClassName(AddressClass::kSharedCgnat), "shared (CGNAT)");
}

}  // namespace
}  // namespace whois
