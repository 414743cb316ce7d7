// Real-shaped records: the WHOIS replies under a directory (the sample collections beside the
// checkout, see shared_data.h) parsed by the project's own parser as a live lookup parses them,
// registered answers only. For measuring what depends on how records vary (the fleet's
// compressed values); header-only, the includer links wp_whois_parser.
#pragma once

#include <filesystem>
#include <fstream>
#include <iterator>
#include <sstream>
#include <string>
#include <vector>

#include "whois/parser/reply_parser.h"
#include "whois/record/record.h"

namespace test_support {

// The server a sample came from: the first directory of its path below the collection whose
// name holds a dot (`whois.nic.at/at/found/google.at.txt`, `responses/whois.denic.de/...`), as
// the collections lay themselves out; "" when there is none (the parser then guesses).
inline std::string SampleServer(const std::filesystem::path& relative) {
  for (auto it = relative.begin(); it != relative.end() && std::next(it) != relative.end(); ++it)
    if (it->string().find('.') != std::string::npos) return it->string();
  return "";
}

// A host name as a registry prints it (A-label, lower case, dotted): what a reply's domain
// should be; a few replies (JSON-shaped ones) give the parser something else.
inline bool LooksLikeDomain(const std::string& name) {
  if (name.find('.') == std::string::npos) return false;
  for (char c : name)
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '-')) return false;
  return true;
}

// The JSON (whois::ToJson) of every registered record with a host name and some data that the
// replies under `dir` parse into, each as its own one-hop WHOIS answer fetched at a fixed time.
// Files that are not replies (expectations, licences, tables) are skipped. Empty when `dir`
// cannot be read.
inline std::vector<std::string> RegisteredSampleRecords(const std::string& dir) {
  namespace fs = std::filesystem;
  std::vector<std::string> out;
  std::error_code ec;
  for (fs::recursive_directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    const fs::path& path = it->path();
    std::string ext = path.extension().string();
    if (!it->is_regular_file() || ext == ".json" || ext == ".expected" || ext == ".tsv" ||
        ext == ".md" || path.filename() == "LICENSE")
      continue;
    std::ifstream in(path, std::ios::binary);
    std::ostringstream text;
    text << in.rdbuf();
    std::string server = SampleServer(fs::relative(path, dir));
    whois::WhoisRecord rec = whois::BuildRecord("", {{server, "", text.str(), std::nullopt}});
    if (rec.status != whois::kStatusRegistered || !LooksLikeDomain(rec.domain) ||
        (rec.created.empty() && rec.registrar.empty() && rec.nameservers.empty()))
      continue;
    rec.source_protocol = std::string(whois::kProtocolWhois);
    if (!server.empty()) rec.source_servers = {server};
    rec.fetched_at = "2026-11-01T00:00:00Z";
    out.push_back(whois::ToJson(rec));
  }
  return out;
}

}  // namespace test_support
