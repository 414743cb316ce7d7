// WHOIS reply parsing: text in, record fields out. Pure (no clock, no I/O, no global mutable
// state) and bounded: at most kMaxParsedBytes of a reply are read, in time linear in that.
//
// The format of a reply is chosen per server host (whois/parser/rules/rule_set.h); each family of
// formats is one rule set. Fields a reply does not carry are left empty; placeholder text that
// stands for withheld data ("REDACTED FOR PRIVACY", "Data Protected", ...) is never copied into a
// field, its field path ("registrant.email") is listed in `redacted` instead.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "whois/record/record.h"
#include "whois/parser/reply_classifier.h"

namespace whois {

inline constexpr size_t kMaxParsedBytes = 1 << 20;

struct ParsedReply {
  ReplyKind kind = ReplyKind::kEmpty;
  std::string rule_set;  // name of the rule set that read it ("icann", "ripe", ...)
  // The fields found. domain is the name the reply is about (lower case) when it says so; status,
  // reason, source_* and fetched_at are never set here. created/updated/expires are ISO 8601 UTC.
  WhoisRecord fields;
  std::optional<int64_t> retry_after;  // kRefused only, when the text states a delay
};

// Parses one reply from `server_host`. kind is ClassifyReply(text), refined by what was read: a
// kRecord reply from which no field could be read is kEmpty; a kEmpty reply (header-and-indented
// layouts have few "key: value" lines) that yields a domain plus a date, name server or registrar
// is kRecord; a kNotFound reply that still yields a creation or expiry date and name servers is
// kRecord. For kNotFound, fields.domain is taken from the not-found line when the reply names no
// domain otherwise ("No match for \"EXAMPLE.COM\"."). Never fails; never throws.
ParsedReply ParseReply(std::string_view server_host, std::string_view text);

// The same, for a caller that has classified the text already: `kind` must be
// ClassifyReply(text) (each classification is a scan of the whole reply).
ParsedReply ParseReply(std::string_view server_host, std::string_view text, ReplyKind kind);

// One hop of a referral chain: the server asked, the query line sent, the text it answered.
struct ChainReply {
  std::string server;
  std::string query;
  std::string text;
  std::optional<ReplyKind> kind;  // ClassifyReply(text) when the caller knows it already
};

// Merges a chain, registry first and registrar(s) after: each field takes the value of the last
// reply that has one (the registrar knows its own data best); lists (nameservers, domain_status)
// are replaced as a whole by a later non-empty list. `redacted` is the union of the paths every
// reply withheld, minus those a reply did give a value for.
// status: "registered" if any reply is a record (or a refused reply that still carried the domain
// object, as whois.registro.br's reduced answers do); else "not_found" if the first reply says so;
// else "fallback" with reason "refused" and retry_after when the first reply was refused; else
// left empty (nothing usable: the caller decides). domain is `domain` (or, if that is empty, the
// name the replies give). registrant.country becomes `country` with country_source "registrant".
// source_servers lists the chain's servers; source_protocol and fetched_at are left to the caller.
WhoisRecord BuildRecord(std::string_view domain, const std::vector<ChainReply>& chain);

}  // namespace whois
