// Which WHOIS server answers for each top-level domain.
//
// TldDirectory maps a TLD (lower-case A-label, "com", "xn--p1ai") to a ServerEntry. It starts
// from the compiled-in snapshot of IANA's root-zone data (Bundled(), see
// whois/directory/data/README.md) or empty (`bundled-directory no`); the resolver then Set()s what
// it learns from whois.iana.org or storage, and the operator's overrides (`tld-server`).
//
// Pure: no I/O, no clock (times are passed in), no global state. Not thread-safe: one owner (the
// loop thread) reads and writes it. Entries are persisted by the caller as strings made by
// EncodeEntry().
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>

// Included for callers: an entry's query line comes from FormatQuery, declared there, with the
// format of the entry or else of the host's profile (whois/hosts/host_profile.h).
#include "util/status.h"
#include "whois/directory/query_format.h"

namespace whois {

struct ServerEntry {
  enum class Origin {
    kBundled,   // the compiled-in snapshot
    kIana,      // learned from whois.iana.org (or restored from storage)
    kOverride,  // configured by the operator; never replaced by a learned entry
  };

  std::string tld;   // lower-case A-label, no dots
  std::string host;  // empty: the TLD has no port-43 WHOIS service
  uint16_t port = 43;
  Origin origin = Origin::kBundled;
  int64_t learned_at_ms = 0;  // Unix ms when learned (bundled: the snapshot date)
  // "" means the host's own (HostProfileFor(host).query_format, whois/hosts/host_profile.h). An
  // override may set one; it must pass CheckQueryFormat.
  std::string query_format;

  bool operator==(const ServerEntry&) const = default;
};

// "bundled", "iana" or "override".
std::string_view OriginName(ServerEntry::Origin origin);

// OK if `entry` may be stored, else InvalidArgument saying why not. Rules: `tld` is one LDH label
// (1-63 octets); `host` is empty or a valid server host name (IsValidServerHostName in
// whois/directory/referral.h) - an override may also name an IPv4 or IPv6 literal (the operator is
// trusted, and tests point a TLD at 127.0.0.1); `port` is not 0; `query_format` is empty or passes
// CheckQueryFormat. Case is not checked here: Set() and DecodeEntry() lower-case tld and host
// first.
util::Status CheckServerEntry(const ServerEntry& entry);

class TldDirectory {
 public:
  // The compiled-in snapshot: every TLD of the root zone at the snapshot date (about 1450),
  // origin kBundled, learned_at_ms = BundledSnapshotMs(), query_format "".
  static TldDirectory Bundled();
  // No entries: every TLD is learned from IANA (`bundled-directory no`).
  static TldDirectory Empty();
  // When the bundled snapshot was taken (Unix ms).
  static int64_t BundledSnapshotMs();

  // The entry for `tld` (case-insensitive; one leading dot ignored), or nullptr if none. The
  // pointer is valid until the next Set() or Erase() of any TLD.
  const ServerEntry* Find(std::string_view tld) const;

  // Stores `entry` under entry.tld (tld and host lower-cased, a trailing dot of host dropped),
  // replacing the previous entry - except that an override is never replaced by a non-override.
  // Returns OK when stored, else InvalidArgument saying why nothing was: the entry is invalid
  // (CheckServerEntry) or an override is kept.
  util::Status Set(ServerEntry entry);

  // Removes the entry for `tld` whatever its origin (e.g. an override being withdrawn; the
  // resolver then learns the TLD from IANA again). Returns whether there was one.
  bool Erase(std::string_view tld);

  // True when `tld` has no entry, or a non-override entry learned at or before
  // now_ms - max_age_ms. Overrides never need a refresh. A stale entry stays usable: the caller
  // may keep serving from it while it asks IANA again.
  bool NeedsRefresh(std::string_view tld, int64_t now_ms, int64_t max_age_ms) const;

  size_t size() const { return entries_.size(); }

  // Visits every entry in TLD order (e.g. for INFO or a dump).
  template <typename Fn>
  void ForEach(Fn&& fn) const {
    for (const auto& [tld, entry] : entries_) fn(entry);
  }

 private:
  TldDirectory() = default;

  std::map<std::string, ServerEntry, std::less<>> entries_;
};

// Storage encoding of one entry, version 1: seven fields separated by TAB,
//   wd1 <TAB> tld <TAB> host <TAB> port <TAB> origin <TAB> learned_at_ms <TAB> query_format
// e.g. "wd1\tcom\twhois.verisign-grs.com\t43\tiana\t1732233600000\t". No field can hold a TAB
// (CheckServerEntry forbids it), so the encoding is unambiguous. A later version gets a new tag.
std::string EncodeEntry(const ServerEntry& entry);
// The entry encoded by EncodeEntry, or nullopt if `encoded` is not a valid version-1 encoding
// of an entry that passes CheckServerEntry.
std::optional<ServerEntry> DecodeEntry(std::string_view encoded);

// whois.iana.org's answer to a TLD query.
struct IanaTldAnswer {
  std::string host;  // lower case; empty: the TLD has no port-43 WHOIS service
};

// Parses whois.iana.org's answer to the query `tld` (lower-case A-label). IANA writes the
// "domain:" line as a U-label for IDN TLDs ("domain: рф" for xn--p1ai); it is converted to an
// A-label (Punycode, RFC 3492) before comparing. Returns InvalidArgument saying why when the
// text is not the answer for `tld` (no matching "domain:" line: a refusal, "0
// objects", another TLD, garbage) or its "whois:" value is not a valid host name. A missing or
// empty "whois:" line yields an empty host.
util::StatusOr<IanaTldAnswer> ParseIanaTldAnswer(std::string_view tld, std::string_view text);

}  // namespace whois
