// The tool's pure parts: input lines (prefetch names, import records) and progress formatting.
#include <gtest/gtest.h>

#include "cli/import_lines.h"
#include "cli/name_lines.h"
#include "cli/progress.h"

namespace cli {
namespace {

class NameLinesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto opened = whois::DomainNormalizer::Open(WP_PSL_FILE);
    ASSERT_TRUE(opened.ok()) << opened.status().ToString();
    names_ = std::move(opened).value();
  }
  NameLine Parse(std::string_view line) { return ParseNameLine(line, *names_); }
  std::unique_ptr<whois::DomainNormalizer> names_;
};

TEST_F(NameLinesTest, NamesUrlsAndHostNamesGiveTheRegistrableDomain) {
  EXPECT_EQ(Parse("example.com").name, "example.com");
  EXPECT_EQ(Parse("  WWW.Example.CO.UK.\r").name, "example.co.uk");
  EXPECT_EQ(Parse("https://user@shop.example.de:8443/a/b?q=1#frag").name, "example.de");
  EXPECT_EQ(Parse("bücher.de").name, "xn--bcher-kva.de");
  EXPECT_EQ(Parse("example.org   # a comment").name, "example.org");
  EXPECT_EQ(Parse("example.org").kind, NameLine::Kind::kName);
}

TEST_F(NameLinesTest, CommentsAndBlankLinesAreSkippedAndBadLinesSayWhy) {
  EXPECT_EQ(Parse("").kind, NameLine::Kind::kBlank);
  EXPECT_EQ(Parse("   \t").kind, NameLine::Kind::kBlank);
  EXPECT_EQ(Parse("# all comment").kind, NameLine::Kind::kBlank);
  EXPECT_EQ(Parse("  #indented comment").kind, NameLine::Kind::kBlank);
  NameLine two = Parse("a.com b.com");
  EXPECT_EQ(two.kind, NameLine::Kind::kBad);
  EXPECT_NE(two.reason.find("one name per line"), std::string::npos);
  for (std::string_view bad : {"co.uk", "localhost", "a..b.com", "under_score.com"}) {
    NameLine l = Parse(bad);
    EXPECT_EQ(l.kind, NameLine::Kind::kBad) << bad;
    EXPECT_FALSE(l.reason.empty()) << bad;
  }
}

TEST(ImportLinesTest, ARecordLineIsAddressedByItsDomain) {
  ImportLine l = ParseImportLine(R"(  {"domain":"a.de","status":"registered"} )", std::nullopt, 0);
  EXPECT_EQ(l.kind, ImportLine::Kind::kRecord);
  EXPECT_EQ(l.domain, "a.de");
  EXPECT_EQ(l.json, R"({"domain":"a.de","status":"registered"})");
  EXPECT_FALSE(l.px_ms);
  EXPECT_EQ(ParseImportLine(" \r", std::nullopt, 0).kind, ImportLine::Kind::kBlank);
}

TEST(ImportLinesTest, LinesThatCannotBeAddressedSayWhy) {
  EXPECT_EQ(ParseImportLine(R"({"domain":"a.de")", std::nullopt, 0).reason, "not JSON");
  EXPECT_EQ(ParseImportLine("[1,2]", std::nullopt, 0).reason, "not a JSON object");
  EXPECT_EQ(ParseImportLine(R"({"status":"registered"})", std::nullopt, 0).reason,
            "no \"domain\" string");
  EXPECT_EQ(ParseImportLine(R"({"domain":7})", std::nullopt, 0).reason, "no \"domain\" string");
}

