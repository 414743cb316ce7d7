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
inline constexpr size_t kInlineMaxSize = 64 * 1024;          // PROTO_INLINE_MAX_SIZE
inline constexpr int64_t kMaxMultibulkLength = 1024 * 1024;  // Redis: INT_MAX; we cap lower
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
//    "Protocol error: invalid multibulk length". The parser is then reset; the caller is
//    expected to close the connection.
//
// Two deliberate differences from Redis, both so that the result does not depend on how the
// bytes were split into reads:
//  - A line (inline request, `*N` or `$L` header) is "too big" when its terminator is not among
//    its first kInlineMaxSize + 1 bytes. Redis only checks when no terminator is buffered at all,
//    so a long line arriving in one read passes there and fails when it trickles in.
//  - NUL bytes in inline requests are ordinary bytes. Redis scans with strchr, so a NUL stalls
//    the request until the buffer limit.
class RequestParser {
 public:
  explicit RequestParser(ParserLimits limits = {}) : limits_(limits) {}

  ParseStatus Parse(std::string_view input, std::vector<std::string_view>* args);

  size_t consumed() const { return consumed_; }
  const std::string& error() const { return error_; }

  // Bytes the parser holds for the command in progress and the last one (argument positions of
  // an inline request, unescaped inline arguments). An unfinished multibulk holds nothing here:
  // its arguments are found again in the input once the last one arrives, so a client's
  // unfinished command costs the bytes it sent and no more. The caller counts this with the
  // unparsed input against its query buffer limit.
  size_t memory() const;

  // AUTH/HELLO change the limits between commands.
  void set_authenticated(bool authenticated) { limits_.authenticated = authenticated; }
  void set_max_bulk_length(int64_t n) { limits_.max_bulk_length = n; }

  // Drops any partial progress (used after the caller resets its buffer).
  void Reset();

 private:
  enum class Kind { kUnknown, kInline, kMultibulk };
  enum class Step { kNeedMore, kDone, kError };
  // Where an argument lives once parsed: in the request bytes, or (inline arguments that had
  // quotes or escapes) in inline_storage_.
  struct ArgSpan {
    size_t offset;
    size_t length;
    bool owned;
  };

  Step ParseInline(std::string_view req);
  Step ParseMultibulk(std::string_view req);
  // The arguments of the complete (already validated) multibulk at the start of `req`.
  void CollectMultibulk(std::string_view req, std::vector<std::string_view>* args) const;
  // Finds the CR that ends the line starting at line_start, resuming the search at scan_.
  // Returns kDone with *cr set, kNeedMore, or kError with too_big_error as the message.
  Step FindCr(std::string_view req, size_t line_start, const char* too_big_error, size_t* cr);
  Step Fail(std::string message);
  void ResetRequest();

  ParserLimits limits_;
  size_t consumed_ = 0;
  std::string error_;
  // Progress through the request in progress. Every offset is relative to the request's first
  // byte, which is input[0] on the next call because the caller drops what consumed() reports.
  Kind kind_ = Kind::kUnknown;
  int64_t multibulk_count_ = 0;      // N of the `*N` header, once read
  size_t multibulk_args_start_ = 0;  // where the first `$L` header starts
  int64_t multibulk_remaining_ = 0;  // 0 while the `*N` header has not been read
  int64_t bulk_length_ = -1;         // -1 while the next `$L` header has not been read
  size_t pos_ = 0;                   // first byte not yet parsed
  size_t scan_ = 0;                  // bytes of the current line already searched for its end
  std::vector<ArgSpan> arg_spans_;   // inline requests only
  std::string inline_storage_;
};

}  // namespace resp
