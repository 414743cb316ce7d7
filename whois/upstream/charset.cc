#include "whois/upstream/charset.h"

#include <errno.h>
#include <iconv.h>

#include <algorithm>
#include <cctype>

namespace whois {
namespace {

constexpr std::string_view kReplacement = "\xEF\xBF\xBD";  // U+FFFD in UTF-8

std::string Lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

bool IsUtf8Name(const std::string& lower) {
  return lower.empty() || lower == "utf-8" || lower == "utf8";
}

// Length of the valid UTF-8 sequence starting at s[0], or 0 if it is invalid (overlong forms,
// surrogates and code points above U+10FFFF are invalid).
size_t ValidSequenceLength(std::string_view s) {
  auto b = [&](size_t i) { return static_cast<unsigned char>(s[i]); };
  unsigned char c = b(0);
  if (c < 0x80) return 1;
  auto cont = [&](size_t i) { return i < s.size() && (b(i) & 0xC0) == 0x80; };
  if (c >= 0xC2 && c <= 0xDF) return cont(1) ? 2 : 0;
  if (c >= 0xE0 && c <= 0xEF) {
    if (!cont(1) || !cont(2)) return 0;
    if (c == 0xE0 && b(1) < 0xA0) return 0;   // overlong
    if (c == 0xED && b(1) >= 0xA0) return 0;  // surrogate
    return 3;
  }
  if (c >= 0xF0 && c <= 0xF4) {
    if (!cont(1) || !cont(2) || !cont(3)) return 0;
    if (c == 0xF0 && b(1) < 0x90) return 0;   // overlong
    if (c == 0xF4 && b(1) >= 0x90) return 0;  // above U+10FFFF
    return 4;
  }
  return 0;
}

// RAII for iconv_t.
class Converter {
 public:
  explicit Converter(const std::string& from) : cd_(iconv_open("UTF-8", from.c_str())) {}
  ~Converter() {
    if (ok()) iconv_close(cd_);
  }
  Converter(const Converter&) = delete;
  Converter& operator=(const Converter&) = delete;
  bool ok() const { return cd_ != reinterpret_cast<iconv_t>(-1); }
  iconv_t get() const { return cd_; }

 private:
  iconv_t cd_;
};

}  // namespace

size_t SanitizeUtf8(std::string_view bytes, std::string* out) {
  size_t replaced = 0;
  out->reserve(out->size() + bytes.size());
  size_t i = 0;
  while (i < bytes.size()) {
    // Fast path over ASCII runs.
    size_t j = i;
    while (j < bytes.size() && static_cast<unsigned char>(bytes[j]) < 0x80) ++j;
    out->append(bytes.substr(i, j - i));
    i = j;
    if (i >= bytes.size()) break;
    size_t n = ValidSequenceLength(bytes.substr(i));
    if (n == 0) {
      out->append(kReplacement);
      ++replaced;
      ++i;
    } else {
      out->append(bytes.substr(i, n));
      i += n;
    }
  }
  return replaced;
}

DecodedText DecodeToUtf8(std::string_view bytes, std::string_view charset) {
  DecodedText result;
  std::string name = Lower(charset);
  if (IsUtf8Name(name)) {
    result.replaced = SanitizeUtf8(bytes, &result.utf8);
    return result;
  }
  Converter conv(name);
  if (!conv.ok()) {
    result.warning = "unknown charset '" + std::string(charset) + "'; decoded as UTF-8";
    result.replaced = SanitizeUtf8(bytes, &result.utf8);
    return result;
  }

  std::string out;
  out.reserve(bytes.size() + bytes.size() / 2 + 16);
  // iconv's API takes a non-const input pointer but does not write through it.
  char* in = const_cast<char*>(bytes.data());
  size_t in_left = bytes.size();
  char buf[4096];
  bool flushed = false;
  while (!flushed) {
    char* dst = buf;
    size_t dst_left = sizeof(buf);
    size_t rc;
    if (in_left > 0) {
      rc = iconv(conv.get(), &in, &in_left, &dst, &dst_left);
    } else {
      // End of input: let a stateful charset (iso-2022-jp) emit its reset sequence.
      rc = iconv(conv.get(), nullptr, nullptr, &dst, &dst_left);
      flushed = rc != static_cast<size_t>(-1) || errno != E2BIG;
    }
    out.append(buf, static_cast<size_t>(dst - buf));
    if (rc != static_cast<size_t>(-1)) continue;
    if (errno == E2BIG) continue;  // output buffer full: drain and go on
    if (errno == EILSEQ || errno == EINVAL) {
      // EILSEQ: invalid sequence; EINVAL: truncated sequence at the end of the input.
      out.append(kReplacement);
      ++result.replaced;
      if (in_left > 0) {
        ++in;
        --in_left;
      }
      continue;
    }
    break;  // unexpected error: keep what we have
  }
  // iconv's output is UTF-8 by construction; sanitise anyway so the contract holds even if a
  // converter misbehaves.
  result.replaced += SanitizeUtf8(out, &result.utf8);
  return result;
}

}  // namespace whois
