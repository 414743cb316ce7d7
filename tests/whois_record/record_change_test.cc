#include "whois/record/record_change.h"

#include <gtest/gtest.h>

namespace whois {
namespace {

WhoisRecord Base() {
  WhoisRecord r;
  r.domain = "example.de";
  r.status = "registered";
  r.registrant.organization = "Example GmbH";
  r.registrant.country = "DE";
  r.registrant.email = "a@example.de";
  r.registrar.name = "Registrar A";
  r.registrar.iana_id = "42";
  r.expires = "2027-01-01T00:00:00Z";
  r.updated = "2026-01-01T00:00:00Z";
  r.nameservers = {"ns1.example.net", "ns2.example.net"};
  r.source_servers = {"whois.denic.de"};
  r.fetched_at = "2026-11-25T08:00:00Z";
  return r;
}

TEST(RecordChangeTest, EachFieldCrawlersUseCountsAsAChange) {
  const WhoisRecord before = Base();
  EXPECT_FALSE(ChangesWhatCrawlersUse(before, Base()));
  auto changed = [&](auto edit) {
    WhoisRecord after = Base();
    edit(after);
    return ChangesWhatCrawlersUse(before, after);
  };
  EXPECT_TRUE(changed([](WhoisRecord& r) { r.status = "not_found"; }));
  EXPECT_TRUE(changed([](WhoisRecord& r) { r.registrant.organization = "New Owner AG"; }));
  EXPECT_TRUE(changed([](WhoisRecord& r) { r.registrant.country = "AT"; }));
  EXPECT_TRUE(changed([](WhoisRecord& r) { r.registrar.name = "Registrar B"; }));
  EXPECT_TRUE(changed([](WhoisRecord& r) { r.registrar.iana_id = "43"; }));
  EXPECT_TRUE(changed([](WhoisRecord& r) { r.expires = "2028-01-01T00:00:00Z"; }));
  EXPECT_TRUE(changed([](WhoisRecord& r) { r.nameservers.push_back("ns3.example.net"); }));
  EXPECT_TRUE(changed([](WhoisRecord& r) { r.nameservers = {"ns1.example.net"}; }));
}

TEST(RecordChangeTest, WhatCrawlersDoNotUseIsNoChange) {
  const WhoisRecord before = Base();
  auto changed = [&](auto edit) {
    WhoisRecord after = Base();
    edit(after);
    return ChangesWhatCrawlersUse(before, after);
  };
  EXPECT_FALSE(changed([](WhoisRecord& r) { r.updated = "2026-06-01T00:00:00Z"; }));
  EXPECT_FALSE(changed([](WhoisRecord& r) { r.fetched_at = "2026-12-25T08:00:00Z"; }));
  EXPECT_FALSE(changed([](WhoisRecord& r) { r.registrant.email = "b@example.de"; }));
  EXPECT_FALSE(changed([](WhoisRecord& r) { r.source_servers = {"rdap.denic.de"}; }));
  EXPECT_FALSE(changed([](WhoisRecord& r) {
    r.nameservers = {"NS2.EXAMPLE.NET.", "ns1.example.net"};  // same set, other spelling
  }));
}

}  // namespace
}  // namespace whois
