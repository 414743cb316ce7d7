// Serialises replies in RESP2 or RESP3 into a caller-owned byte string. Pure: no I/O.
// RESP3 types are downgraded for RESP2 clients exactly as Redis 7 does:
//   null -> $-1 (NullArray -> *-1), map -> flat array of 2N, set -> array,
//   double -> bulk string ("%.17g", "inf", "-inf", "nan"), boolean -> :1 / :0,
//   verbatim -> plain bulk string of the text, big number -> bulk string.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

namespace resp {

class ReplyWriter {
 public:
  // Appends to *out, which must outlive the writer. protocol is 2 or 3.
  ReplyWriter(std::string* out, int protocol) : out_(out), protocol_(protocol) {}

  int protocol() const { return protocol_; }

  void Simple(std::string_view s);  // +s   (no CR/LF allowed; replaced by ' ')
  void Error(std::string_view s);   // -s   s includes its code, e.g. "ERR ..."
  void Integer(int64_t n);          // :n
  void Bulk(std::string_view s);    // $len s
  // A bulk string of `n` bytes that fill(out) appends in place (a value decompressed straight
  // into the reply, say). False, and nothing written, if fill returns false or appends other
  // than n bytes.
  template <typename Fill>
  bool BulkFilled(size_t n, Fill&& fill) {
    const size_t before = out_->size();
    BulkHeader(n);
    const size_t start = out_->size();
    if (!std::forward<Fill>(fill)(out_) || out_->size() - start != n) {
      out_->resize(before);
      return false;
    }
    out_->append("\r\n", 2);
    return true;
  }
  void Null();                                                    // RESP3 _   RESP2 $-1
  void NullArray();                                               // RESP3 _   RESP2 *-1
  void ArrayHeader(size_t n);                                     // *n
  void MapHeader(size_t pairs);                                   // RESP3 %n  RESP2 *2n
  void SetHeader(size_t n);                                       // RESP3 ~n  RESP2 *n
  void PushHeader(size_t n);                                      // RESP3 >n  RESP2 *n
  void Double(double d);                                          // RESP3 ,d  RESP2 bulk
  void Boolean(bool b);                                           // RESP3 #t  RESP2 :1/:0
  void Verbatim(std::string_view format, std::string_view text);  // RESP3 =len fmt:text
  void BigNumber(std::string_view digits);                        // RESP3 (n  RESP2 bulk
  // Bytes that are already a complete RESP reply (e.g. a cached bulk string).
  void Raw(std::string_view bytes);

 private:
  void BulkHeader(size_t n);

  std::string* out_;
  int protocol_;
};

// A whole reply as bytes, for code that hands a reply on (a deferred reply completed later, a
// callback's result, a cached record) instead of appending to a connection's output: `write` is
// called with a ReplyWriter for `protocol`.
template <typename Write>
std::string BuildReply(int protocol, Write&& write) {
  std::string out;
  ReplyWriter w(&out, protocol);
  std::forward<Write>(write)(w);
  return out;
}

// One-value replies as bytes, each exactly what the ReplyWriter method of its name writes.
std::string SimpleReply(std::string_view s);
std::string ErrorReply(std::string_view s);  // s includes its code, e.g. "ERR ..."
std::string IntegerReply(int64_t n);
std::string BulkReply(std::string_view s);
std::string NullReply(int protocol);

// The string a bulk reply ("$<len>\r\n<bytes>\r\n", as Bulk writes it) carries; nullopt for
// any other reply, a null one included.
std::optional<std::string_view> BulkPayload(std::string_view reply);

}  // namespace resp
