// Where tests find the reference data kept beside the checkout (../shared/data: real WHOIS
// replies of other projects, which are never copied into the repository). Tests that need it
// skip with SharedDataMissing() when it is not there; everything else runs without it.
#pragma once

#include <cstdlib>
#include <filesystem>
#include <string>

#ifndef WP_SHARED_DIR
#error "WP_SHARED_DIR must name the folder beside the checkout that holds data/ (../shared)"
#endif

namespace test_support {

// $WP_SHARED when set (the folder holding data/), else the checkout's ../shared, + "/data/" +
// `relative`.
inline std::string SharedDataPath(const std::string& relative) {
  const char* env = std::getenv("WP_SHARED");
  std::filesystem::path shared = env != nullptr && *env != '\0' ? env : WP_SHARED_DIR;
  return (shared / "data" / relative).lexically_normal().string();
}

// The message for GTEST_SKIP when SharedDataPath(relative) does not exist, or "" when it does.
inline std::string SharedDataMissing(const std::string& relative) {
  std::string path = SharedDataPath(relative);
  if (std::filesystem::exists(path)) return "";
  return "reference data not found: expected at " + path +
         " (the checkout's ../shared/data, or $WP_SHARED/data)";
}

}  // namespace test_support
