// Reading the shipped fixtures (tests/fixtures/whois/) from tests.
#pragma once

#include <fstream>
#include <sstream>
#include <string>

namespace whois::testing {

inline std::string FixturePath(const std::string& relative) {
  return std::string(WP_WHOIS_FIXTURES) + "/" + relative;
}

// The file's bytes, or "" when it cannot be read.
inline std::string ReadFixture(const std::string& relative) {
  std::ifstream in(FixturePath(relative), std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

}  // namespace whois::testing
