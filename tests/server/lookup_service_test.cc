// LookupService in process over a map standing in for the store (LookupStateStore): what Open()
// restores (learned directory entries, the fetched RDAP bootstrap registry), what it writes
// (the heartbeat), and the options it refuses. No lookup reaches the network: the TLDs asked
// about are known, and nothing is looked up.
#include "server/lookup_service.h"

#include <gtest/gtest.h>

#include <map>
#include <optional>
#include <string>

#include "uv_test_loop.h"
#include "whois/rdap/bootstrap.h"
#include "whois/rdap/http_client.h"
#include "whois/resolver/run_soon.h"

namespace server {
namespace {

constexpr int64_t kNow = 1'900'000'000'000;

// Meta keys in a map; every callback on a later loop turn, as the store's.
class MapState : public LookupStateStore {
 public:
  explicit MapState(uv_loop_t* loop) : loop_(loop) {}
  void ScanMeta(const std::string& prefix,
                std::function<void(storage::Status, Entries)> done) override {
    Entries out;
    for (const auto& [k, v] : meta)
      if (k.starts_with(prefix)) out.emplace_back(k, v);
    whois::RunSoon(loop_, [done = std::move(done), out = std::move(out)] {
      done(storage::Status::OK(), out);
    });
  }
  void PutMeta(const std::string& key, std::string value, bool,
               std::function<void(storage::Status)> done) override {
    meta[key] = std::move(value);
    whois::RunSoon(loop_, [done = std::move(done)] { done(storage::Status::OK()); });
  }
  std::map<std::string, std::string> meta;

 private:
  uv_loop_t* loop_;
};

class LookupServiceTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_EQ(whois::rdap::HttpClient::GlobalInit(), ""); }
  test_support::UvTestLoop loop_;
  MapState state_{loop_.get()};
};

TEST_F(LookupServiceTest, OpenRestoresLearnedDirectoryEntriesAndWritesTheHeartbeat) {
  whois::ServerEntry learned;
  learned.tld = "zz";
  learned.host = "whois.nic.zz";
  learned.origin = whois::ServerEntry::Origin::kIana;
  learned.learned_at_ms = kNow - 1000;
  state_.meta["t:zz"] = whois::EncodeEntry(learned);
  LookupServiceOptions options;
  options.lookup_order = "whois-only";
  options.bundled_directory = false;
  LookupService service(loop_.get(), &state_, [] { return kNow; });
  ASSERT_TRUE(service.Open(options).ok());
  EXPECT_EQ(state_.meta[std::string(LookupService::kAliveKey)], std::to_string(kNow));
  EXPECT_EQ(service.FirstHost("example.zz", "zz"), "whois.nic.zz");
  std::optional<whois::ServerEntry> found;
  service.FindServer("zz", kNow + 5000,
                     [&](std::optional<whois::ServerEntry> e, whois::WhoisSource::EntryError) {
                       found = e.value_or(whois::ServerEntry{});
                     });
  ASSERT_TRUE(loop_.RunUntil([&] { return found.has_value(); }));
  EXPECT_EQ(found->host, "whois.nic.zz");
  EXPECT_EQ(found->origin, whois::ServerEntry::Origin::kIana);
  service.CancelAll();
}

TEST_F(LookupServiceTest, AStoredBootstrapNewerThanTheBundledOneIsUsedWithTheOverrides) {
  auto parsed = whois::rdap::RdapBootstrap::Parse(
      R"({"version":"1.0","publication":"2099-01-01T00:00:00Z","services":[)"
      R"([["zz"],["https://rdap.nic.zz/"]]]})");
  ASSERT_TRUE(parsed.ok());
  state_.meta[std::string(LookupService::kBootstrapKey)] = parsed->Encode();
  LookupServiceOptions options;
  options.lookup_order = "rdap-first";
  options.rdap_servers = {{"yy", "http://127.0.0.1:9/"}};
  LookupService service(loop_.get(), &state_, [] { return kNow; });
  ASSERT_TRUE(service.Open(options).ok());
  EXPECT_EQ(service.FirstHost("example.zz", "zz"), "rdap.nic.zz");
  EXPECT_EQ(service.FirstHost("example.yy", "yy"), "127.0.0.1");
  service.CancelAll();
}

TEST_F(LookupServiceTest, OpenRefusesWhatTheOptionsGetWrong) {
  LookupServiceOptions order;
  order.lookup_order = "dns-first";
  LookupService a(loop_.get(), &state_, [] { return kNow; });
  EXPECT_EQ(a.Open(order).message(),
            "lookup-order must be one of rdap-first, whois-first, rdap-only, whois-only, not "
            "'dns-first'");
  LookupServiceOptions limit;
  limit.limits = {{"whois.nic.zz", {"rate", "often"}}};
  LookupService b(loop_.get(), &state_, [] { return kNow; });
  util::Status refused = b.Open(limit);
  EXPECT_TRUE(refused.IsInvalidArgument());
  EXPECT_NE(refused.message().find("upstream-limit whois.nic.zz: "), std::string::npos);
}

}  // namespace
}  // namespace server
