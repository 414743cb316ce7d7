#include "whois/reply_classifier.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <sstream>

#include "tests/whois_parser/fixture_files.h"
#include "whois/reply_parser.h"

namespace whois {
namespace {

// The text column of refusal-messages.tsv: CSV-style quoting, "\n" for line breaks.
std::string RefusalText(std::string cell) {
  if (cell.size() >= 2 && cell.front() == '"' && cell.back() == '"') {
    cell = cell.substr(1, cell.size() - 2);
    for (size_t p = cell.find("\"\""); p != std::string::npos; p = cell.find("\"\"", p + 1)) {
      cell.erase(p, 1);
    }
  }
  for (size_t p = cell.find("\\n"); p != std::string::npos; p = cell.find("\\n", p)) {
    cell.replace(p, 2, "\n");
  }
  return cell;
}

TEST(ReplyClassifier, AllKnownRefusalTextsAreRefused) {
  std::istringstream tsv(testing::ReadFixture("refusal-messages.tsv"));
  std::string line;
  std::getline(tsv, line);  // header
  int rows = 0;
  while (std::getline(tsv, line)) {
    if (line.empty()) continue;
    std::vector<std::string> cols;
    std::istringstream row(line);
    std::string col;
    while (std::getline(row, col, '\t')) cols.push_back(col);
    ASSERT_GE(cols.size(), 3u) << line;
    std::string text = RefusalText(cols[2]);
    ++rows;
    EXPECT_EQ(ReplyKindName(ClassifyReply(text)), "refused") << cols[0] << ": " << text;
    EXPECT_FALSE(RefusalLine(text).empty()) << text;
  }
  EXPECT_EQ(rows, 33);
}

TEST(ReplyClassifier, AfnicTooManyRequestsThenNoEntriesIsRefused) {
  std::string text =
      testing::ReadFixture("weppos/responses/whois.nic.fr/fr/response_throttled.txt");
  ASSERT_NE(text.find("No entries found"), std::string::npos);
  EXPECT_EQ(ClassifyReply(text), ReplyKind::kRefused);
  EXPECT_NE(RefusalLine(text).find("Too many requests"), std::string_view::npos);
}

// Decision: registro.br's "Query rate limit exceeded. Reduced information." is a refusal whatever
// follows: a partial answer is never cached as the record or as "not found".
TEST(ReplyClassifier, RegistroBrReducedInformationIsARefusal) {
  const std::string dir = "weppos/responses/whois.registro.br/br/";
  std::string registered = testing::ReadFixture(dir + "status_registered_limited.txt");
  std::string available = testing::ReadFixture(dir + "status_available_limited.txt");
  ASSERT_NE(registered.find("Reduced information"), std::string::npos);
  EXPECT_EQ(ClassifyReply(registered), ReplyKind::kRefused);
  EXPECT_EQ(ClassifyReply(available), ReplyKind::kRefused);
  EXPECT_NE(RefusalLine(registered).find("Reduced information"), std::string_view::npos);
  EXPECT_EQ(ClassifyReply("% Query rate limit exceeded. Reduced information.\n"),
            ReplyKind::kRefused);
}

TEST(ReplyClassifier, NotFoundForms) {
  for (const char* text : {"No match for \"EXAMPLE.COM\".\n", "NOT FOUND\n",
                           "Domain Status: No Object Found\n", "%% No entries found\n",
                           "Domain: u34jedzcq.de\nStatus: free\n", "ERROR:101: no entries found\n",
                           "example.nl is free\n", "The domain has not been registered.\n"}) {
    EXPECT_EQ(ClassifyReply(text), ReplyKind::kNotFound) << text;
  }
}

TEST(ReplyClassifier, DisclaimerWordsDoNotMakeARefusal) {
  std::string text =
      "Domain Name: EXAMPLE.COM\nRegistrar: Example Registrar\nCreation Date: 2000-01-01\n"
      "Registry Expiry Date: 2030-01-01\nName Server: NS1.EXAMPLE.COM\n"
      "NOTICE: we may block access for excessive querying of the WHOIS database\n";
  EXPECT_EQ(ClassifyReply(text), ReplyKind::kRecord);
}

TEST(ReplyClassifier, EmptyAndDisclaimerOnly) {
  EXPECT_EQ(ClassifyReply(""), ReplyKind::kEmpty);
  EXPECT_EQ(ClassifyReply("% This is the whois server of nowhere\n% See terms\n"),
            ReplyKind::kEmpty);
}

// Every weppos registered/available fixture must be told apart from a refusal.
TEST(ReplyClassifier, NoWepposDataReplyIsRefused) {
  namespace fs = std::filesystem;
  int checked = 0;
  for (const auto& e : fs::recursive_directory_iterator(testing::FixturePath("weppos/responses"))) {
    std::string name = e.path().filename().string();
    // "_limited" samples are partial answers under a rate limit: refusals by decision (above).
    if (e.path().extension() != ".txt" ||
        !(name.starts_with("status_registered") || name.starts_with("status_available")) ||
        name.find("_limited") != std::string::npos) {
      continue;
    }
    std::string rel = fs::relative(e.path(), testing::FixturePath("")).string();
    std::string text = testing::ReadFixture(rel);
    ++checked;
    EXPECT_NE(ClassifyReply(text), ReplyKind::kRefused) << rel << ": " << RefusalLine(text);
  }
  EXPECT_GT(checked, 300);
}

TEST(ReplyClassifier, RetryAfter) {
  EXPECT_EQ(RetryAfterSeconds("-1: Still in grace period, wait 7777777 seconds"), 7777777);
  EXPECT_EQ(RetryAfterSeconds("% Excessive querying, grace period of 2 seconds"), 2);
  EXPECT_EQ(RetryAfterSeconds("and will be replenished in 50 seconds."), 50);
  EXPECT_EQ(RetryAfterSeconds("Please go away for 13 Seconds"), 13);
  EXPECT_EQ(RetryAfterSeconds("Rate limit exceeded. Try again after: 24h0m0s"), 86400);
  EXPECT_EQ(RetryAfterSeconds("% Maximum queries per hour reached (100)"), 3600);
  EXPECT_EQ(RetryAfterSeconds("Too many connections"), std::nullopt);
}

// The resolver classifies each reply once and hands the kind to the parser: that must give
// exactly what the parser finds when it classifies the text itself.
TEST(ReplyClassifier, AGivenKindParsesLikeTheParsersOwnClassification) {
  namespace fs = std::filesystem;
  int checked = 0;
  for (const auto& e : fs::recursive_directory_iterator(testing::FixturePath("weppos/responses"))) {
    if (e.path().extension() != ".txt") continue;
    std::string rel = fs::relative(e.path(), testing::FixturePath("")).string();
    std::string text = testing::ReadFixture(rel);
    std::string host = e.path().parent_path().parent_path().filename().string();
    ParsedReply own = ParseReply(host, text);
    ParsedReply given = ParseReply(host, text, ClassifyReply(text));
    EXPECT_EQ(own.kind, given.kind) << rel;
    EXPECT_EQ(own.rule_set, given.rule_set) << rel;
    EXPECT_EQ(own.fields, given.fields) << rel;
    EXPECT_EQ(own.retry_after, given.retry_after) << rel;
    ++checked;
  }
  EXPECT_GT(checked, 600);
}
}  // namespace
}  // namespace whois
