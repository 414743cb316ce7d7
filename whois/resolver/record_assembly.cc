#include "whois/resolver/record_assembly.h"

#include "whois/parser/reply_parser.h"

namespace whois {
namespace {

// "registered" needs evidence: a reply that looked like key/value text but gave no registration
// field at all (garbage, an unknown layout, a page of filler) is no answer.
bool HasRegistrationData(const WhoisRecord& r) {
  return !r.created.empty() || !r.updated.empty() || !r.expires.empty() || !r.registrar.empty() ||
         !r.registrant.empty() || !r.nameservers.empty() || !r.domain_status.empty();
}

}  // namespace

WhoisRecord AssembleRecord(const DomainName& name, const LookupResult& result, int64_t now_ms,
                           const CountryTable& countries) {
  std::vector<std::string> servers;
  for (const ChainHop& hop : result.chain) servers.push_back(hop.server);

  // WHOIS replies are parsed here; an RDAP answer arrives already mapped to a record.
  bool rdap = result.protocol == kProtocolRdap;
  std::vector<ChainReply> replies;  // only replies that carry data are parsed
  if (!rdap) {
    for (const ChainHop& hop : result.chain)
      if (hop.failure.empty()) replies.push_back({hop.server, hop.query, hop.text, hop.kind});
  }
  WhoisRecord parsed;
  LookupOutcome outcome = result.outcome;
  FallbackReason reason = result.fallback_reason;
  if (outcome == LookupOutcome::kFound) {
    parsed = rdap ? result.record.value_or(WhoisRecord{}) : BuildRecord(name.domain, replies);
    if (!HasRegistrationData(parsed)) {
      outcome = LookupOutcome::kFailed;
      reason = FallbackReason::kRefused;
    }
  }

  if (outcome == LookupOutcome::kFailed) {
    std::optional<int64_t> retry_after = result.retry_after_s;
    WhoisRecord record =
        MakeFallbackRecord(name.domain, name.unicode, reason, retry_after, now_ms, countries);
    record.source_protocol = result.protocol;
    record.source_servers = std::move(servers);
    return record;
  }

  WhoisRecord record = outcome == LookupOutcome::kFound ? std::move(parsed)
                       : rdap                           ? WhoisRecord{}
                                                        : BuildRecord(name.domain, replies);
  record.domain = name.domain;
  record.unicode = name.unicode;
  record.reason.clear();
  record.retry_after.reset();
  record.status =
      std::string(result.outcome == LookupOutcome::kNotFound ? kStatusNotFound : kStatusRegistered);
  // Where the owner is: the registrant's country, else the TLD's where it names one.
  if (record.country.empty() && !record.registrant.country.empty()) {
    record.country = record.registrant.country;
    record.country_source = std::string(kCountryFromRegistrant);
  }
  if (record.country.empty() && record.status == kStatusRegistered) {
    if (auto cc = countries.ForTld(name.tld)) {
      record.country = std::string(*cc);
      record.country_source = std::string(kCountryFromTld);
    }
  }
  record.source_protocol = result.protocol;
  record.source_servers = std::move(servers);
  record.fetched_at = FormatIsoUtc(now_ms);
  return record;
}

}  // namespace whois
