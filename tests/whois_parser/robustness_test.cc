// The parser must survive any input: random bytes, mutated replies of every layout it knows
// (tests/whois_parser/replies/), and shapes built to hit worst cases. Fixed seeds and bounded
// counts keep the test deterministic and quick; the real fuzzing belongs in tests/fuzz/.
#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <random>

#include "tests/whois_parser/fixture_files.h"
#include "whois/parser/reply_fields.h"
#include "whois/parser/reply_parser.h"
#include "whois/parser/whois_date.h"

namespace whois {
namespace {

void ParseEverything(const std::string& text) {
  ParsedReply p = ParseReply("whois.example.net", text);
  (void)ClassifyReply(text);
  (void)RetryAfterSeconds(text);
  (void)ParseWhoisDate(text, DateOrder::kDayFirst);
  for (const char* host : {"whois.nic.fr", "whois.nic.uk", "whois.jprs.jp", "whois.sk-nic.sk"}) {
    (void)BuildRecord("example.net", {{host, "", text}, {"whois.registrar.example", "", text}});
  }
  EXPECT_LE(p.fields.nameservers.size(), kMaxParsedBytes);
}

TEST(Robustness, RandomBytes) {
  std::mt19937 rng(20240131);
  const std::string alphabet = "ab:[]. \t\n\r%#-/0123456789Z+@()\"\xff\x00";
  for (int i = 0; i < 2000; ++i) {
    std::string text(rng() % 600, ' ');
    for (char& c : text) {
      c = (rng() % 4 == 0) ? static_cast<char>(rng() % 256) : alphabet[rng() % alphabet.size()];
    }
    ParseEverything(text);
  }
}

TEST(Robustness, MutatedReplies) {
  std::vector<std::string> texts;
  for (const auto& r : testing::AllReplies()) texts.push_back(r.text);
  ASSERT_FALSE(texts.empty());
  std::mt19937 rng(7);
  for (int i = 0; i < 1500; ++i) {
    std::string text = texts[rng() % texts.size()];
    int edits = 1 + static_cast<int>(rng() % 16);
    for (int k = 0; k < edits && !text.empty(); ++k) {
      size_t at = rng() % text.size();
      switch (rng() % 4) {
        case 0:
          text[at] = static_cast<char>(rng() % 256);
          break;
        case 1:
          text.erase(at, rng() % 64);
          break;
        case 2:
          text.insert(at, text.substr(rng() % text.size(), rng() % 128));
          break;
        default:
          text.insert(at, std::string(1 + rng() % 8, "\n:[] \t."[rng() % 7]));
      }
    }
    ParseEverything(text);
  }
}

// Shapes aimed at quadratic paths; each must finish fast even at (over) the input cap.
TEST(Robustness, WorstCaseShapesStayLinear) {
  std::vector<std::string> shapes;
  std::string ns, colons, headers, handles, brackets;
  for (int i = 0; ns.size() < 2 * kMaxParsedBytes; ++i) {
    ns += "Name Server: ns" + std::to_string(i) + ".example.com\n";
  }
  while (colons.size() < kMaxParsedBytes) colons += "a:b:c:d:e:f\n";
  while (headers.size() < kMaxParsedBytes) headers += "Registrant:\n  x\n";
  for (int i = 0; handles.size() < kMaxParsedBytes; ++i) {
    handles += "domain: x.fr\nholder-c: H\nadmin-c: H\ntech-c: H\n\nnic-hdl: H\ncontact: c" +
               std::to_string(i) + "\n\n";
  }
  while (brackets.size() < kMaxParsedBytes) brackets += "[[[[[[[[[[[[]]]]]]\n";
  shapes = {ns,
            colons,
            headers,
            handles,
            brackets,
            std::string(kMaxParsedBytes * 2, 'a'),
            std::string(kMaxParsedBytes, '\n'),
            std::string(kMaxParsedBytes, ':')};
  for (size_t i = 0; i < shapes.size(); ++i) {
    const std::string& text = shapes[i];
    auto start = std::chrono::steady_clock::now();
    ParsedReply p = ParseReply("whois.nic.fr", text);
    (void)ParseReply("whois.example.net", text);
    double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    std::printf("  worst-case shape %zu: %.3f s\n", i, seconds);
    EXPECT_LT(seconds, 5.0) << "shape " << i;
    EXPECT_LE(p.fields.nameservers.size(), kMaxNameservers);
  }
}

}  // namespace
}  // namespace whois
