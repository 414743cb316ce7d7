// What the directory tests share: reading a file of tests/whois_directory/fixtures/ (the README
// there says what each shows), and asking a Status or StatusOr for its error.
#pragma once

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <string>
#include <type_traits>

#include "util/status.h"

inline std::string ReadFixture(const std::string& relative_path) {
  std::ifstream in(std::string(WP_DIRECTORY_FIXTURES) + "/" + relative_path, std::ios::binary);
  EXPECT_TRUE(in.good()) << "missing fixture " << relative_path;
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// True when `result` (a util::Status or util::StatusOr) is an error; its message goes to *why.
template <typename Result>
bool Fails(const Result& result, std::string* why) {
  if constexpr (std::is_same_v<Result, util::Status>) {
    *why = result.message();
  } else {
    *why = result.status().message();
  }
  return !result.ok();
}
