// Turning what a client sends to GET (a domain, a host name, a URL, an internationalised name)
// into the one registrable domain whose WHOIS record it asks for. The `domain` string is the
// cache key, so every spelling of one domain must give the same bytes, and normalising an
// already normalised domain must return it unchanged.
//
// The steps, in order:
//   1. Take the host out of an http(s) URL ("https://user:pw@www.example.com:8443/p?q#f"),
//      a scheme-relative URL ("//example.com/x") or a bare "host[:port][/path]".
//   2. Percent-decode the host (as browsers do), map the ideographic and full-width full stops
//      (U+3002, U+FF0E, U+FF61) to '.', drop one trailing dot.
//   3. Convert each label to an IDNA2008 A-label with libidn2 (UTS #46 non-transitional, NFC).
//      Plain ASCII labels are only lower-cased and checked against the host-name rules, which
//      (unlike IDNA2008) allow "--" in positions 3-4: "r3---sn-x.googlevideo.com" is a real host.
//   4. Cut the name down to its registrable domain with the ICANN section of the Public Suffix
//      List. Private suffixes (github.io, blogspot.com) are not boundaries: WHOIS knows only
//      the registration at the ICANN level. A TLD missing from the list follows the "*" rule.
//
// Anything that cannot name a registrable domain is a NameError whose reason says why. The
// output strings never contain anything outside [a-z0-9.-].
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>

#include "util/status.h"

struct psl_ctx_st;  // libpsl's list, kept out of this header

namespace whois {

// Limits enforced by Normalize. Inputs longer than kMaxInputBytes are refused before any
// parsing, which bounds the work a client can cause.
inline constexpr size_t kMaxInputBytes = 2048;
inline constexpr size_t kMaxLabelOctets = 63;
inline constexpr size_t kMaxNameOctets = 253;  // without the trailing dot

struct DomainName {
  // Registrable domain as IDNA2008 A-labels, lower case, no trailing dot: "example.co.uk",
  // "xn--bcher-kva.de".
  std::string domain;
  // U-label form of `domain` when it differs ("bücher.de"), else empty.
  std::string unicode;
  // Last label of `domain`, as an A-label: "uk", "de", "xn--p1ai".
  std::string tld;
  // The full host name after normalisation, A-labels: "www.example.co.uk".
  std::string host;
};

class DomainNormalizer {
 public:
  // Loads the Public Suffix List from `psl_file` (the DAFSA that Debian's publicsuffix package
  // ships, or a public_suffix_list.dat). On failure returns IOError (the file cannot be read) or
  // InvalidArgument (it is not a list); never a null pointer. A file that loads but does not know
  // the ICANN suffix "co.uk" is refused as not a usable list.
  static util::StatusOr<std::unique_ptr<DomainNormalizer>> Open(const std::string& psl_file);

  DomainNormalizer(const DomainNormalizer&) = delete;
  DomainNormalizer& operator=(const DomainNormalizer&) = delete;
  ~DomainNormalizer();

  // Returns the registrable domain that `input` names, or InvalidArgument saying why it names
  // none, in words a user can act on ("label longer than 63 octets: 'aaaa...'"; pieces of the
  // input quoted in it are escaped, so it never holds control characters). Pure apart from
  // reading the loaded list; thread-compatible (const, safe to call concurrently). Work is
  // linear in the input, which is at most kMaxInputBytes.
  util::StatusOr<DomainName> Normalize(std::string_view input) const;

 private:
  explicit DomainNormalizer(psl_ctx_st* psl) : psl_(psl) {}

  // Owned; read-only after Open. libpsl lookups do not modify it.
  psl_ctx_st* psl_;
};

}  // namespace whois
