// Decoding WHOIS replies to UTF-8. WHOIS (RFC 3912) has no way to declare a charset: each server
// sends what it likes (iso-8859-1 for registro.br, norid, .fi; iso-2022-jp for whois.nic.ad.jp),
// so the server directory names the charset and this turns the bytes into UTF-8.
//
// Uses glibc's iconv. Never fails hard: a byte sequence that is invalid in the named charset
// becomes U+FFFD, so a broken or hostile reply still yields text.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace whois {

struct DecodedText {
  std::string utf8;     // always valid UTF-8
  size_t replaced = 0;  // how many invalid sequences became U+FFFD
  // Empty, or why the named charset was not used, e.g. "unknown charset 'klingon'; decoded as
  // UTF-8". The text is still usable.
  std::string warning;
};

// Decodes `bytes` from `charset` (any name iconv knows, case-insensitive: "utf-8", "latin1",
// "iso-8859-1", "iso-2022-jp", "cp1252" ...). An empty charset means UTF-8. For UTF-8 (the
// common case) the input is validated without iconv and returned unchanged when valid.
DecodedText DecodeToUtf8(std::string_view bytes, std::string_view charset);

// Replaces every invalid UTF-8 sequence with U+FFFD; returns how many were replaced.
size_t SanitizeUtf8(std::string_view bytes, std::string* out);

}  // namespace whois
