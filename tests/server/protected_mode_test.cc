// Protected mode as a pure decision over the live Config: CONFIG SET protected-mode and
// requirepass (applied through ApplyDirective at runtime, as CONFIG SET does) change the answer
// for the next connection.
#include "server/protected_mode.h"

#include <gtest/gtest.h>

namespace server {
namespace {

TEST(ProtectedMode, OnlyLoopbackClientsWhileOnWithoutPassword) {
  Config config;
  ASSERT_TRUE(ProtectedModeOn(config));
  for (const char* ip : {"127.0.0.1", "127.4.5.6", "::1", "::ffff:127.0.0.1"})
    EXPECT_FALSE(ProtectedModeRefuses(config, ip)) << ip;
  for (const char* ip : {"192.0.2.7", "2001:db8::1", "::ffff:192.0.2.7", "10.127.0.1"})
    EXPECT_TRUE(ProtectedModeRefuses(config, ip)) << ip;
  EXPECT_TRUE(ProtectedModeDenied().starts_with("DENIED Redis is running in protected mode"));
}

TEST(ProtectedMode, ConfigSetAtRuntimeDecidesTheNextConnection) {
  Config config;
  EXPECT_TRUE(ProtectedModeRefuses(config, "192.0.2.7"));
  ASSERT_TRUE(ApplyDirective(&config, "protected-mode", {"no"}, /*at_runtime=*/true).ok());
  EXPECT_FALSE(ProtectedModeRefuses(config, "192.0.2.7"));
  ASSERT_TRUE(ApplyDirective(&config, "protected-mode", {"yes"}, /*at_runtime=*/true).ok());
  EXPECT_TRUE(ProtectedModeRefuses(config, "192.0.2.7"));
  // A password lifts it, and removing the password brings it back.
  ASSERT_TRUE(ApplyDirective(&config, "requirepass", {"s3cret"}, /*at_runtime=*/true).ok());
  EXPECT_FALSE(ProtectedModeRefuses(config, "192.0.2.7"));
  ASSERT_TRUE(ApplyDirective(&config, "requirepass", {""}, /*at_runtime=*/true).ok());
  EXPECT_TRUE(ProtectedModeRefuses(config, "192.0.2.7"));
}

TEST(ProtectedMode, StartUpRefusesAPublicBindOnlyWhileOn) {
  Config config;
  config.bind = {"127.0.0.1", "::1"};
  EXPECT_EQ(PublicBindWhileProtected(config), "");
  config.bind = {"127.0.0.1", "192.0.2.1"};
  EXPECT_EQ(PublicBindWhileProtected(config), "192.0.2.1");
  config.requirepass = "x";
  EXPECT_EQ(PublicBindWhileProtected(config), "");
  config.requirepass.clear();
  config.protected_mode = false;
  EXPECT_EQ(PublicBindWhileProtected(config), "");
}

}  // namespace
}  // namespace server
