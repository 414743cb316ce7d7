// Real-shaped records for the benchmarks: every WHOIS reply under the given directories parsed
// by the project's own parser (tests/support/sample_records.h: ParseReply / BuildRecord, as a
// live lookup does), printed as the JSON of each registered record, one a line. The bytes part
// of bench/fleet.sh loads these (bench-load's RECORDS_FILE), so that what the fleet compresses
// varies the way real records do: names, dates, registrars, addresses, registries, redaction.
//
//   bench-records DIR... > records.jsonl
//
// Prints on stderr how many records it kept; fails when there are none.
#include <cstdio>
#include <string>

#include "tests/support/sample_records.h"

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: %s DIR... > records.jsonl\n", argv[0]);
    return 2;
  }
  size_t kept = 0;
  for (int a = 1; a < argc; ++a) {
    for (const std::string& json : test_support::RegisteredSampleRecords(argv[a])) {
      std::fwrite(json.data(), 1, json.size(), stdout);
      std::fputc('\n', stdout);
      ++kept;
    }
  }
  std::fprintf(stderr, "%zu registered records parsed from the replies\n", kept);
  return kept > 0 ? 0 : 1;
}
