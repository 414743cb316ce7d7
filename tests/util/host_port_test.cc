#include "util/host_port.h"

#include <gtest/gtest.h>

namespace util {
namespace {

TEST(SplitAddressPort, AddressAloneHasNoPort) {
  auto a = SplitAddressPort("192.0.2.1");
  ASSERT_TRUE(a);
  EXPECT_EQ(a->address, "192.0.2.1");
  EXPECT_EQ(a->port, 0);
  // A bare IPv6 literal's colons are its own.
  a = SplitAddressPort("2001:db8::1");
  ASSERT_TRUE(a);
  EXPECT_EQ(a->address, "2001:db8::1");
  EXPECT_EQ(a->port, 0);
  a = SplitAddressPort("[2001:db8::1]");
  ASSERT_TRUE(a);
  EXPECT_EQ(a->address, "2001:db8::1");
  EXPECT_EQ(a->port, 0);
}

TEST(SplitAddressPort, PortAfterOneColonOrAfterBrackets) {
  auto a = SplitAddressPort("192.0.2.1:4343");
  ASSERT_TRUE(a);
  EXPECT_EQ(a->address, "192.0.2.1");
  EXPECT_EQ(a->port, 4343);
  a = SplitAddressPort("[2001:db8::1]:65535");
  ASSERT_TRUE(a);
  EXPECT_EQ(a->address, "2001:db8::1");
  EXPECT_EQ(a->port, 65535);
}

TEST(SplitAddressPort, AColonPromisesAPort) {
  // The two upstream clients once disagreed here: one pinned "192.0.2.1:" to the host's port.
  EXPECT_FALSE(SplitAddressPort("192.0.2.1:"));
  EXPECT_FALSE(SplitAddressPort("[2001:db8::1]:"));
}

TEST(SplitAddressPort, MalformedSpellingsAreRefused) {
  for (const char* bad : {"", ":43", "[]:43", "[2001:db8::1", "[2001:db8::1]43", "1.2.3.4:0",
                          "1.2.3.4:65536", "1.2.3.4:99999999999", "1.2.3.4:4a", "1.2.3.4:+43",
                          "1.2.3.4: 43"}) {
    EXPECT_FALSE(SplitAddressPort(bad)) << '"' << bad << '"';
  }
}

}  // namespace
}  // namespace util