TEST(ImportLinesTest, ARecordKeepsItsAgeWhenTheServersTtlsAreKnown) {
  Ttls ttls{30LL * 86400000, 86400000, 600000};
  const int64_t fetched = *ParseIsoUtcMs("2026-01-01T00:00:00Z");
  const std::string reg =
      R"({"domain":"a.de","status":"registered","source":{"fetched_at":"2026-01-01T00:00:00Z"}})";
  // Ten days old of thirty: twenty left.
  EXPECT_EQ(ParseImportLine(reg, ttls, fetched + 10LL * 86400000).px_ms, 20LL * 86400000);
  // Older than its TTL: it arrives stale (1 ms, the least SET accepts).
  EXPECT_EQ(ParseImportLine(reg, ttls, fetched + 40LL * 86400000).px_ms, 1);
  const std::string nf =
      R"({"domain":"a.de","status":"not_found","source":{"fetched_at":"2026-01-01T00:00:00Z"}})";
  EXPECT_EQ(ParseImportLine(nf, ttls, fetched + 1000).px_ms, 86400000 - 1000);
  // No age to keep: SET's own TTL.
  EXPECT_FALSE(ParseImportLine(R"({"domain":"a.de","status":"registered"})", ttls, 0).px_ms);
  EXPECT_FALSE(ParseImportLine(reg, std::nullopt, fetched).px_ms);
}

TEST(ImportLinesTest, IsoDates) {
  EXPECT_EQ(ParseIsoUtcMs("1970-01-01T00:00:00Z"), 0);
  EXPECT_EQ(ParseIsoUtcMs("2000-03-01T00:00:01Z"), 951868801000);
  EXPECT_EQ(ParseIsoUtcMs("2000-03-01 00:00:01Z"), std::nullopt);
  EXPECT_EQ(ParseIsoUtcMs("2000-13-01T00:00:01Z"), std::nullopt);
  EXPECT_EQ(ParseIsoUtcMs("2001-02-29T00:00:01Z"), std::nullopt);
  EXPECT_EQ(ParseIsoUtcMs("2000-02-29T00:00:00Z"), 951782400000);
  EXPECT_EQ(ParseIsoUtcMs("2000-03-01T00:00:01"), std::nullopt);
}

TEST(ProgressTest, RateIsMeasuredOverTheRecentWindow) {
  RateMeter m(10000);
  EXPECT_EQ(m.PerSecond(), 0);
  m.Add(0, 0);
  m.Add(1000, 50);
  EXPECT_DOUBLE_EQ(m.PerSecond(), 50);
  m.Add(20000, 50);  // nothing for 19 s: the old burst leaves the window
  m.Add(21000, 60);
  EXPECT_DOUBLE_EQ(m.PerSecond(), 10);
}

TEST(ProgressTest, TimeLeftTakesTheSlowerOfOurRateAndTheServersEstimate) {
  EXPECT_EQ(SecondsLeft(100, 10, std::nullopt), 10);
  EXPECT_EQ(SecondsLeft(100, 10, 50), 50);
  EXPECT_EQ(SecondsLeft(100, 0, 50), 50);
  EXPECT_EQ(SecondsLeft(100, 0, std::nullopt), std::nullopt);
  EXPECT_EQ(SecondsLeft(0, 0, std::nullopt), 0);
  EXPECT_EQ(FormatSeconds(std::nullopt), "--");
  EXPECT_EQ(FormatSeconds(45), "45s");
  EXPECT_EQ(FormatSeconds(400), "6m40s");
  EXPECT_EQ(FormatSeconds(3720), "1h02m");
  EXPECT_EQ(FormatSeconds(90000), "1d01h");
}

TEST(ProgressTest, TheBarFitsItsWidthAndShowsEveryFigure) {
  ProgressFigures f{5200, 3, 4797, 12.0, 400};
  EXPECT_EQ(ProgressLine(f), "done 5200 failed 3 queued 4797 rate 12.0/s left 6m40s");
  std::string bar = ProgressBar(f, 100);
  EXPECT_EQ(bar.size(), 100u);
  EXPECT_EQ(bar.front(), '[');
  EXPECT_NE(bar.find(" 52% done 5200 failed 3 queued 4797 rate 12.0/s left 6m40s"),
            std::string::npos)
      << bar;
  size_t hashes = std::count(bar.begin(), bar.end(), '#');
  size_t dots = bar.find(']') - 1 - hashes;
  EXPECT_NEAR(static_cast<double>(hashes) / static_cast<double>(hashes + dots), 0.52, 0.05);
  EXPECT_LE(ProgressBar(f, 40).size(), 40u);
  ProgressFigures all_done{10, 0, 0, 1.0, 0};
  EXPECT_NE(ProgressBar(all_done, 100).find("100%"), std::string::npos);
}

}  // namespace
}  // namespace cli
