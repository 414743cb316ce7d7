// An RDAP domain response (RFC 9083) turned into the proxy's WhoisRecord.
//
// What is read, and where it goes:
//   entities by role (nested entities too, as registries nest abuse inside the registrar):
//     registrant / administrative / technical -> registrant / admin / tech contacts from the
//       jCard (RFC 7095) `fn` (name), `org`, `adr` (street lines joined with ", ", locality,
//       region, code; country from the `cc` parameter (RFC 8605), else the last address element
//       normalised with CountryTable), `email`, `tel` (voice preferred; "tel:" dropped);
//     registrar -> registrar.name (fn, else org), iana_id (publicIds type "IANA Registrar ID"),
//       url (jCard `url`), whois_server (the entity's `port43`);
//     abuse (inside the registrar, or at top level) -> registrar.abuse_email / abuse_phone.
//   events: registration -> created, expiration -> expires, last changed -> updated (first of
//     each; normalised with NormalizeRdapDate).
//   status -> domain_status via RdapStatusToEpp (RFC 8056).
//   nameservers[].ldhName -> nameservers (lower case, no trailing dot, LDH only, deduplicated).
//   secureDNS.delegationSigned -> dnssec "signedDelegation" / "unsigned".
//   redacted (RFC 9537) -> record.redacted via RedactedNameToPath (name.type, else
//     name.description); and any value that is a redaction placeholder ("REDACTED FOR PRIVACY",
//     "Data Protected", ...) is never stored: its field path is added to redacted instead.
//   links rel "related" + type "application/rdap+json" -> registrar_rdap_url (the domain's
//     links first, then the registrar entity's), when it passes ParseRdapUrl and is not the
//     response's own "self" link.
// The record's `domain` is the name asked about (lower-cased); `unicode`, `source_servers`,
// `fetched_at` and `country` are the caller's to set. source_protocol is "rdap".
//
// Pure, never throws (parse errors and type mismatches become kUnusable); input over
// kMaxRdapResponseBytes or nested deeper than kMaxRdapJsonDepth is refused before parsing.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "whois/record/record.h"

namespace whois::rdap {

inline constexpr size_t kMaxRdapResponseBytes = size_t{1} << 20;
inline constexpr int kMaxRdapJsonDepth = 32;
// Bounds on what one response may add to a record.
inline constexpr size_t kMaxRdapEntities = 64;  // entities visited, nested ones included
inline constexpr size_t kMaxRdapNameservers = 32;
inline constexpr size_t kMaxRdapStatuses = 32;
inline constexpr size_t kMaxRdapRedacted = 64;
inline constexpr size_t kMaxRdapFieldBytes = 512;  // longer values are cut

enum class RdapKind {
  kFound,     // a domain object for the name asked about: record filled, status "registered"
  kNotFound,  // HTTP 404, or an RFC 9083 §6 error document with errorCode 404: status "not_found"
  kUnusable,  // anything else (not JSON, wrong object, other error codes): see `error`
};

// "found", "not_found", "unusable".
std::string_view RdapKindName(RdapKind kind);

struct RdapDomainResult {
  RdapKind kind = RdapKind::kUnusable;
  WhoisRecord record;              // domain and source_protocol always set; the rest for kFound
  std::string registrar_rdap_url;  // empty when none, or when the link was refused
  std::string error;               // kUnusable: why; kNotFound: the error document's title
  std::vector<std::string> notes;  // things skipped on the way ("related link refused: ...")
};

// Maps the body of a response to `GET <base>domain/<domain>`. `http_status` is the response's
// status code: 404 means not found whatever the body; other non-2xx codes give kUnusable; 200
// bodies are read as described above (an error document with errorCode 404 is kNotFound). A
// domain object whose ldhName names another domain is kUnusable.
RdapDomainResult MapDomainResponse(std::string_view body, std::string_view domain,
                                   int http_status = 200);

// Folds the registrar's answer into the registry's, for thin registries (.com) whose registry
// response points at the registrar's RDAP service. Only a kFound `registrar` changes anything.
// The registrar is the more specific source for who: registrar fields and contact fields it has
// replace the registry's, field by field. The registry stays authoritative for the delegation
// and lifecycle: status, nameservers, dnssec and dates come from the registrar only where the
// registry gave none. `redacted` becomes the union of both, minus paths the merged record has a
// value for.
void MergeRegistrarInto(RdapDomainResult* registry, const RdapDomainResult& registrar);

}  // namespace whois::rdap
