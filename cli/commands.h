// The tool's subcommands. Each reads its input from `in`, writes records or progress to `out`
// and reports to `err`; each returns the process exit status: 0 all done, 1 done except lines
// reported as bad or rejected, 2 a usage, connection or server error stopped it.
#pragma once

#include <iosfwd>
#include <string>

#include "cli/redis_client.h"

namespace cli {

inline constexpr int kExitOk = 0;
inline constexpr int kExitSomeLinesBad = 1;
inline constexpr int kExitFailed = 2;

struct PrefetchOptions {
  bool wait = true;       // follow the queue until it has drained
  size_t batch = 1000;    // names per WHOIS.PREFETCH
  bool terminal = false;  // `out` is a terminal: one progress bar, redrawn
  size_t width = 80;      // its columns
};
// Reads names (one per line), queues them with WHOIS.PREFETCH in batches, then follows WHOIS.QUEUE
// until it is empty. Bad lines go to `err` with their line number and are skipped.
int RunPrefetch(RedisClient& redis, std::istream& in, std::ostream& out, std::ostream& err,
                const PrefetchOptions& options);

// Writes every record whose domain matches `pattern` (SCAN MATCH) as one JSON line to `out`.
int RunExport(RedisClient& redis, const std::string& pattern, std::ostream& out, std::ostream& err);

struct ImportOptions {
  bool keep_age = true;   // a record keeps its age (source.fetched_at) rather than starting fresh
  bool terminal = false;  // `err` is a terminal: progress redrawn on one line
};
// SETs every JSON line of `in` (pipelined); progress and rejected lines (number and reason) go
// to `err`.
int RunImport(RedisClient& redis, std::istream& in, std::ostream& err,
              const ImportOptions& options);

}  // namespace cli
