#include "whois/names/domain_name.h"

#include <idn2.h>
#include <libpsl.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <optional>

#include "util/ascii.h"

namespace whois {
namespace {

// Longest piece of the input quoted in an error reason.
constexpr size_t kMaxQuotedBytes = 40;

// Full stops that UTS #46 maps to U+002E, as UTF-8. They are mapped before the name is split
// into labels, so "a。b.jp" and "a.b.jp" are split alike.
constexpr std::string_view kIdeographicFullStop = "\xE3\x80\x82";       // U+3002
constexpr std::string_view kFullwidthFullStop = "\xEF\xBC\x8E";         // U+FF0E
constexpr std::string_view kHalfwidthIdeographicStop = "\xEF\xBD\xA1";  // U+FF61

// libidn2 flags: UTS #46 non-transitional processing, as browsers do since 2017 ("faß.de" is
// "xn--fa-hia.de", not "fass.de"). There is no fallback to transitional processing: it maps
// ß/ς/ZWJ/ZWNJ away, which would name a different registration than the one the client wrote.
// IDN2_USE_STD3_ASCII_RULES is deliberately absent: libidn2 2.3 silently drops STD3-disallowed
// characters ("a_b" became "ab"); without it they pass through and our own check rejects them.
constexpr int kIdnaFlags = IDN2_NFC_INPUT | IDN2_NONTRANSITIONAL;

// Every refusal is InvalidArgument: the input names no domain.
util::Status Error(std::string reason) { return util::Status::InvalidArgument(std::move(reason)); }

bool IsAsciiAlpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool IsAsciiDigit(char c) { return c >= '0' && c <= '9'; }
bool IsLdh(char c) { return IsAsciiAlpha(c) || IsAsciiDigit(c) || c == '-'; }

// Quotes a piece of untrusted input for an error reason: printable ASCII as is, every other
// byte as \xHH, cut at kMaxQuotedBytes.
std::string Quote(std::string_view s) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out = "'";
  for (size_t i = 0; i < s.size() && i < kMaxQuotedBytes; ++i) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    if (c >= 0x20 && c < 0x7F && c != '\\' && c != '\'') {
      out += static_cast<char>(c);
    } else {
      out += "\\x";
      out += kHex[c >> 4];
      out += kHex[c & 0xF];
    }
  }
  if (s.size() > kMaxQuotedBytes) out += "...";
  out += '\'';
  return out;
}

std::string DescribeByte(unsigned char c) {
  if (c == ' ') return "a space";
  if (c < 0x20 || c == 0x7F) {
    char buf[8];
    std::snprintf(buf, sizeof buf, "0x%02X", c);
    return std::string("control character ") + buf;
  }
  return std::string("'") + static_cast<char>(c) + "'";
}

// ---- Step 1: the host out of a URL or host[:port][/path] ----

bool IsSchemeChar(char c) {
  return IsAsciiAlpha(c) || IsAsciiDigit(c) || c == '+' || c == '-' || c == '.';
}

bool IsAllDigits(std::string_view s) {
  for (char c : s) {
    if (!IsAsciiDigit(c)) return false;
  }
  return true;
}

// Port as a URL allows it: empty (WHATWG accepts "host:") or a decimal number up to 65535.
bool IsValidPort(std::string_view port) {
  if (port.size() > 5 || !IsAllDigits(port)) return false;
  unsigned value = 0;
  for (char c : port) value = value * 10 + static_cast<unsigned>(c - '0');
  return value <= 65535;
}

