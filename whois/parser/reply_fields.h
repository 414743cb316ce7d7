// Writes parsed (field, role, value) triples into a WhoisRecord: value clean-up (domain and host
// names, EPP status codes, dates, countries) and recognition of redaction placeholders.
#pragma once

#include <string_view>

#include "whois/parser/rules/rule_set.h"
#include "whois/record/record.h"

namespace whois {

// Bounds that keep a hostile reply from costing more than linear work and a few KiB of record.
inline constexpr size_t kMaxNameservers = 32;
inline constexpr size_t kMaxStatuses = 32;
inline constexpr size_t kMaxStreetLength = 512;

// True when `value` is a placeholder for withheld data ("REDACTED FOR PRIVACY", "Data
// Protected", "Please query the RDDS service of the Registrar of Record", "Not Disclosed",
// "GDPR Masked", "Statutory Masking Enabled", "Please ask the registrar", ...).
bool IsRedactionPlaceholder(std::string_view value);

// True when `value` names a privacy or proxy service standing in for the owner ("WhoisGuard,
// Inc.", "Domains By Proxy, LLC", "Withheld for Privacy ehf", ...; the list and its sources are in
// reply_fields.cc and README.md). Such a contact describes the service, not the owner.
bool IsPrivacyService(std::string_view value);

// True when `value` reads as an organisation's name: it holds a legal form or an institution word
// as a whole word ("Google LLC", "Irish Domains Limited", "S.p.A.", "University of Bristol") or a
// legal form in another script ("株式会社", "有限公司"). A person's name does not.
bool LooksLikeOrganization(std::string_view value);

// "clientTransferProhibited https://icann.org/epp#clientTransferProhibited" ->
// "clientTransferProhibited"; "CLIENT TRANSFER PROHIBITED" and "client-transfer-prohibited" ->
// the EPP spelling; words that are no EPP code ("ACTIVE", "Registered") are kept as written.
// Appends every status found in `value` (comma separated lists too) to `out`, without repeats.
void AppendStatuses(std::string_view value, std::vector<std::string>* out);

// Appends the host names in `value` ("NS1.Example.COM. 192.0.2.1", "ns1.example.com
// (192.0.2.1)") lower case and without trailing dot, skipping IP addresses and repeats; at most
// kMaxNameservers are kept (AppendStatuses keeps at most kMaxStatuses).
void AppendNameservers(std::string_view value, std::vector<std::string>* out);

// Stores one value. Scalars keep the first value a reply gives (later duplicates in the same
// reply are usually another object's); street lines are joined with ", ". Dates are read with
// `order`; values that do not parse are dropped. Placeholders add "<role>.<field>" to
// record->redacted instead of a value.
void ApplyField(rules::Field field, rules::Role role, std::string_view value, DateOrder order,
                WhoisRecord* record);

}  // namespace whois
