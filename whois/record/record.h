// The WHOIS record: the one JSON document `GET <domain>` returns, and the schema `IMPORT` accepts.
//
// Clients match on the field names below, so they never change. The JSON is an object whose
// fields appear in this fixed order (so equal records give byte-identical output); a field whose
// value is unknown is left out, never sent as "", [], {} or placeholder text:
//
//   domain          A-label of the name asked about.
//   unicode         U-label, only when it differs from `domain`.
//   status          "registered" | "not_found" | "fallback" | "invalid".
//   reason          invalid: human-readable; fallback: a FallbackReasonName (fallback_reason.h).
//   retry_after     integer seconds until a retry may succeed; fallback records only.
//   partial         true: the registry's data only, the registrar's hop was still running when
//                   the client's wait ran out (registered records only; never stored).
//   created, updated, expires      ISO 8601 UTC, "2024-01-31T12:00:00Z".
//   registrar       {name, iana_id, url, whois_server, abuse_email, abuse_phone}
//   registrant, admin, tech        {name, organization, street, city, state, postal_code,
//                                   country, phone, email}
//                   `street` is ONE string: address lines joined with ", " (a single type is
//                   easier for clients than string-or-array). `country` is ISO 3166-1 alpha-2.
//   nameservers     array of host names, lower case, no trailing dot.
//   domain_status   array of EPP status codes ("clientTransferProhibited").
//   dnssec          e.g. "unsigned", "signedDelegation".
//   redacted        array of field paths the registry withheld ("registrant.email").
//   country         ISO 3166-1 alpha-2 the domain is attributed to;
//   country_source  "registrant" (from the registrant contact) or "tld" (from the TLD).
//   source          {protocol: "whois"|"rdap"|"import", servers: [host, ...], fetched_at}.
//   (stale          true, last, on a record served after it went stale: added to the reply by
//                   the server (server/stale_policy.h), never part of a stored record; the
//                   import path ignores it like any unknown field.)
//
// Everything here is a pure function of its arguments; nothing throws.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "util/status.h"
#include "whois/country/country.h"
#include "whois/record/fallback_reason.h"

namespace whois {

// Values of `status`.
inline constexpr std::string_view kStatusRegistered = "registered";
inline constexpr std::string_view kStatusNotFound = "not_found";
inline constexpr std::string_view kStatusFallback = "fallback";
inline constexpr std::string_view kStatusInvalid = "invalid";

// Values of `country_source` and `source.protocol`.
inline constexpr std::string_view kCountryFromRegistrant = "registrant";
inline constexpr std::string_view kCountryFromTld = "tld";
inline constexpr std::string_view kProtocolWhois = "whois";
inline constexpr std::string_view kProtocolRdap = "rdap";
inline constexpr std::string_view kProtocolImport = "import";

// Limits RecordFromJson() enforces before and while parsing (a record is a few KiB; these only
// stop hostile input from costing memory or stack).
inline constexpr size_t kMaxRecordJsonBytes = 1 << 20;
inline constexpr int kMaxRecordJsonDepth = 16;
// MakeInvalidRecord() keeps at most this many bytes of the client's input.
inline constexpr size_t kMaxInvalidInputBytes = 256;

// An empty string means "unknown" for every string field below.
struct Contact {
  std::string name, organization, street, city, state, postal_code, country, phone, email;
  bool empty() const;  // true when every field is empty
  friend bool operator==(const Contact&, const Contact&) = default;
};

struct Registrar {
  std::string name, iana_id, url, whois_server, abuse_email, abuse_phone;
  bool empty() const;  // true when every field is empty
  friend bool operator==(const Registrar&, const Registrar&) = default;
};

// A string field of a Contact or Registrar with its JSON name (a literal).
template <typename Struct>
struct NamedField {
  const char* name;
  std::string Struct::*member;
};

// Every field of a contact and of the registrar, in the JSON's order above: the one list for
// code that walks all of them (JSON output and import, merging hops, redaction paths).
inline constexpr NamedField<Contact> kContactFields[] = {
    {"name", &Contact::name},       {"organization", &Contact::organization},
    {"street", &Contact::street},   {"city", &Contact::city},
    {"state", &Contact::state},     {"postal_code", &Contact::postal_code},
    {"country", &Contact::country}, {"phone", &Contact::phone},
    {"email", &Contact::email}};
inline constexpr NamedField<Registrar> kRegistrarFields[] = {
    {"name", &Registrar::name},
    {"iana_id", &Registrar::iana_id},
    {"url", &Registrar::url},
    {"whois_server", &Registrar::whois_server},
    {"abuse_email", &Registrar::abuse_email},
    {"abuse_phone", &Registrar::abuse_phone}};

struct WhoisRecord {
  std::string domain, unicode, status, reason;
  std::optional<int64_t> retry_after;
  // The registry's data while the rest of the chain (the registrar) is still being asked: a
  // client whose wait ran out gets it instead of an empty fallback. Never stored.
  bool partial = false;
  std::string created, updated, expires;
  Registrar registrar;
  Contact registrant, admin, tech;
  std::vector<std::string> nameservers, domain_status;
  std::string dnssec;
  std::vector<std::string> redacted;
  std::string country, country_source;
  std::string source_protocol;
  std::vector<std::string> source_servers;
  std::string fetched_at;