// Sets *host to the host part of `input`, a view into it. Returns the error otherwise.
util::Status ExtractHost(std::string_view input, std::string_view* host) {
  std::string_view rest = input;
  bool is_url = false;

  // A scheme is ALPHA *(ALPHA / DIGIT / "+" / "-" / ".") followed by ':'.
  size_t k = 0;
  if (!input.empty() && IsAsciiAlpha(input[0])) {
    while (k < input.size() && IsSchemeChar(input[k])) ++k;
  }
  if (k > 0 && k < input.size() && input[k] == ':') {
    std::string_view scheme = input.substr(0, k);
    std::string_view after = input.substr(k + 1);
    bool http = util::EqualsIgnoreCase(scheme, "http") || util::EqualsIgnoreCase(scheme, "https");
    if (after.substr(0, 2) == "//") {
      if (!http) {
        return Error("URL scheme " + Quote(scheme) + " is not supported; only http and https");
      }
      is_url = true;
      rest = after.substr(2);
    } else {
      // "example.com:80/x" is a host and port, not a scheme.
      std::string_view port = after.substr(0, after.find_first_of("/?#"));
      if (!IsAllDigits(port)) {
        if (port.find(':') != std::string_view::npos) {
          return Error("IP addresses are not supported");  // "fe80::1"
        }
        if (http) return Error("URL has no host: expected '//' after the scheme");
        if (scheme.find('.') != std::string_view::npos) {
          return Error("invalid port " + Quote(port));
        }
        return Error("URL scheme " + Quote(scheme) + " is not supported; only http and https");
      }
    }
  } else if (input.substr(0, 2) == "//") {
    is_url = true;
    rest = input.substr(2);
  }

  // WHATWG treats '\' like '/' in http(s) URLs; in a bare name it is an invalid character.
  std::string_view authority = rest.substr(0, rest.find_first_of(is_url ? "/?#\\" : "/?#"));
  size_t at = authority.rfind('@');
  if (at != std::string_view::npos) {
    if (!is_url) {
      return Error("'@' is only allowed in the user-info part of an http(s) URL");
    }
    authority = authority.substr(at + 1);
  }
  if (authority.empty()) return Error(is_url ? "URL has no host" : "empty name");
  if (authority[0] == '[') return Error("IP addresses are not supported");

  size_t colon = authority.find(':');
  if (colon != std::string_view::npos) {
    std::string_view port = authority.substr(colon + 1);
    if (port.find(':') != std::string_view::npos) {
      return Error("IP addresses are not supported");  // unbracketed IPv6
    }
    if (!IsValidPort(port)) return Error("invalid port " + Quote(port));
    authority = authority.substr(0, colon);
  }
  if (authority.empty()) return Error(is_url ? "URL has no host" : "empty name");
  *host = authority;
  return util::Status::OK();
}

// ---- Step 2: percent-decoding, character checks, full stops ----

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// One pass only: "%2541" becomes "%41", whose '%' the character check then rejects, so nothing
// is decoded twice.
util::Status PercentDecode(std::string_view in, std::string* out) {
  out->clear();
  out->reserve(in.size());
  for (size_t i = 0; i < in.size(); ++i) {
    if (in[i] != '%') {
      *out += in[i];
      continue;
    }
    int hi = i + 2 < in.size() ? HexValue(in[i + 1]) : -1;
    int lo = hi >= 0 ? HexValue(in[i + 2]) : -1;
    if (lo < 0) return Error("invalid percent-encoding in host name");
    *out += static_cast<char>(hi * 16 + lo);
    i += 2;
  }
  return util::Status::OK();
}

// Length of the valid UTF-8 sequence starting at s[i], or 0 (overlong forms, surrogates and
// code points above U+10FFFF are invalid).
size_t Utf8SequenceLength(std::string_view s, size_t i) {
  auto byte = [&](size_t j) { return j < s.size() ? static_cast<unsigned char>(s[j]) : 0u; };
  auto cont = [&](size_t j) { return (byte(j) & 0xC0) == 0x80; };
  unsigned c = byte(i);
  if (c >= 0xC2 && c <= 0xDF) return cont(i + 1) ? 2 : 0;
  if (c >= 0xE0 && c <= 0xEF) {
    unsigned c1 = byte(i + 1);
    if (c == 0xE0 && c1 < 0xA0) return 0;
    if (c == 0xED && c1 >= 0xA0) return 0;
    return cont(i + 1) && cont(i + 2) ? 3 : 0;
  }
  if (c >= 0xF0 && c <= 0xF4) {
    unsigned c1 = byte(i + 1);
    if (c == 0xF0 && c1 < 0x90) return 0;
    if (c == 0xF4 && c1 >= 0x90) return 0;
    return cont(i + 1) && cont(i + 2) && cont(i + 3) ? 4 : 0;
  }
  return 0;
}

bool IsFullStopVariant(std::string_view seq) {
  return seq == kIdeographicFullStop || seq == kFullwidthFullStop ||
         seq == kHalfwidthIdeographicStop;
}

// Checks that `in` holds only letters, digits, '-', '.' and valid UTF-8. Sets *result to `in`,
// or, when it contains one of the UTS #46 full stops, to a copy in *mapped with them mapped to
// '.' (so the common case copies nothing).
util::Status CheckCharacters(std::string_view in, std::string* mapped, std::string_view* result) {
  bool has_full_stop = false;
  for (size_t i = 0; i < in.size();) {
    unsigned char c = static_cast<unsigned char>(in[i]);
    if (c < 0x80) {
      if (!IsLdh(static_cast<char>(c)) && c != '.') {
        return Error("host name contains " + DescribeByte(c) +
                     "; only letters, digits, '-' and '.' are allowed");
      }
      ++i;
      continue;
    }
    size_t n = Utf8SequenceLength(in, i);
    if (n == 0) return Error("host name is not valid UTF-8");
    has_full_stop = has_full_stop || IsFullStopVariant(in.substr(i, n));
    i += n;
  }
  *result = in;
  if (!has_full_stop) return util::Status::OK();
  mapped->clear();
  mapped->reserve(in.size());
  for (size_t i = 0; i < in.size();) {
    size_t n = static_cast<unsigned char>(in[i]) < 0x80 ? 1 : Utf8SequenceLength(in, i);
    std::string_view seq = in.substr(i, n);
    if (IsFullStopVariant(seq)) {
      *mapped += '.';
    } else {
      mapped->append(seq);
    }
    i += n;
  }
  *result = *mapped;
  return util::Status::OK();
}

