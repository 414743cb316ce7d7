#include "whois/record_assembly.h"

#include "whois/reply_classifier.h"
#include "whois/reply_parser.h"

namespace whois {

WhoisRecord AssembleRecord(const DomainName& name, const LookupResult& result, int64_t now_ms,
                           const CountryTable& countries) {
  std::vector<std::string> servers;
  for (const ChainHop& hop : result.chain) servers.push_back(hop.server);

  if (result.outcome == LookupOutcome::kFailed) {
    std::optional<int64_t> retry_after;
    for (const ChainHop& hop : result.chain)
      if (hop.failure == "refused_by_server") retry_after = RetryAfterSeconds(hop.text);
    WhoisRecord record = MakeFallbackRecord(name.domain, name.unicode, result.fallback_reason,
                                            retry_after, now_ms, countries);
    record.source_protocol = kProtocolWhois;
    record.source_servers = std::move(servers);
    return record;
  }

  // Only replies that carry data are parsed; a refused or failed hop adds nothing.
  std::vector<ChainReply> replies;
  for (const ChainHop& hop : result.chain)
    if (hop.failure.empty()) replies.push_back({hop.server, hop.query, hop.text});
  WhoisRecord record = BuildRecord(name.domain, replies);
  record.domain = name.domain;
  record.unicode = name.unicode;
  record.reason.clear();
  record.retry_after.reset();
  record.status =
      std::string(result.outcome == LookupOutcome::kNotFound ? kStatusNotFound : kStatusRegistered);
  if (record.country.empty() && record.status == kStatusRegistered) {
    if (auto cc = countries.ForTld(name.tld)) {
      record.country = std::string(*cc);
      record.country_source = std::string(kCountryFromTld);
    }
  }
  record.source_protocol = kProtocolWhois;
  record.source_servers = std::move(servers);
  record.fetched_at = FormatIsoUtc(now_ms);
  return record;
}

}  // namespace whois
