// Turns a finished lookup into the record clients get: the parser reads the chain's replies, the
// lookup's outcome decides the status, and a lookup that got no data becomes a fallback record
// whose country comes from the TLD. Pure: the time is a parameter.
#pragma once

#include <cstdint>

#include "whois/country/country.h"
#include "whois/names/domain_name.h"
#include "whois/record/record.h"
#include "whois/resolver/lookup_result.h"

namespace whois {

WhoisRecord AssembleRecord(const DomainName& name, const LookupResult& result, int64_t now_ms,
                           const CountryTable& countries);

}  // namespace whois
