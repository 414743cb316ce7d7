#include "server/record_status.h"

#include <gtest/gtest.h>

namespace server {
namespace {

TEST(StoredRecordStatus, StoresTheThreeKnowledgeStatuses) {
  auto registered = StoredRecordStatus("registered");
  ASSERT_TRUE(registered.ok());
  EXPECT_EQ(*registered, storage::RecordStatus::kRegistered);
  auto not_found = StoredRecordStatus("not_found");
  ASSERT_TRUE(not_found.ok());
  EXPECT_EQ(*not_found, storage::RecordStatus::kNotFound);
  auto fallback = StoredRecordStatus("fallback");
  ASSERT_TRUE(fallback.ok());
  EXPECT_EQ(*fallback, storage::RecordStatus::kFallback);
}

// Before, a status outside the three was dereferenced from an empty optional after a lookup.
TEST(StoredRecordStatus, AnythingElseIsAnErrorNamingIt) {
  for (const char* status : {"invalid", "", "Registered"}) {
    auto st = StoredRecordStatus(status);
    ASSERT_FALSE(st.ok()) << status;
    EXPECT_TRUE(st.status().IsInvalidArgument());
    EXPECT_EQ(st.status().message(),
              std::string("record status must be registered, not_found or fallback, not '") +
                  status + "'");
  }
}

}  // namespace
}  // namespace server
