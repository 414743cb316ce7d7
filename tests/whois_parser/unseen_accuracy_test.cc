// Accuracy on WHOIS replies the parser was not tuned on (issue 18). The replies are the shared
// corpus's sources other than weppos/ (../shared/data/whois-samples/, read at run time, never
// copied); tests/whois_parser/unseen/expected.tsv holds the fields each must yield, written by
// reading them, and unseen/split.tsv puts each server in the tuning part (looked at while writing
// parser rules) or the held-out part (not looked at). The test prints both figures and fails when
// either falls below its floor. unseen/README.md says how the expectations were made.
//
// WHOIS_PARSER_VERBOSE=1 lists the misses of the tuning part. The held-out misses are listed only
// with WHOIS_UNSEEN_SHOW_HELDOUT=1: looking at them while writing rules would make the held-out
// figure a tuning figure.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "tests/support/shared_data.h"
#include "tests/whois_parser/accuracy_fields.h"
#include "whois/country/country.h"
#include "whois/hosts/host_profile.h"
#include "whois/parser/reply_parser.h"
#include "whois/upstream/charset.h"

namespace whois {
namespace {

// Floors just under the figures this checkout reaches (bench/RESULTS.md: 99.5% and 97.2%); the
// held-out floor is issue 18's goal. A rule change that loses fields on unseen replies fails
// here.
constexpr double kMinTuningAccuracy = 0.99;
constexpr double kMinHeldOutAccuracy = 0.97;

std::string ReadFile(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

std::vector<std::string> SplitOn(const std::string& s, char sep) {
  std::vector<std::string> out;
  std::string part;
  std::istringstream in(s);
  while (std::getline(in, part, sep)) out.push_back(part);
  return out;
}

struct Expectation {
  std::string field, value;
};

struct Sample {
  std::vector<std::string> servers;  // chain order
  std::vector<Expectation> expected;
};

// A joepie91/ file holds a whole lookup: the latest hop first, hops separated by "--" lines.
std::vector<std::string> ChainTexts(const std::string& text, size_t hops) {
  if (hops <= 1) return {text};
  std::vector<std::string> blocks(1);
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    if (line == "--") {
      blocks.emplace_back();
      continue;
    }
    blocks.back() += line + "\n";
  }
  std::erase_if(blocks, [](const std::string& b) {
    return b.find_first_not_of(" \t\r\n") == std::string::npos;
  });
  return {blocks.rbegin(), blocks.rend()};
}

// The reply as the parser sees it: the resolver decodes each reply from its server's charset.
// Some sources stored a whois(1) client's output, already converted to UTF-8; valid UTF-8 is
// taken as is (latin-1 text that happens to be valid UTF-8 is vanishingly rare).
std::string AsUtf8(const std::string& bytes, const std::string& server) {
  std::string sanitized;
  if (SanitizeUtf8(bytes, &sanitized) == 0) return bytes;
  return DecodeToUtf8(bytes, HostProfileFor(server).charset).utf8;
}

// What the parser produced for `field`, in the expectation's form.
std::string Actual(const std::string& field, const std::string& kind, const WhoisRecord& record,
                   const std::string& expected) {
  if (field == "kind") return kind;
  if (field == "status") return record.status.empty() ? "fallback" : record.status;
  if (field == "domain") return record.domain;
  return accuracy::RecordField(field, record, expected).value_or("?");
}

struct Tally {
  size_t total = 0, right = 0, replies = 0;
  std::set<std::string> servers;
  std::map<std::string, std::pair<size_t, size_t>> per_field;  // field -> (total, right)
  double Accuracy() const {
    return total == 0 ? 0 : static_cast<double>(right) / static_cast<double>(total);
  }
};

TEST(UnseenAccuracy, TuningAndHeldOutParts) {
  if (std::string missing = test_support::SharedDataMissing("whois-samples"); !missing.empty())
    GTEST_SKIP() << missing;
  const std::filesystem::path samples = test_support::SharedDataPath("whois-samples");
  const std::filesystem::path unseen = WP_UNSEEN_DIR;
  std::map<std::string, std::string> part_of;
  for (const std::string& line : SplitOn(ReadFile(unseen / "split.tsv"), '\n')) {
    if (line.empty() || line[0] == '#') continue;
    std::vector<std::string> cols = SplitOn(line, '\t');
    ASSERT_EQ(cols.size(), 2u) << line;
    ASSERT_TRUE(cols[1] == "tuning" || cols[1] == "heldout") << line;
    part_of[cols[0]] = cols[1];
  }
  std::map<std::string, Sample> by_sample;
  for (const std::string& line : SplitOn(ReadFile(unseen / "expected.tsv"), '\n')) {
    if (line.empty() || line[0] == '#') continue;
    std::vector<std::string> cols = SplitOn(line, '\t');
    ASSERT_EQ(cols.size(), 4u) << line;
    Sample& s = by_sample[cols[0]];
    s.servers = SplitOn(cols[1], '>');
    s.expected.push_back({cols[2], cols[3]});
  }
  ASSERT_GE(by_sample.size(), 1000u);

  const bool verbose = std::getenv("WHOIS_PARSER_VERBOSE") != nullptr;
  const bool show_heldout = std::getenv("WHOIS_UNSEEN_SHOW_HELDOUT") != nullptr;
  std::map<std::string, Tally> tally;  // "tuning" / "heldout"
  for (const auto& [path, sample] : by_sample) {
    const std::string text = ReadFile(samples / path);
    ASSERT_FALSE(text.empty()) << "cannot read " << (samples / path).string();
    auto part = part_of.find(sample.servers.front());
    ASSERT_NE(part, part_of.end()) << sample.servers.front() << " is in no part of split.tsv";
    std::vector<std::string> texts = ChainTexts(text, sample.servers.size());
    ASSERT_EQ(texts.size(), sample.servers.size()) << path;
    std::vector<ChainReply> chain;
    for (size_t i = 0; i < texts.size(); ++i) {
      chain.push_back({sample.servers[i], "", AsUtf8(texts[i], sample.servers[i]), std::nullopt});
    }
    const std::string kind =
        std::string(ReplyKindName(ParseReply(chain.front().server, chain.front().text).kind));
    const WhoisRecord record = BuildRecord("", chain);
    Tally& t = tally[part->second];
    ++t.replies;
    t.servers.insert(sample.servers.front());
    for (const Expectation& e : sample.expected) {
      const std::string want = accuracy::Wanted(e.field, e.value);
      const std::string got = Actual(e.field, kind, record, want);
      const bool ok = accuracy::SameValue(got, want);
      ++t.total;
      ++t.per_field[e.field].first;
      if (ok) {
        ++t.right;
        ++t.per_field[e.field].second;
      } else if ((verbose && part->second == "tuning") ||
                 (show_heldout && part->second == "heldout")) {
        std::printf("MISS [%s] %s %s: want '%s' got '%s'\n", part->second.c_str(), path.c_str(),
                    e.field.c_str(), want.c_str(), got.c_str());
      }
    }
  }
  for (const char* name : {"tuning", "heldout"}) {
    const Tally& t = tally[name];
    std::printf("%s part:\n", name);
    for (const auto& [field, counts] : t.per_field) {
      std::printf("  %-20s %4zu/%4zu\n", field.c_str(), counts.second, counts.first);
    }
    std::printf("unseen %s accuracy: %.1f%% of %zu expected fields (%zu replies, %zu servers)\n",
                name, t.Accuracy() * 100, t.total, t.replies, t.servers.size());
  }
  EXPECT_GE(tally["tuning"].replies, 400u);
  EXPECT_GE(tally["heldout"].replies, 400u);
  EXPECT_GE(tally["tuning"].Accuracy(), kMinTuningAccuracy);
  EXPECT_GE(tally["heldout"].Accuracy(), kMinHeldOutAccuracy);
}

}  // namespace
}  // namespace whois