// ---- Step 3: labels to A-labels ----

bool IsAscii(std::string_view s) {
  for (char c : s) {
    if (static_cast<unsigned char>(c) >= 0x80) return false;
  }
  return true;
}

// Host-name rules for one converted label (RFC 1123 section 2.1 with RFC 5891's length).
util::Status CheckLdhLabel(std::string_view label) {
  if (label.size() > kMaxLabelOctets) {
    return Error("label longer than 63 octets: " + Quote(label));
  }
  for (char c : label) {
    if (!IsLdh(c)) {
      return Error("label " + Quote(label) + " contains " +
                   DescribeByte(static_cast<unsigned char>(c)) + " after IDNA mapping");
    }
  }
  if (label.front() == '-' || label.back() == '-') {
    return Error("label starts or ends with a hyphen: " + Quote(label));
  }
  return util::Status::OK();
}

// True if `alabel` decodes to a U-label that encodes back to `alabel` exactly.
bool RoundTrips(std::string_view alabel, std::string* scratch) {
  scratch->assign(alabel);
  char* ulabel = nullptr;
  if (idn2_to_unicode_8z8z(scratch->c_str(), &ulabel, 0) != IDN2_OK || ulabel == nullptr) {
    idn2_free(ulabel);
    return false;
  }
  uint8_t* again = nullptr;
  int rc = idn2_lookup_u8(reinterpret_cast<const uint8_t*>(ulabel), &again, kIdnaFlags);
  bool same = rc == IDN2_OK && again != nullptr &&
              util::EqualsIgnoreCase(reinterpret_cast<const char*>(again), alabel);
  idn2_free(again);
  idn2_free(ulabel);
  return same;
}

// Appends the A-label form of `label` (non-empty, characters already checked) to *out.
// `scratch` is a buffer reused across labels for the NUL-terminated copy libidn2 needs.
util::Status AppendALabel(std::string_view label, std::string* scratch, std::string* out) {
  size_t start = out->size();
  bool ace = label.size() >= 4 && util::EqualsIgnoreCase(label.substr(0, 4), "xn--");
  if (IsAscii(label) && !ace) {
    // Plain LDH: lower-casing is all UTS #46 would do. Unlike libidn2 this accepts "--" in the
    // third and fourth positions, which real host names have ("r3---sn-x.googlevideo.com").
    for (char c : label) *out += util::ToLower(c);
  } else {
    scratch->assign(label);
    uint8_t* converted = nullptr;
    int rc =
        idn2_lookup_u8(reinterpret_cast<const uint8_t*>(scratch->c_str()), &converted, kIdnaFlags);
    if (rc != IDN2_OK) {
      idn2_free(converted);
      return Error("invalid internationalised label " + Quote(label) + ": " + idn2_strerror(rc));
    }
    for (const uint8_t* p = converted; *p != 0; ++p) *out += util::ToLower(static_cast<char>(*p));
    idn2_free(converted);
    if (out->size() == start)
      return Error("label " + Quote(label) + " is empty after IDNA mapping");
    // An A-label given as such must be what its own U-label encodes to: libidn2 accepts some
    // "xn--" labels whose decoded form IDNA2008 maps to something else (compatibility
    // characters such as U+3235), and such a name would have a `unicode` that is not itself.
    if (ace && !RoundTrips(std::string_view(*out).substr(start), scratch))
      return Error("A-label " + Quote(label) + " does not decode to a valid IDNA2008 label");
  }
  return CheckLdhLabel(std::string_view(*out).substr(start));
}

// A host name whose last label is a number is an IPv4 address to a URL parser ("1.2.3.4",
// "10.1", "0x7f.1"), and no TLD is numeric.
bool EndsInNumber(std::string_view name) {
  std::string_view last = name.substr(name.rfind('.') + 1);
  if (IsAllDigits(last)) return true;
  if (last.size() < 2 || last[0] != '0' || (last[1] != 'x' && last[1] != 'X')) return false;
  for (char c : last.substr(2)) {
    if (HexValue(c) < 0) return false;
  }
  return true;
}

std::string ToUnicode(const std::string& domain) {
  if (domain.find("xn--") == std::string::npos) return {};
  char* u = nullptr;
  std::string result;
  if (idn2_to_unicode_8z8z(domain.c_str(), &u, 0) == IDN2_OK && u != nullptr && domain != u) {
    result = u;
  }
  idn2_free(u);
  return result;
}

}  // namespace

