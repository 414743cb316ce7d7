// Incremental parser for Redis client requests: RESP multibulk (`*N\r\n$L\r\n...`) and
// inline commands (`PING\r\n`, `get "a b"\n`). Pure: no I/O, no allocation per argument
// beyond what inline unquoting needs.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace resp {

// Redis 7's limits (networking.c). The bulk limit is this server's own: keys are domain
// names and values are JSON records, so 8 MiB is generous for SET imports and keeps a hostile
// client from making us buffer Redis's 512 MB.
inline constexpr size_t kInlineMaxSize = 64 * 1024;             // PROTO_INLINE_MAX_SIZE
inline constexpr int64_t kMaxMultibulkLength = 1024 * 1024;     // Redis: INT_MAX; we cap lower
inline constexpr int64_t kDefaultMaxBulkLength = 8 * 1024 * 1024;
inline constexpr int64_t kUnauthMaxMultibulkLength = 10;
inline constexpr int64_t kUnauthMaxBulkLength = 16384;

struct ParserLimits {
  int64_t max_bulk_length = kDefaultMaxBulkLength;
  // Unauthenticated clients get Redis's small limits and its "unauthenticated ..." errors.
  bool authenticated = true;
};

enum class ParseStatus {
  kNeedMore,  // no complete command yet; call again with the same bytes plus more
  kCommand,   // one command parsed into *args
  kError,     // protocol error: reply "-ERR " + error(), then flush and close the client
};

// One parser per connection. Holds only its progress through the command being parsed, so a
// large command arriving in many reads is not re-scanned from the start.
//
// Contract of Parse(input, args):
//  - `input` is the connection's unconsumed bytes; it always starts at the first byte not yet
//    reported as consumed (the caller drops consumed bytes and appends new reads).
//  - On kCommand, *args holds the arguments (args->size() >= 1) and consumed() says how many
//    bytes of `input` the command used. The views point into `input` (zero-copy) or, for inline
//    commands with quotes or escapes, into storage owned by the parser; they stay valid until the
//    next call to Parse() or until the caller modifies the buffer.
//  - Empty inline lines and `*0` / `*-N` multibulk headers are skipped without a command: they
//    count in consumed() and parsing continues with the next command in `input`.
//  - On kNeedMore, consumed() may be > 0 (skipped empty lines); the caller drops those bytes.
//  - On kError, error() is the exact Redis text without the "-ERR " prefix, e.g.
//    "Protocol error: invalid multibulk length".
class RequestParser {
 public:
  explicit RequestParser(ParserLimits limits = {}) : limits_(limits) {}

  ParseStatus Parse(std::string_view input, std::vector<std::string_view>* args);

  size_t consumed() const { return consumed_; }
  const std::string& error() const { return error_; }

  // AUTH/HELLO change the limits between commands.
  void set_authenticated(bool authenticated) { limits_.authenticated = authenticated; }
  void set_max_bulk_length(int64_t n) { limits_.max_bulk_length = n; }

  // Drops any partial progress (used after the caller resets its buffer).
  void Reset();

 private:
  ParserLimits limits_;
  size_t consumed_ = 0;
  std::string error_;
  // Implementation state: kind of request in progress, remaining multibulk count, current bulk
  // length, offset scanned so far, argument offsets, owned storage for unquoted inline args...
  enum class Kind { kUnknown, kInline, kMultibulk } kind_ = Kind::kUnknown;
  int64_t multibulk_remaining_ = 0;
  int64_t bulk_length_ = -1;
  size_t pos_ = 0;
  std::vector<std::pair<size_t, size_t>> arg_spans_;  // offset, length into input
  std::vector<std::string> inline_storage_;
};

}  // namespace resp
