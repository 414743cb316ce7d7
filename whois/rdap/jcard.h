// jCard (RFC 7095) as RDAP entities carry it in `vcardArray`: ["vcard", [[name, {params}, type,
// value...], ...]]. Reads the few properties the record needs. Internal to the RDAP mapper;
// pure, never throws (wrong types are skipped).
#pragma once

#include <nlohmann/json_fwd.hpp>
#include <string>
#include <vector>

namespace whois::rdap {

struct JCardFields {
  std::string fn, org, email, phone, url;
  std::string street, city, state, postal_code;
  std::string country_code;  // from the adr `cc` parameter (RFC 8605), as given
  std::string country_name;  // the last adr element, as given
};

// Reads `vcard_array`; fields missing or of the wrong type stay empty. Each value is trimmed
// and cut to `max_bytes`.
JCardFields ReadJCard(const nlohmann::json& vcard_array, size_t max_bytes);

}  // namespace whois::rdap
