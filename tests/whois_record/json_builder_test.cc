#include "whois/record/json_builder.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <random>
#include <string>

namespace whois {
namespace {

// What the record's JSON was built with before, and what clients parse it with: every string
// must come out exactly as nlohmann's dump writes it (replacing invalid UTF-8 the same way).
std::string NlohmannDump(const std::string& s) {
  return nlohmann::json(s).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

std::string Appended(std::string_view s) {
  std::string out;
  AppendJsonString(&out, s);
  return out;
}

TEST(JsonBuilderTest, EscapesLikeNlohmann) {
  for (std::string s :
       {std::string("plain"), std::string("quote \" and \\ backslash"),
        std::string("\b\f\n\r\t\x01\x1f\x7f"), std::string("M\xC3\xBCller \xE4\xBE\x8B"),
        std::string("\xF0\x9F\x98\x80"), std::string("nul \0 inside", 12)}) {
    EXPECT_EQ(Appended(s), NlohmannDump(s)) << s;
  }
  EXPECT_EQ(Appended("a\x01"), "\"a\\u0001\"");
}

TEST(JsonBuilderTest, InvalidUtf8BecomesReplacementCharactersLikeNlohmann) {
  const char* cases[] = {"\xFF",         "a\xC3",         "\xC3(",
                         "\xE0\x80\x80", "\xED\xA0\x80",  "\xF4\x90\x80\x80",
                         "\xF0\x9F\x98", "\xF0\x9F\x98x", "\xC0\xAF",
                         "\x80\x80",     "\xE2\x82"};
  for (const char* c : cases) {
    const std::string s(c);
    EXPECT_EQ(Appended(s), NlohmannDump(s)) << testing::PrintToString(s);
    EXPECT_TRUE(nlohmann::json::accept(Appended(s)));
  }
}

TEST(JsonBuilderTest, RandomBytesEncodeExactlyAsNlohmannDoes) {
  std::mt19937 rng(11);
  // Mostly bytes that make UTF-8 (lead and continuation bytes, ASCII, controls), so valid,
  // truncated and overlong sequences all occur.
  const unsigned char alphabet[] = {'a',  ' ',  '"',  '\\', 0x01, 0x1F, 0x7F, 0x80,
                                    0x8F, 0x90, 0x9F, 0xA0, 0xBF, 0xC0, 0xC2, 0xDF,
                                    0xE0, 0xED, 0xEF, 0xF0, 0xF4, 0xF5, 0xFF};
  for (int n = 0; n < 20000; ++n) {
    std::string s(rng() % 12, ' ');
    for (char& c : s) c = static_cast<char>(alphabet[rng() % sizeof alphabet]);
    ASSERT_EQ(Appended(s), NlohmannDump(s)) << testing::PrintToString(s);
  }
}

TEST(JsonBuilderTest, EmptyMembersAndObjectsAreLeftOut) {
  std::string json;
  JsonObjectBuilder b(&json);
  b.String("a", "1");
  b.String("empty", "");
  b.BeginObject("nothing");
  b.String("x", "");
  b.EndObject();
  b.Strings("none", {"", ""});
  b.BeginObject("some");
  b.String("y", "2");
  b.BeginObject("inner_empty");
  b.EndObject();
  b.EndObject();
  b.Strings("list", {"p", "", "q"});
  b.Integer("n", -5);
  b.Finish();
  EXPECT_EQ(json, R"({"a":"1","some":{"y":"2"},"list":["p","q"],"n":-5})");
  EXPECT_EQ(nlohmann::ordered_json::parse(json).dump(), json);
}

TEST(JsonBuilderTest, AnObjectWithOnlyEmptyMembersLeavesNoComma) {
  std::string json;
  JsonObjectBuilder b(&json);
  b.BeginObject("first_empty");
  b.EndObject();
  b.String("a", "1");
  b.BeginObject("last_empty");
  b.EndObject();
  b.Finish();
  EXPECT_EQ(json, R"({"a":"1"})");
}

}  // namespace
}  // namespace whois
