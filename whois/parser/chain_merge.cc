// BuildRecord(): the merge of a referral chain's parsed replies (declared in reply_parser.h).
#include <algorithm>

#include "whois/parser/reply_parser.h"

namespace whois {
namespace {

void Take(std::string* into, const std::string& from) {
  if (!from.empty()) *into = from;
}

void TakeContact(Contact* into, const Contact& from) {
  Take(&into->name, from.name);
  Take(&into->organization, from.organization);
  Take(&into->street, from.street);
  Take(&into->city, from.city);
  Take(&into->state, from.state);
  Take(&into->postal_code, from.postal_code);
  Take(&into->country, from.country);
  Take(&into->phone, from.phone);
  Take(&into->email, from.email);
}

void TakeRegistrar(Registrar* into, const Registrar& from) {
  Take(&into->name, from.name);
  Take(&into->iana_id, from.iana_id);
  Take(&into->url, from.url);
  Take(&into->whois_server, from.whois_server);
  Take(&into->abuse_email, from.abuse_email);
  Take(&into->abuse_phone, from.abuse_phone);
}

const std::string* ContactField(const WhoisRecord& r, std::string_view path) {
  size_t dot = path.find('.');
  if (dot == std::string_view::npos) return nullptr;
  std::string_view role = path.substr(0, dot), f = path.substr(dot + 1);
  const Contact* c = role == "registrant" ? &r.registrant
                     : role == "admin"    ? &r.admin
                     : role == "tech"     ? &r.tech
                                          : nullptr;
  if (c == nullptr) return nullptr;
  if (f == "name") return &c->name;
  if (f == "organization") return &c->organization;
  if (f == "street") return &c->street;
  if (f == "city") return &c->city;
  if (f == "state") return &c->state;
  if (f == "postal_code") return &c->postal_code;
  if (f == "country") return &c->country;
  if (f == "phone") return &c->phone;
  if (f == "email") return &c->email;
  return nullptr;
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
    TakeRegistrar(&rec.registrar, f.registrar);
    TakeContact(&rec.registrant, f.registrant);
    TakeContact(&rec.admin, f.admin);
    TakeContact(&rec.tech, f.tech);
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
    const std::string* v = ContactField(rec, path);
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
