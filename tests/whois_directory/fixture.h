// Reads a file of tests/whois_directory/fixtures/ (the README there says what each shows).
#pragma once

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <string>

inline std::string ReadFixture(const std::string& relative_path) {
  std::ifstream in(std::string(WP_DIRECTORY_FIXTURES) + "/" + relative_path, std::ios::binary);
  EXPECT_TRUE(in.good()) << "missing fixture " << relative_path;
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}