util::StatusOr<std::unique_ptr<DomainNormalizer>> DomainNormalizer::Open(
    const std::string& psl_file) {
  // psl_load_file does not say why it failed; opening the file first gives the errno.
  if (std::FILE* f = std::fopen(psl_file.c_str(), "rb")) {
    std::fclose(f);
  } else {
    return util::Status::IOError("cannot open Public Suffix List '" + psl_file +
                                 "': " + std::strerror(errno));
  }
  psl_ctx_t* psl = psl_load_file(psl_file.c_str());
  if (psl == nullptr) {
    return util::Status::InvalidArgument("'" + psl_file +
                                         "' is not a Public Suffix List (DAFSA or .dat)");
  }
  // An empty or truncated file loads "successfully" and would turn every name into its last
  // two labels; refuse it rather than cache records under wrong keys.
  if (psl_is_public_suffix2(psl, "co.uk", PSL_TYPE_ICANN) != 1) {
    psl_free(psl);
    return util::Status::InvalidArgument("Public Suffix List '" + psl_file +
                                         "' has no ICANN entry for co.uk");
  }
  return std::unique_ptr<DomainNormalizer>(new DomainNormalizer(psl));
}

DomainNormalizer::~DomainNormalizer() { psl_free(psl_); }

util::StatusOr<DomainName> DomainNormalizer::Normalize(std::string_view input) const {
  if (input.empty()) return Error("empty name");
  if (input.size() > kMaxInputBytes) {
    return Error("name longer than " + std::to_string(kMaxInputBytes) + " bytes");
  }

  std::string_view raw_host;
  if (util::Status st = ExtractHost(input, &raw_host); !st.ok()) return st;

  std::string decoded;
  std::string_view host_bytes = raw_host;
  if (raw_host.find('%') != std::string_view::npos) {
    if (util::Status st = PercentDecode(raw_host, &decoded); !st.ok()) return st;
    host_bytes = decoded;
  }
  std::string mapped;
  std::string_view labels;
  if (util::Status st = CheckCharacters(host_bytes, &mapped, &labels); !st.ok()) return st;

  if (!labels.empty() && labels.back() == '.') labels.remove_suffix(1);  // "example.com."
  if (labels.empty()) return Error("empty name");

  std::string name;
  name.reserve(labels.size() + 16);
  std::string scratch;
  for (size_t pos = 0;;) {
    size_t dot = labels.find('.', pos);
    std::string_view label = labels.substr(pos, dot == std::string_view::npos ? dot : dot - pos);
    if (label.empty()) return Error("empty label in " + Quote(raw_host));
    if (!name.empty()) name += '.';
    if (util::Status st = AppendALabel(label, &scratch, &name); !st.ok()) return st;
    if (name.size() > kMaxNameOctets) break;  // reported below; no need to convert the rest
    if (dot == std::string_view::npos) break;
    pos = dot + 1;
  }
  if (name.size() > kMaxNameOctets) {
    return Error("name longer than 253 octets: " + Quote(name));
  }
  if (EndsInNumber(name)) return Error("IP addresses are not supported");

  size_t last_dot = name.rfind('.');
  if (last_dot == std::string::npos) {
    if (psl_is_public_suffix2(psl_, name.c_str(), PSL_TYPE_ICANN | PSL_TYPE_NO_STAR_RULE) == 1) {
      return Error(Quote(name) +
                   " is a public suffix (a top-level domain), not a registrable domain");
    }
    return Error(Quote(name) + " is a single label, not a domain name");
  }

  // The registrable domain is one label more than the longest ICANN public suffix; this is
  // psl_registrable_domain() restricted to the ICANN section. Walking from the left, the first
  // suffix that is public is the longest.
  size_t label_start = 0;
  size_t registrable_start = std::string::npos;
  for (size_t pos = 0; pos != std::string::npos;) {
    if (psl_is_public_suffix2(psl_, name.c_str() + pos, PSL_TYPE_ICANN) == 1) {
      if (pos == 0) {
        return Error(Quote(name) + " is a public suffix, not a registrable domain");
      }
      registrable_start = label_start;
      break;
    }
    label_start = pos;
    size_t dot = name.find('.', pos);
    pos = dot == std::string::npos ? dot : dot + 1;
  }
  // Unreachable with the "*" default rule (the last label is always public), kept so a list
  // that behaves otherwise cannot produce a bogus key.
  if (registrable_start == std::string::npos) {
    return Error("no public suffix found for " + Quote(name));
  }

  DomainName result;
  result.domain.assign(name, registrable_start);
  result.tld.assign(name, last_dot + 1);
  result.unicode = ToUnicode(result.domain);
  result.host = std::move(name);
  return result;
}

}  // namespace whois
