#include "whois/parser/reply_classifier.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <iterator>
#include <sstream>

#include "tests/support/shared_data.h"
#include "tests/whois_parser/fixture_files.h"
#include "whois/parser/reply_parser.h"

namespace whois {
namespace {

// Refusals in the shapes servers send them, one per kind of wording the classifier knows
// (written for this test; the real texts are checked below when ../shared is there).
TEST(ReplyClassifier, RefusalShapesAreRefused) {
  for (const char* text : {
           "% Error: 55000000002 Connection refused; access control limit reached.\n",
           "# Too many connections.\n",
           "% Maximum queries per hour reached (100)\n",
           "-1: Still in grace period, wait 7 seconds\n",
           "Error for \"example.uk\".\nThe WHOIS query quota for 192.0.2.1 has been exceeded\n"
           "and will be replenished in 50 seconds.\n",
           "Number of allowed queries exceeded.\n",
           "%  Query rate limit exceeded. Try again after 60 seconds.\n",
           "WHOIS LIMIT EXCEEDED - SEE THE REGISTRY'S TERMS OF USE\n",
           "Please go away for 13 seconds\n",
           "Too many requests, please try again later.\n",
       }) {
    EXPECT_EQ(ReplyKindName(ClassifyReply(text)), "refused") << text;
    EXPECT_FALSE(RefusalLine(text).empty()) << text;
  }
}

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

// The real refusal texts collected beside the checkout (../shared/data/refusal-messages.tsv,
// each row naming its source).
TEST(ReplyClassifier, AllKnownRefusalTextsAreRefused) {
  const std::string relative = "refusal-messages.tsv";
  if (std::string missing = test_support::SharedDataMissing(relative); !missing.empty())
    GTEST_SKIP() << missing;
  std::istringstream tsv(testing::ReadFile(test_support::SharedDataPath(relative)));
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
  EXPECT_GE(rows, 33);
}

TEST(ReplyClassifier, AfnicTooManyRequestsThenNoEntriesIsRefused) {
  std::string text = testing::ReadReply("refused-afnic-then-no-entries.txt");
  ASSERT_NE(text.find("No entries found"), std::string::npos);
  EXPECT_EQ(ClassifyReply(text), ReplyKind::kRefused);
  EXPECT_NE(RefusalLine(text).find("Too many requests"), std::string_view::npos);
}

// Decision: registro.br's "Query rate limit exceeded. Reduced information." is a refusal whatever
// follows: a partial answer is never cached as the record or as "not found".
TEST(ReplyClassifier, RegistroBrReducedInformationIsARefusal) {
  std::string registered = testing::ReadReply("refused-registro-br-registered-limited.txt");
  std::string available = testing::ReadReply("refused-registro-br-available-limited.txt");
  ASSERT_NE(registered.find("Reduced information"), std::string::npos);
  ASSERT_NE(available.find("No match for"), std::string::npos);
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

// The parser's own replies are what their names say: refusals or records.
TEST(ReplyClassifier, OwnRepliesClassifyAsNamed) {
  auto replies = testing::AllReplies();
  ASSERT_GE(replies.size(), 10u);
  for (const auto& r : replies) {
    ReplyKind want = r.name.starts_with("refused-") ? ReplyKind::kRefused : ReplyKind::kRecord;
    EXPECT_EQ(ReplyKindName(ParseReply(r.server, r.text).kind), ReplyKindName(want))
        << r.name << ": " << RefusalLine(r.text);
    EXPECT_EQ(ClassifyReply(r.text) == ReplyKind::kRefused, want == ReplyKind::kRefused) << r.name;
  }
}

// Every registered/available reply of the weppos samples (../shared) must be told apart from a
// refusal.
TEST(ReplyClassifier, NoWepposDataReplyIsRefused) {
  namespace fs = std::filesystem;
  const std::string relative = "whois-samples/weppos/responses";
  if (std::string missing = test_support::SharedDataMissing(relative); !missing.empty())
    GTEST_SKIP() << missing;
  const std::string root = test_support::SharedDataPath(relative);
  int checked = 0;
  for (const auto& e : fs::recursive_directory_iterator(root)) {
    std::string name = e.path().filename().string();
    // "_limited" samples are partial answers under a rate limit: refusals by decision (above).
    if (e.path().extension() != ".txt" ||
        !(name.starts_with("status_registered") || name.starts_with("status_available")) ||
        name.find("_limited") != std::string::npos) {
      continue;
    }
    std::string text = testing::ReadFile(e.path().string());
    ++checked;
    EXPECT_NE(ClassifyReply(text), ReplyKind::kRefused)
        << fs::relative(e.path(), root).string() << ": " << RefusalLine(text);
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
// exactly what the parser finds when it classifies the text itself. Over the parser's own replies
// and, when ../shared is there, every real reply of every corpus in data/whois-samples/.
void ExpectGivenKindParsesAlike(const std::string& host, const std::string& text,
                                const std::string& label) {
  ParsedReply own = ParseReply(host, text);
  ParsedReply given = ParseReply(host, text, ClassifyReply(text));
  EXPECT_EQ(own.kind, given.kind) << label;
  EXPECT_EQ(own.rule_set, given.rule_set) << label;
  EXPECT_EQ(own.fields, given.fields) << label;
  EXPECT_EQ(own.retry_after, given.retry_after) << label;
}

TEST(ReplyClassifier, AGivenKindParsesLikeTheParsersOwnClassification) {
  for (const auto& r : testing::AllReplies()) ExpectGivenKindParsesAlike(r.server, r.text, r.name);
}

TEST(ReplyClassifier, AGivenKindParsesLikeTheParsersOwnClassificationOnEverySample) {
  namespace fs = std::filesystem;
  if (std::string missing = test_support::SharedDataMissing("whois-samples"); !missing.empty())
    GTEST_SKIP() << missing;
  const std::string root = testing::SamplesDir();
  int checked = 0;
  for (const auto& e : fs::recursive_directory_iterator(root)) {
    if (!e.is_regular_file()) continue;
    std::string ext = e.path().extension().string();
    std::string name = e.path().filename().string();
    // Expectations, listings and licences beside the replies are not replies.
    if (ext == ".expected" || ext == ".json" || ext == ".md" || ext == ".tsv" ||
        name.starts_with("LICENSE") || name.starts_with("README"))
      continue;
    // The server is the first folder named like a host (<corpus>/.../<server>/<tld>/<case>),
    // where the corpus is laid out by server.
    fs::path rel = fs::relative(e.path(), root);
    std::string host = "whois.example.net";
    for (auto it = rel.begin(); std::next(it) != rel.end(); ++it) {
      if (it->string().find('.') != std::string::npos) {
        host = it->string();
        break;
      }
    }
    ExpectGivenKindParsesAlike(host, testing::ReadFile(e.path().string()), rel.string());
    ++checked;
  }
  std::printf("  %d real replies checked\n", checked);
  EXPECT_GT(checked, 2000);
}

}  // namespace
}  // namespace whois
