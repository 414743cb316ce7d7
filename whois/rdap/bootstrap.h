// Which RDAP server answers for each top-level domain: IANA's bootstrap registry for DNS
// (RFC 9224, https://data.iana.org/rdap/dns.json) plus the operator's `rdap-server TLD URL`
// overrides.
//
// A registry file is {"version", "publication", "services": [[[labels...], [base URLs...]], ...]}.
// RdapBootstrap keeps, per entry (a TLD, or a multi-label suffix should IANA ever publish one),
// its base URLs: each validated (ParseRdapUrl), given the trailing '/' RFC 9224 §3 requires, and
// ordered https first (RFC 9224 §3: clients should prefer https). http-only entries (three
// ccTLDs in 2026) are kept; whether plain http may be used is the HTTP client's rule.
//
// Pure: no I/O, no clock, no global mutable state (Bundled() parses compiled-in data once into an
// immutable object). Not thread-safe for writers: one owner (the loop thread). Errors are values;
// nothing throws.
#pragma once

#include <cstddef>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "util/status.h"

namespace whois::rdap {

// Limits on a registry document: IANA's is about 70 KiB and 1200 TLDs.
inline constexpr size_t kMaxBootstrapBytes = size_t{4} << 20;
inline constexpr size_t kMaxBootstrapEntries = 20000;
inline constexpr size_t kMaxUrlsPerEntry = 8;

// Prefix of Encode()'s output; a stored value with another prefix is refused by Decode().
inline constexpr std::string_view kBootstrapEncodingV1 = "rdap-bootstrap/1\n";

struct BootstrapEntry {
  std::vector<std::string> urls;  // base URLs ending in '/', https first; never empty
  bool is_override = false;       // set by Set(); never replaced by Parse/Decode data
  friend bool operator==(const BootstrapEntry&, const BootstrapEntry&) = default;
};

class RdapBootstrap {
 public:
  // No entries (`bundled-rdap-bootstrap no`, or before anything is learned).
  RdapBootstrap() = default;

  // Parses an RFC 9224 registry. Refuses (InvalidArgument, with a message) input over
  // kMaxBootstrapBytes, text that is not JSON, a document without a "services" array, and a
  // document that yields no usable entry. Inside a usable document, a malformed service, label or
  // URL is skipped (IANA's file is authoritative but one bad row must not cost every TLD);
  // skipped() counts them.
  static util::StatusOr<RdapBootstrap> Parse(std::string_view json);

  // The registry compiled in from whois/rdap/data/dns.json (see the README there), parsed on
  // first use; immutable afterwards; safe from any thread.
  static const RdapBootstrap& Bundled();

  // Base URLs for `name`: a TLD ("com") or a whole domain ("example.co.uk"), case-insensitive,
  // one trailing dot ignored. The longest matching suffix of labels wins (RFC 9224 §4). Nullptr
  // when nothing matches. The pointer is valid until the next Set() or Erase().
  const BootstrapEntry* Find(std::string_view name) const;
  // The preferred base URL for `name` (the first of Find()'s list), or nullopt.
  std::optional<std::string> BaseUrl(std::string_view name) const;

  // Operator override `rdap-server TLD URL`: replaces whatever is known for `tld` by one URL,
  // which may be http:// (the operator is trusted; tests point a TLD at 127.0.0.1). Returns OK, or
  // InvalidArgument saying why nothing was stored (bad label, bad URL).
  util::Status Set(std::string_view tld, std::string_view url);
  // Removes the entry for `tld`, override or not. Returns whether there was one.
  bool Erase(std::string_view tld);

  // Takes every override of `from` into this object (after a fresh registry was parsed, so the
  // operator's choices survive a refresh).
  void KeepOverridesFrom(const RdapBootstrap& from);

  // A value to store (e.g. under the `b:` meta key): kBootstrapEncodingV1 followed by a registry
  // document in RFC 9224 form holding the non-override entries and the publication date.
  // Overrides are configuration, re-applied at start-up, so they are not stored.
  std::string Encode() const;
  // Reverses Encode(). Refuses a value without the version prefix (Corruption) or whose document
  // Parse() refuses (Parse's error).
  static util::StatusOr<RdapBootstrap> Decode(std::string_view stored);

  // "publication" of the parsed document ("2026-03-23T19:00:02Z"), empty if absent.
  const std::string& publication() const { return publication_; }
  size_t size() const { return entries_.size(); }
  size_t skipped() const { return skipped_; }
  const std::map<std::string, BootstrapEntry, std::less<>>& entries() const { return entries_; }

 private:
  std::map<std::string, BootstrapEntry, std::less<>>
      entries_;  // lower-case label(s), no dots at ends
  std::string publication_;
  size_t skipped_ = 0;
};

// OK if `key` may be a bootstrap key (LDH labels separated by dots, 1-63 octets each), else
// InvalidArgument saying why not. Case is not checked (callers lower-case first).
util::Status CheckBootstrapKey(std::string_view key);

}  // namespace whois::rdap
