#include "resp/request_parser.h"

#include <algorithm>
#include <cstring>
#include <utility>

namespace resp {
namespace {

// Inline argument positions kept between commands; a larger table is freed after its command.
constexpr size_t kKeptArgSpans = 1024;
constexpr size_t kKeptInlineBytes = 4096;

// Redis's string2ll (util.c): optional '-', no '+', no leading zeros or spaces, fewer than 21
// characters. "-0" and "007" are rejected, which clients rely on being errors.
bool ParseLength(std::string_view s, int64_t* value) {
  constexpr size_t kLongStrSize = 21;
  if (s.empty() || s.size() >= kLongStrSize) return false;
  if (s.size() == 1 && s[0] == '0') {
    *value = 0;
    return true;
  }
  size_t i = 0;
  bool negative = false;
  if (s[0] == '-') {
    negative = true;
    if (++i == s.size()) return false;
  }
  if (s[i] < '1' || s[i] > '9') return false;
  // At most 19 digits remain (the length check above), so a uint64_t cannot overflow.
  uint64_t v = 0;
  for (; i < s.size(); ++i) {
    if (s[i] < '0' || s[i] > '9') return false;
    v = v * 10 + static_cast<uint64_t>(s[i] - '0');
  }
  constexpr uint64_t kMax = static_cast<uint64_t>(INT64_MAX);
  if (negative) {
    if (v > kMax + 1) return false;
    *value = v == kMax + 1 ? INT64_MIN : -static_cast<int64_t>(v);
  } else {
    if (v > kMax) return false;
    *value = static_cast<int64_t>(v);
  }
  return true;
}

// isspace() in the C locale, which is what sdssplitargs skips between arguments.
bool IsSpace(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r';
}

bool IsHexDigit(char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return c - 'A' + 10;
}

struct Token {
  size_t offset;  // into the line, or into storage when owned
  size_t length;
  bool owned;
};

// Splits one inline request line the way Redis's sdssplitargs does. Arguments without quotes
// are reported as positions in `line`; arguments with quotes are unescaped into *storage.
// Returns false for unbalanced quotes (or a closing quote not followed by a space).
template <typename Emit>
bool SplitInline(std::string_view line, std::string* storage, Emit emit) {
  const size_t n = line.size();
  size_t i = 0;
  while (true) {
    while (i < n && IsSpace(line[i])) ++i;
    if (i == n) return true;

    const size_t start = i;
    size_t end = i;
    bool owned = false;
    size_t owned_start = 0;
    char quote = 0;  // '"' or '\'' inside a quoted part
    bool done = false;
    while (!done) {
      if (quote != 0) {
        if (i == n) return false;
        const char c = line[i];
        if (quote == '"' && c == '\\' && i + 3 < n && line[i + 1] == 'x' &&
            IsHexDigit(line[i + 2]) && IsHexDigit(line[i + 3])) {
          storage->push_back(static_cast<char>(HexValue(line[i + 2]) * 16 + HexValue(line[i + 3])));
          i += 4;
        } else if (quote == '"' && c == '\\' && i + 1 < n) {
          // "\n" and its kind stand for a control character; any other escaped byte for itself.
          static constexpr std::string_view kLetters = "nrtba", kControls = "\n\r\t\b\a";
          const size_t k = kLetters.find(line[i + 1]);
          storage->push_back(k == std::string_view::npos ? line[i + 1] : kControls[k]);
          i += 2;
        } else if (quote == '\'' && c == '\\' && i + 1 < n && line[i + 1] == '\'') {
          storage->push_back('\'');
          i += 2;
        } else if (c == quote) {
          if (i + 1 < n && !IsSpace(line[i + 1])) return false;
          done = true;
          ++i;
        } else {
          storage->push_back(c);
          ++i;
        }
      } else if (i == n) {
        end = i;
        done = true;
      } else {
        const char c = line[i];
        if (c == ' ' || c == '\n' || c == '\r' || c == '\t') {
          // Only these end an unquoted argument; \v and \f are part of it (as in Redis).
          end = i;
          done = true;
          ++i;
        } else if (c == '"' || c == '\'') {
          // A quote may start mid-argument (`a"b c"` is one argument "ab c"): copy what came
          // before it and continue in storage.
          owned = true;
          owned_start = storage->size();
          storage->append(line.substr(start, i - start));
          quote = c;
          ++i;
        } else {
          ++i;
        }
      }
    }
    if (owned) {
      emit(Token{owned_start, storage->size() - owned_start, true});
    } else {
      emit(Token{start, end - start, false});
    }
  }
}

}  // namespace

void RequestParser::ResetRequest() {
  kind_ = Kind::kUnknown;
  multibulk_count_ = 0;
  multibulk_args_start_ = 0;
  multibulk_remaining_ = 0;
  bulk_length_ = -1;
  pos_ = 0;
  scan_ = 0;
  // A 64 KB inline line can hold 32,768 arguments: do not keep their table for every later
  // command of the connection.
  if (arg_spans_.capacity() > kKeptArgSpans)
    std::vector<ArgSpan>().swap(arg_spans_);
  else
    arg_spans_.clear();
}

size_t RequestParser::memory() const {
  return arg_spans_.capacity() * sizeof(ArgSpan) + inline_storage_.capacity();
}

void RequestParser::Reset() {
  ResetRequest();
  consumed_ = 0;
  error_.clear();
  inline_storage_.clear();
}

RequestParser::Step RequestParser::Fail(std::string message) {
  // Error replies are one line: CR/LF in an echoed byte would break the protocol stream, so
  // they become spaces, as addReplyErrorFormat does.
  std::replace(message.begin(), message.end(), '\r', ' ');
  std::replace(message.begin(), message.end(), '\n', ' ');
  error_ = std::move(message);
  return Step::kError;
}

ParseStatus RequestParser::Parse(std::string_view input, std::vector<std::string_view>* args) {
  args->clear();
  consumed_ = 0;
  // The previous command's views into inline_storage_ end here (see the contract).
  if (inline_storage_.capacity() > kKeptInlineBytes) std::string().swap(inline_storage_);
  size_t base = 0;  // where the request in progress starts in `input`
  while (base < input.size()) {
    const std::string_view req = input.substr(base);
    if (kind_ == Kind::kUnknown) kind_ = req[0] == '*' ? Kind::kMultibulk : Kind::kInline;
    const Step step = kind_ == Kind::kInline ? ParseInline(req) : ParseMultibulk(req);
    if (step == Step::kNeedMore) break;
    if (step == Step::kError) {
      ResetRequest();
      consumed_ = base;
      return ParseStatus::kError;
    }
    const size_t used = pos_;
    if (kind_ == Kind::kMultibulk ? multibulk_count_ <= 0 : arg_spans_.empty()) {
      // Empty line or `*0` / `*-N`: nothing to run; carry on with the next request.
      ResetRequest();
      base += used;
      continue;
    }
    if (kind_ == Kind::kMultibulk) {
      CollectMultibulk(req, args);
    } else {
      args->reserve(arg_spans_.size());
      for (const ArgSpan& a : arg_spans_) {
        args->push_back(a.owned ? std::string_view(inline_storage_).substr(a.offset, a.length)
                                : req.substr(a.offset, a.length));
      }
    }
    ResetRequest();
    consumed_ = base + used;
    return ParseStatus::kCommand;
  }
  consumed_ = base;
  return ParseStatus::kNeedMore;
}

RequestParser::Step RequestParser::FindCr(std::string_view req, size_t line_start,
                                          const char* too_big_error, size_t* cr) {
  // Search no further than kInlineMaxSize + 1 bytes into the line: a line that long is too big
  // whether or not its end has arrived (see the header).
  const size_t limit = std::min(req.size(), line_start + kInlineMaxSize + 1);
  const size_t from = std::max(scan_, line_start);
  const void* hit = from < limit ? std::memchr(req.data() + from, '\r', limit - from) : nullptr;
  if (hit == nullptr) {
    if (req.size() - line_start > kInlineMaxSize) return Fail(too_big_error);
    scan_ = limit;
    return Step::kNeedMore;
  }
  *cr = static_cast<size_t>(static_cast<const char*>(hit) - req.data());
  scan_ = *cr;
  // Redis wants one more byte after the CR and skips it without looking at it.
  return *cr + 2 <= req.size() ? Step::kDone : Step::kNeedMore;
}

RequestParser::Step RequestParser::ParseInline(std::string_view req) {
  const size_t limit = std::min(req.size(), kInlineMaxSize + 1);
  const size_t from = scan_;
  const void* hit = from < limit ? std::memchr(req.data() + from, '\n', limit - from) : nullptr;
  if (hit == nullptr) {
    if (req.size() > kInlineMaxSize) return Fail("Protocol error: too big inline request");
    scan_ = limit;
    return Step::kNeedMore;
  }
  const size_t newline = static_cast<size_t>(static_cast<const char*>(hit) - req.data());
  size_t line_length = newline;
  if (line_length > 0 && req[line_length - 1] == '\r') --line_length;

  inline_storage_.clear();
  arg_spans_.clear();
  const bool balanced = SplitInline(req.substr(0, line_length), &inline_storage_, [&](Token t) {
    arg_spans_.push_back(ArgSpan{t.offset, t.length, t.owned});
  });
  if (!balanced) {
    arg_spans_.clear();
    return Fail("Protocol error: unbalanced quotes in request");
  }
  pos_ = newline + 1;
  return Step::kDone;
}

RequestParser::Step RequestParser::ParseMultibulk(std::string_view req) {
  if (multibulk_remaining_ == 0) {
    size_t cr = 0;
    const Step found = FindCr(req, 0, "Protocol error: too big mbulk count string", &cr);
    if (found != Step::kDone) return found;
    int64_t n = 0;
    if (!ParseLength(req.substr(1, cr - 1), &n) || n > kMaxMultibulkLength) {
      return Fail("Protocol error: invalid multibulk length");
    }
    if (n > kUnauthMaxMultibulkLength && !limits_.authenticated) {
      return Fail("Protocol error: unauthenticated multibulk length");
    }
    pos_ = cr + 2;
    scan_ = pos_;
    if (n <= 0) return Step::kDone;  // no arguments: the caller skips it
    multibulk_count_ = n;
    multibulk_remaining_ = n;
    multibulk_args_start_ = pos_;
  }

  while (multibulk_remaining_ > 0) {
    if (bulk_length_ < 0) {
      size_t cr = 0;
      const Step found = FindCr(req, pos_, "Protocol error: too big bulk count string", &cr);
      if (found != Step::kDone) return found;
      if (req[pos_] != '$') {
        // Redis formats the byte with %c into a C string, so a NUL ends the message there.
        std::string message = "Protocol error: expected '$', got '";
        if (req[pos_] != '\0') message.append(1, req[pos_]).append("'");
        return Fail(std::move(message));
      }
      int64_t length = 0;
      if (!ParseLength(req.substr(pos_ + 1, cr - pos_ - 1), &length) || length < 0 ||
          length > limits_.max_bulk_length) {
        return Fail("Protocol error: invalid bulk length");
      }
      if (length > kUnauthMaxBulkLength && !limits_.authenticated) {
        return Fail("Protocol error: unauthenticated bulk length");
      }
      pos_ = cr + 2;
      bulk_length_ = length;
    }
    const size_t length = static_cast<size_t>(bulk_length_);
    // The payload is followed by two bytes that Redis skips without checking for CRLF.
    if (req.size() - pos_ < length + 2) return Step::kNeedMore;
    pos_ += length + 2;
    scan_ = pos_;
    bulk_length_ = -1;
    --multibulk_remaining_;
  }
  return Step::kDone;
}

void RequestParser::CollectMultibulk(std::string_view req,
                                     std::vector<std::string_view>* args) const {
  // Every `$L\r\n` header here was validated on the way in; only its digits are read again.
  // The table is allocated now, for the command about to run, and sized exactly.
  args->reserve(static_cast<size_t>(multibulk_count_));
  size_t p = multibulk_args_start_;
  for (int64_t i = 0; i < multibulk_count_; ++i) {
    size_t length = 0;
    for (++p; req[p] != '\r'; ++p) length = length * 10 + static_cast<size_t>(req[p] - '0');
    p += 2;
    args->push_back(req.substr(p, length));
    p += length + 2;
  }
}

}  // namespace resp
