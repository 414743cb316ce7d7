// Reading replies in tests: the parser's own short fixtures (tests/whois_parser/replies/, each
// described in the README there), the project's expectations for real replies
// (tests/whois_parser/corpus/), and the real replies themselves beside the checkout
// (../shared/data/whois-samples/, see tests/support/shared_data.h).
#pragma once

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "tests/support/shared_data.h"

namespace whois::testing {

// The file's bytes, or "" when it cannot be read.
inline std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

// A reply of tests/whois_parser/replies/.
inline std::string ReadReply(const std::string& name) {
  return ReadFile(std::string(WP_PARSER_REPLIES) + "/" + name);
}

// A reply of tests/whois_parser/replies/ with the server whose layout it copies (servers.tsv).
struct OwnReply {
  std::string name, server, text;
};

// Every reply of tests/whois_parser/replies/, as servers.tsv lists them.
inline std::vector<OwnReply> AllReplies() {
  std::vector<OwnReply> out;
  std::istringstream tsv(ReadReply("servers.tsv"));
  std::string line;
  while (std::getline(tsv, line)) {
    if (line.empty() || line[0] == '#') continue;
    size_t tab = line.find('\t');
    if (tab == std::string::npos) continue;
    std::string name = line.substr(0, tab);
    out.push_back({name, line.substr(tab + 1), ReadReply(name)});
  }
  return out;
}

// The server servers.tsv names for reply `name` ("" if none).
inline std::string ServerOf(const std::string& name) {
  for (const OwnReply& r : AllReplies())
    if (r.name == name) return r.server;
  return "";
}

// A file of tests/whois_parser/corpus/.
inline std::string ReadCorpusFile(const std::string& name) {
  return ReadFile(std::string(WP_PARSER_CORPUS) + "/" + name);
}

// The real replies beside the checkout: data/whois-samples/ of the shared folder.
inline std::string SamplesDir() { return test_support::SharedDataPath("whois-samples"); }

}  // namespace whois::testing
