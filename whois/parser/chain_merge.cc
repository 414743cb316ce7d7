// BuildRecord(): the merge of a referral chain's parsed replies (declared in reply_parser.h).
#include <algorithm>

#include "whois/parser/reply_parser.h"

namespace whois {
namespace {

void Take(std::string* into, const std::string& from) {
  if (!from.empty()) *into = from;
}

// A refused reply that still carries the domain object (whois.registro.br: "Query rate limit
// exceeded. Reduced information." followed by the record) counts as data.
bool CarriesRecord(const ParsedReply& p) {
  const WhoisRecord& f = p.fields;
  return !f.domain.empty() && (!f.created.empty() || !f.expires.empty() || !f.nameservers.empty());
}

}  // namespace

WhoisRecord BuildRecord(std::string_view domain, const std::vector<ChainReply>& chain) {
  WhoisRecord rec;
  bool any_record = false;
  std::optional<ReplyKind> first_kind;
  std::optional<int64_t> first_retry;
  for (const ChainReply& reply : chain) {
    ParsedReply p = reply.kind ? ParseReply(reply.server, reply.text, *reply.kind)
                               : ParseReply(reply.server, reply.text);
    if (!first_kind) {
      first_kind = p.kind;
      first_retry = p.retry_after;
    }
    rec.source_servers.push_back(reply.server);
    bool data = p.kind == ReplyKind::kRecord || (p.kind == ReplyKind::kRefused && CarriesRecord(p));
    if (!data) continue;
    any_record = true;
    const WhoisRecord& f = p.fields;
    Take(&rec.domain, f.domain);
    Take(&rec.created, f.created);
    Take(&rec.updated, f.updated);
    Take(&rec.expires, f.expires);
    MergeNonEmpty(&rec.registrar, f.registrar);
    MergeNonEmpty(&rec.registrant, f.registrant);
    MergeNonEmpty(&rec.admin, f.admin);
    MergeNonEmpty(&rec.tech, f.tech);
    if (!f.nameservers.empty()) rec.nameservers = f.nameservers;
    if (!f.domain_status.empty()) rec.domain_status = f.domain_status;
    Take(&rec.dnssec, f.dnssec);
    for (const std::string& path : f.redacted) {
      if (std::find(rec.redacted.begin(), rec.redacted.end(), path) == rec.redacted.end()) {
        rec.redacted.push_back(path);
      }
    }
  }
  std::erase_if(rec.redacted, [&](const std::string& path) {
    const std::string* v = ContactFieldAt(rec, path);
    return v != nullptr && !v->empty();
  });
  if (!domain.empty()) rec.domain = std::string(domain);
  if (any_record) {
    rec.status = std::string(kStatusRegistered);
  } else if (first_kind == ReplyKind::kNotFound) {
    rec.status = std::string(kStatusNotFound);
  } else if (first_kind == ReplyKind::kRefused) {
    rec.status = std::string(kStatusFallback);
    rec.reason = std::string(FallbackReasonName(FallbackReason::kRefused));
    rec.retry_after = first_retry;
  }
  if (!rec.registrant.country.empty()) {
    rec.country = rec.registrant.country;
    rec.country_source = std::string(kCountryFromRegistrant);
  }
  return rec;
}

}  // namespace whois
