// One line of a `whois-proxy-cli prefetch` input file: a domain, host name or URL, `#` comments,
// blank lines. Pure (the normaliser only reads the Public Suffix List it loaded).
#pragma once

#include <string>
#include <string_view>

#include "whois/names/domain_name.h"

namespace cli {

struct NameLine {
  enum class Kind { kBlank, kName, kBad };
  Kind kind = Kind::kBlank;
  std::string name;    // kName: the registrable domain the line names
  std::string reason;  // kBad: why it names none
};

// A `#` at the start of a line, or after a space or tab, starts a comment (a URL's `#fragment`
// does not). What is left is trimmed; a blank remainder is kBlank. A remainder with a space
// inside is two words, kBad; anything else is normalised like GET's argument.
NameLine ParseNameLine(std::string_view line, const whois::DomainNormalizer& names);

}  // namespace cli
