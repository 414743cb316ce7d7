// Single RDAP values (RFC 9083) turned into the record's vocabulary: status words into EPP codes
// (RFC 8056), RFC 3339 event dates into the record's UTC form, and RFC 9537 redaction names into
// record field paths. Pure; nothing throws.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace whois::rdap {

// The EPP status code for an RDAP domain status, following RFC 8056 §2 (and the RGP statuses of
// RFC 3915 as registered in the RDAP JSON Values registry): "active" -> "ok", "inactive" ->
// "inactive", "client transfer prohibited" -> "clientTransferProhibited", "pending delete" ->
// "pendingDelete", "redemption period" -> "redemptionPeriod", "associated" -> "linked", ...
// Case-insensitive. RDAP statuses that have no EPP counterpart are written the same way, in
// camelCase of their words ("server recover prohibited" -> "serverRecoverProhibited",
// "transfer prohibited" -> "transferProhibited"); a single word is lower-cased ("Locked" ->
// "locked") unless it is camelCase already. Empty input gives nullopt.
std::optional<std::string> RdapStatusToEpp(std::string_view rdap_status);

// "2024-01-31T12:00:00Z", "2024-01-31T12:00:00.123Z", "2024-01-31T14:00:00+02:00",
// "2024-01-31T12:00:00" (no zone: taken as UTC) and "2024-01-31" -> "2024-01-31T12:00:00Z" (UTC,
// fraction dropped). Nullopt for anything else or an impossible date/time.
std::optional<std::string> NormalizeRdapDate(std::string_view text);

// The record field path for an RFC 9537 redaction name as registries use them (ICANN RDAP
// Response Profile): "Registrant Name" -> "registrant.name", "Tech Email" -> "tech.email",
// "Administrative Phone Ext" -> "admin.phone", "Registrant State/Province" ->
// "registrant.state", "Registrant Postal Code" -> "registrant.postal_code". Case-insensitive.
// Nullopt for names with no record field ("Registry Registrant ID", "Registrant Fax",
// "Billing Name").
std::optional<std::string> RedactedNameToPath(std::string_view name);

}  // namespace whois::rdap
