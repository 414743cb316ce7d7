#include "whois/limits/builtin_limits.h"

#include <gtest/gtest.h>

#include <string>

#include "whois/hosts/host_profile.h"

namespace whois::limits {
namespace {

TEST(BuiltinLimits, PublishedLimits) {
  EXPECT_EQ(FormatLimitSpec(*BuiltinLimitFor("whois.nic.uk")), "concurrency 2 rate 5/s daily 1000");
  EXPECT_EQ(BuiltinLimitFor("whois.eu")->rates, (std::vector<RateLimit>{{15, 60'000}}));
  EXPECT_EQ(BuiltinLimitFor("whois.domain-registry.nl")->rates[0], (RateLimit{1, 1000}));
  EXPECT_GT(BuiltinLimitFor("whois.domain-registry.nl")->daily, 0);
  EXPECT_EQ(BuiltinLimitFor("whois.dns.be")->rates[0], (RateLimit{100, 3'600'000}));
  EXPECT_EQ(BuiltinLimitFor("whois.radb.net")->concurrency, 4);
  EXPECT_EQ(BuiltinLimitFor("whois.centralnic.com")->rates[0], (RateLimit{1800, 900'000}));
  EXPECT_EQ(BuiltinLimitFor("whois.nic.xyz")->rates[0], (RateLimit{1800, 900'000}));
  // CentralNic counts per IPv4 /24 and IPv6 /48; the others say per address (the default).
  // (Every row's limits parsing is tests/whois_hosts' EveryRowIsConsistent.)
  for (const HostProfile& row : HostProfiles()) {
    if (row.limits.empty()) continue;
    const bool centralnic = row.limits_source.starts_with("CentralNic");
    EXPECT_EQ(BuiltinLimitFor(row.host)->scope,
              centralnic ? (LimitScope{ScopeKind::kNetwork, 24, 48}) : LimitScope{})
        << row.host;
  }
  EXPECT_EQ(FormatLimitSpec(*BuiltinLimitFor("whois.nic.xyz")),
            "concurrency 2 rate 1800/15m scope network /24 /48");
  EXPECT_EQ(BuiltinLimitFor("whois.iana.org")->concurrency, 1);
  EXPECT_TRUE(BuiltinLimitFor("whois.ripe.net").has_value());
  EXPECT_TRUE(BuiltinLimitFor("whois.denic.de").has_value());
  EXPECT_TRUE(BuiltinLimitFor("whois.verisign-grs.com").has_value());
  EXPECT_FALSE(BuiltinLimitFor("whois.example.net").has_value());
  EXPECT_EQ(FormatLimitSpec(DefaultLimitSpec()), "concurrency 2 rate 1/s");
}

}  // namespace
}  // namespace whois::limits
