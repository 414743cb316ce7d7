#include "util/info_writer.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <string>

namespace util {
namespace {

TEST(InfoWriter, WritesNameColonValueLinesAfterWhatIsThere) {
  std::string out = "# Fleet\r\n";
  InfoWriter info(&out);
  info.Field("fleet_prefix", "wp");
  info.Field("fleet_node_name", std::string("a:6380"));
  EXPECT_EQ(out, "# Fleet\r\nfleet_prefix:wp\r\nfleet_node_name:a:6380\r\n");
}

TEST(InfoWriter, WritesIntegersInDecimal) {
  std::string out;
  InfoWriter info(&out);
  info.Field("a", uint64_t{18446744073709551615u});
  info.Field("b", int64_t{-1});
  info.Field("c", size_t{0});
  info.Field("d", 42);
  EXPECT_EQ(out, "a:18446744073709551615\r\nb:-1\r\nc:0\r\nd:42\r\n");
}

TEST(InfoWriter, AnEmptyValueKeepsItsLine) {
  std::string out;
  InfoWriter(&out).Field("config_file", "");
  EXPECT_EQ(out, "config_file:\r\n");
}

}  // namespace
}  // namespace util