  friend bool operator==(const WhoisRecord&, const WhoisRecord&) = default;
};

// Copies each non-empty field of `from` over the same field of `into`; a field empty in `from`
// keeps its value (a later hop or a more specific source wins field by field).
void MergeNonEmpty(Contact* into, const Contact& from);
void MergeNonEmpty(Registrar* into, const Registrar& from);

// The contact field a path names: "registrant.", "admin." or "tech." and a name from
// kContactFields ("admin.email"); nullptr for any other path.
const std::string* ContactFieldAt(const WhoisRecord& record, std::string_view path);

// Compact JSON in the fixed field order above. Empty strings, empty arrays, empty objects,
// `unicode` equal to `domain` and a `retry_after` on a non-fallback record are left out; empty
// array elements are dropped. Nameservers are written lower case without a trailing dot, and a
// repeated nameserver once. Invalid UTF-8 in any string becomes U+FFFD. Does not validate
// otherwise: callers build records from the constants above.
std::string ToJson(const WhoisRecord& record);

// Parses and validates a record (the IMPORT path). Returns the record, or InvalidArgument with a
// message naming the offending field, e.g. "field 'nameservers' must be an array of strings".
// Rejects: input over kMaxRecordJsonBytes, text that is not JSON, nesting deeper than
// kMaxRecordJsonDepth, a non-object, a missing or empty `domain`, a missing or unknown `status`, a
// fallback `reason` not named by FallbackReasonName, `retry_after` that is not a non-negative
// integer or is on a non-fallback record, dates not in "YYYY-MM-DDTHH:MM:SSZ" form, a country that
// is not two upper-case letters, an unknown `country_source` or `source.protocol`, and any field of
// the wrong type. Null counts as absent; so does "". Unknown fields are ignored. For leniency
// `street` may also be an array of strings (joined with ", "). Never throws.
util::StatusOr<WhoisRecord> RecordFromJson(std::string_view json);

// A record with status "invalid" for input that is not a domain name. `domain` holds the input
// made safe to echo: every byte outside printable ASCII (controls, DEL, non-ASCII) becomes '?',
// and at most kMaxInvalidInputBytes are kept. `reason` is taken as is.
WhoisRecord MakeInvalidRecord(std::string input, std::string reason);

// "2026-11-25T08:00:00Z" for a Unix time in milliseconds (sub-second part dropped, rounding
// towards the past). Clamped to years 0000..9999 so the result always has the documented form.
std::string FormatIsoUtc(int64_t unix_ms);

// A record with status "fallback": no fresh data could be fetched for `domain` (A-label;
// `unicode` its U-label or empty), with `reason` as its `reason`. `retry_after_s` is kept when it
// is set and not negative. `source.fetched_at` is `now_ms`, the time of the attempt. The
// country comes from the TLD (country_source "tld") when `countries` knows one.
WhoisRecord MakeFallbackRecord(std::string domain, std::string unicode, FallbackReason reason,
                               std::optional<int64_t> retry_after_s, int64_t now_ms,
                               const CountryTable& countries);

}  // namespace whois
