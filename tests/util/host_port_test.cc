#include "util/host_port.h"

#include <gtest/gtest.h>

namespace util {
namespace {

// `text` splits into `address` and `port` (0: none given).
void ExpectSplit(std::string_view text, std::string_view address, uint16_t port) {
  SCOPED_TRACE(text);
  std::optional<AddressPort> split = SplitAddressPort(text);
  ASSERT_TRUE(split);
  EXPECT_EQ(split->address, address);
  EXPECT_EQ(split->port, port);
}

TEST(SplitAddressPort, AddressAloneHasNoPort) {
  ExpectSplit("192.0.2.1", "192.0.2.1", 0);
  // A bare IPv6 literal's colons are its own.
  ExpectSplit("2001:db8::1", "2001:db8::1", 0);
  ExpectSplit("[2001:db8::1]", "2001:db8::1", 0);
}

TEST(SplitAddressPort, PortAfterOneColonOrAfterBrackets) {
  ExpectSplit("192.0.2.1:4343", "192.0.2.1", 4343);
  ExpectSplit("[2001:db8::1]:65535", "2001:db8::1", 65535);
}

TEST(SplitAddressPort, AColonPromisesAPort) {
  // The two upstream clients once disagreed here: one pinned "192.0.2.1:" to the host's port.
  EXPECT_FALSE(SplitAddressPort("192.0.2.1:"));
  EXPECT_FALSE(SplitAddressPort("[2001:db8::1]:"));
}

TEST(SplitAddressPort, MalformedSpellingsAreRefused) {
  for (const char* bad :
       {"", ":43", "[]:43", "[2001:db8::1", "[2001:db8::1]43", "1.2.3.4:0", "1.2.3.4:65536",
        "1.2.3.4:99999999999", "1.2.3.4:4a", "1.2.3.4:+43", "1.2.3.4: 43"}) {
    EXPECT_FALSE(SplitAddressPort(bad)) << '"' << bad << '"';
  }
}

}  // namespace
}  // namespace util
