#include "server/whois_reply_text.h"

#include <gtest/gtest.h>

#include "server/address_rate_limiter.h"

namespace server {
namespace {

whois::WhoisRecord Registered() {
  whois::WhoisRecord r;
  r.domain = "example.test";
  r.status = whois::kStatusRegistered;
  r.registrar.name = "Reg";
  r.nameservers = {"ns1.example.net"};
  r.source_protocol = "whois";
  r.source_servers = {"whois.nic.test"};
  r.fetched_at = "2026-01-02T03:04:05Z";
  return r;
}

TEST(WhoisReplyText, QueryNameIsTheLineWithoutBlanksAndLineEnd) {
  EXPECT_EQ(WhoisQueryName("  Example.COM \r\n"), "Example.COM");
  EXPECT_EQ(WhoisQueryName("\r\n"), "");
}

TEST(WhoisReplyText, RawChainRegistryThenRegistrarWithFooter) {
  std::vector<storage::RawReply> chain = {
      {"whois.nic.test", "example.test", "Domain Name: EXAMPLE.TEST\nRegistrar: Reg\n",
       1767323045000},
      {"whois.reg.test", "example.test", "Registrant: Someone\r\n", 1767323046000}};
  std::string out = WhoisRecordReply(Registered(), chain, false);
  EXPECT_EQ(out,
            "Domain Name: EXAMPLE.TEST\r\nRegistrar: Reg\r\n\r\nRegistrant: Someone\r\n\r\n"
            "% ----\r\n"
            "% whois-proxy: fetched 2026-01-02T03:04:05Z from whois.nic.test, whois.reg.test\r\n");
  std::string stale = WhoisRecordReply(Registered(), chain, true);
  EXPECT_TRUE(stale.ends_with("% this copy is stale; a fresh one is being fetched\r\n"));
}

TEST(WhoisReplyText, WithoutRawTextTheFieldsAreRendered) {
  std::string out = WhoisRecordReply(Registered(), {}, false);
  EXPECT_EQ(out,
            "Domain Name: example.test\r\nRegistrar: Reg\r\nName Server: ns1.example.net\r\n\r\n"
            "% ----\r\n"
            "% whois-proxy: rendered from the stored record (whois), fetched "
            "2026-01-02T03:04:05Z from whois.nic.test\r\n");
}

TEST(WhoisReplyText, NoDataIsOneCommentLineWithoutInjectedLines) {
  whois::WhoisRecord invalid = whois::MakeInvalidRecord("a b", "contains a space");
  EXPECT_EQ(WhoisRecordReply(invalid, {}, false),
            "% invalid domain name 'a b': contains a space\r\n");
  whois::WhoisRecord fallback = Registered();
  fallback.status = whois::kStatusFallback;
  fallback.reason = "rate_limited";
  fallback.retry_after = 30;
  EXPECT_EQ(WhoisRecordReply(fallback, {}, false),
            "% no answer for example.test from upstream just now (rate_limited); try again in "
            "30 s\r\n");
  EXPECT_EQ(WhoisCommentLine("a\r\nb"), "% a  b\r\n");
}

TEST(AddressRateLimiter, OneSecondsWorthPerAddress) {
  AddressRateLimiter l;
  EXPECT_TRUE(l.Allow("127.0.0.1", 2, 0));
  EXPECT_TRUE(l.Allow("127.0.0.1", 2, 0));
  EXPECT_FALSE(l.Allow("127.0.0.1", 2, 10));
  EXPECT_TRUE(l.Allow("127.0.0.2", 2, 10));   // its own budget
  EXPECT_TRUE(l.Allow("127.0.0.1", 2, 500));  // half a second: one more
  EXPECT_FALSE(l.Allow("127.0.0.1", 2, 510));
  // A raised limit applies at once without granting what was used.
  EXPECT_FALSE(l.Allow("127.0.0.1", 100, 510));
  EXPECT_TRUE(l.Allow("127.0.0.1", 100, 530));
}

TEST(AddressRateLimiter, MemoryIsBounded) {
  AddressRateLimiter l;
  for (size_t i = 0; i < AddressRateLimiter::kMaxAddresses + 10; ++i)
    l.Allow("a" + std::to_string(i), 1, 0);
  EXPECT_LE(l.size(), AddressRateLimiter::kMaxAddresses);
}

}  // namespace
}  // namespace server
