#include "resp/reply_writer.h"

#include <algorithm>
#include <charconv>
#include <cmath>

namespace resp {
namespace {

// Longest "<prefix><int64>\r\n": 1 + 20 + 2.
constexpr size_t kHeaderMax = 24;

void AppendHeader(std::string* out, char prefix, int64_t n) {
  char buf[kHeaderMax];
  buf[0] = prefix;
  char* end = std::to_chars(buf + 1, buf + sizeof buf - 2, n).ptr;
  *end++ = '\r';
  *end++ = '\n';
  out->append(buf, static_cast<size_t>(end - buf));
}

void AppendHeader(std::string* out, char prefix, size_t n) {
  char buf[kHeaderMax];
  buf[0] = prefix;
  char* end = std::to_chars(buf + 1, buf + sizeof buf - 2, n).ptr;
  *end++ = '\r';
  *end++ = '\n';
  out->append(buf, static_cast<size_t>(end - buf));
}

// A simple string or error is one line: CR or LF inside it would end the reply early and the
// rest would be read as another reply.
void AppendLine(std::string* out, char prefix, std::string_view s) {
  out->push_back(prefix);
  const size_t start = out->size();
  out->append(s);
  std::replace_if(
      out->begin() + static_cast<std::ptrdiff_t>(start), out->end(),
      [](char c) { return c == '\r' || c == '\n'; }, ' ');
  out->append("\r\n", 2);
}

// "%.17g" as Redis 7.0 prints doubles, with inf/nan spelled explicitly so the output does not
// depend on libc ("-nan" from glibc for a negative NaN, for instance).
std::string_view FormatDouble(double d, char (&buf)[32]) {
  if (std::isnan(d)) return "nan";
  if (std::isinf(d)) return d > 0 ? "inf" : "-inf";
  char* end = std::to_chars(buf, buf + sizeof buf, d, std::chars_format::general, 17).ptr;
  return std::string_view(buf, static_cast<size_t>(end - buf));
}

}  // namespace

void ReplyWriter::Simple(std::string_view s) { AppendLine(out_, '+', s); }

void ReplyWriter::Error(std::string_view s) { AppendLine(out_, '-', s); }

void ReplyWriter::Integer(int64_t n) { AppendHeader(out_, ':', n); }

void ReplyWriter::BulkHeader(size_t n) { AppendHeader(out_, '$', n); }

void ReplyWriter::Bulk(std::string_view s) {
  BulkHeader(s.size());
  out_->append(s);
  out_->append("\r\n", 2);
}

void ReplyWriter::Null() {
  if (protocol_ >= 3) {
    out_->append("_\r\n", 3);
  } else {
    out_->append("$-1\r\n", 5);
  }
}

void ReplyWriter::NullArray() {
  if (protocol_ >= 3) {
    out_->append("_\r\n", 3);
  } else {
    out_->append("*-1\r\n", 5);
  }
}

void ReplyWriter::ArrayHeader(size_t n) { AppendHeader(out_, '*', n); }

void ReplyWriter::MapHeader(size_t pairs) {
  if (protocol_ >= 3) {
    AppendHeader(out_, '%', pairs);
  } else {
    AppendHeader(out_, '*', pairs * 2);
  }
}

void ReplyWriter::SetHeader(size_t n) { AppendHeader(out_, protocol_ >= 3 ? '~' : '*', n); }

void ReplyWriter::PushHeader(size_t n) { AppendHeader(out_, protocol_ >= 3 ? '>' : '*', n); }

void ReplyWriter::Double(double d) {
  char buf[32];
  const std::string_view repr = FormatDouble(d, buf);
  if (protocol_ >= 3) {
    out_->push_back(',');
    out_->append(repr);
    out_->append("\r\n", 2);
  } else {
    Bulk(repr);
  }
}

void ReplyWriter::Boolean(bool b) {
  if (protocol_ >= 3) {
    out_->append(b ? "#t\r\n" : "#f\r\n", 4);
  } else {
    out_->append(b ? ":1\r\n" : ":0\r\n", 4);
  }
}

void ReplyWriter::Verbatim(std::string_view format, std::string_view text) {
  if (protocol_ < 3) {
    Bulk(text);
    return;
  }
  AppendHeader(out_, '=', text.size() + 4);
  // The format is exactly three bytes: Redis pads a short one with spaces and cuts a long one.
  for (size_t i = 0; i < 3; ++i) out_->push_back(i < format.size() ? format[i] : ' ');
  out_->push_back(':');
  out_->append(text);
  out_->append("\r\n", 2);
}

void ReplyWriter::BigNumber(std::string_view digits) {
  if (protocol_ < 3) {
    Bulk(digits);
    return;
  }
  out_->push_back('(');
  out_->append(digits);
  out_->append("\r\n", 2);
}

void ReplyWriter::Raw(std::string_view bytes) { out_->append(bytes); }

std::string SimpleReply(std::string_view s) {
  return BuildReply(2, [s](ReplyWriter& w) { w.Simple(s); });
}

std::string ErrorReply(std::string_view s) {
  return BuildReply(2, [s](ReplyWriter& w) { w.Error(s); });
}

std::string IntegerReply(int64_t n) {
  return BuildReply(2, [n](ReplyWriter& w) { w.Integer(n); });
}

std::string BulkReply(std::string_view s) {
  std::string out;
  out.reserve(s.size() + kHeaderMax);  // records are large: one allocation
  ReplyWriter(&out, 2).Bulk(s);
  return out;
}

std::optional<std::string_view> BulkPayload(std::string_view reply) {
  if (!reply.starts_with("$") || reply.starts_with("$-1")) return std::nullopt;
  const size_t start = reply.find("\r\n");
  if (start == std::string_view::npos || reply.size() < start + 4) return std::nullopt;
  return reply.substr(start + 2, reply.size() - start - 4);
}

std::string NullReply(int protocol) {
  return BuildReply(protocol, [](ReplyWriter& w) { w.Null(); });
}

}  // namespace resp
