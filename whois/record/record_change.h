// Whether a new answer for a domain changes what a crawler relies on: status, the registrant's
// organisation or country, the registrar, the expiry date and the name servers. Such a change
// keeps the previous version in the record's history; a change of anything else (a new
// `updated` date, reordered name servers, a different server in the chain) does not. Pure.
#pragma once

#include "whois/record/record.h"

namespace whois {

// Name servers compare as sets (case and order aside); the registrar by its name and IANA id.
bool ChangesWhatCrawlersUse(const WhoisRecord& before, const WhoisRecord& after);

}  // namespace whois
