#include "whois/directory/query_format.h"

#include <array>
#include <utility>

namespace whois {
namespace {

struct HostQuirk {
  std::string_view host;
  std::string_view format;   // empty: the default "%s"
  std::string_view charset;  // empty: the default "utf-8"
};

// One row per server whose query or charset is not the default. Keep sorted by host; the
// source of each row is in whois/directory/data/README.md ("Host quirks").
constexpr std::array kHostQuirks = {
    // Verisign's thin registries: "domain" restricts the search to domain objects; a bare name
    // also matches name-server and registrar objects and returns several records.
    HostQuirk{"ccwhois.verisign-grs.com", "domain %s", ""},
    HostQuirk{"tvwhois.verisign-grs.com", "domain %s", ""},
    HostQuirk{"whois.ax", "", "iso-8859-1"},
    HostQuirk{"whois.denic.de", "-T dn,ace %s", ""},               // ACE in, full record out
    HostQuirk{"whois.dk-hostmaster.dk", "--show-handles %s", ""},  // old name of punktum.dk
    HostQuirk{"whois.dns.lu", "", "iso-8859-1"},
    HostQuirk{"whois.dns.pt", "", "iso-8859-1"},
    HostQuirk{"whois.fi", "", "iso-8859-1"},
    HostQuirk{"whois.isnic.is", "", "iso-8859-1"},
    HostQuirk{"whois.jprs.jp", "%s/e", "iso-2022-jp"},  // "/e": English output
    HostQuirk{"whois.nic.ad.jp", "", "iso-2022-jp"},
    HostQuirk{"whois.nic.hu", "", "iso-8859-1"},
    HostQuirk{"whois.nic.name", "domain=%s", ""},
    HostQuirk{"whois.nic.tr", "", "iso-8859-9"},
    HostQuirk{"whois.norid.no", "", "iso-8859-1"},
    HostQuirk{"whois.punktum.dk", "--show-handles %s", ""},
    HostQuirk{"whois.registro.br", "", "iso-8859-1"},
    HostQuirk{"whois.verisign-grs.com", "domain %s", ""},
};

char Lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (Lower(a[i]) != Lower(b[i])) return false;
  }
  return true;
}

// Printable for an error message: control and non-ASCII bytes become '?', long text is cut.
std::string Shown(std::string_view text) {
  std::string out;
  for (char c : text.substr(0, 64)) out.push_back(c >= 0x20 && c < 0x7f ? c : '?');
  if (text.size() > 64) out += "...";
  return out;
}

}  // namespace

QueryProfile QueryProfileForHost(std::string_view host) {
  if (!host.empty() && host.back() == '.') host.remove_suffix(1);
  QueryProfile profile;
  for (const HostQuirk& quirk : kHostQuirks) {
    if (!EqualsIgnoreCase(quirk.host, host)) continue;
    if (!quirk.format.empty()) profile.format = std::string(quirk.format);
    if (!quirk.charset.empty()) profile.charset = std::string(quirk.charset);
    break;
  }
  return profile;
}

std::string QueryFormatError(std::string_view format) {
  if (format.size() > kMaxQueryFormatLength) {
    return "query format is longer than " + std::to_string(kMaxQueryFormatLength) + " bytes";
  }
  size_t placeholders = 0;
  for (size_t i = 0; i < format.size(); ++i) {
    char c = format[i];
    if (c < 0x20 || c > 0x7e) {
      return "query format '" + Shown(format) + "' may hold printable ASCII only";
    }
    if (c != '%') continue;
    if (i + 1 < format.size() && format[i + 1] == 's') {
      ++placeholders;
      ++i;
      continue;
    }
    return "query format '" + Shown(format) + "' may hold no '%' other than one %s";
  }
  if (placeholders != 1) {
    return "query format '" + Shown(format) + "' must contain %s exactly once";
  }
  return "";
}

std::variant<std::string, QueryError> FormatQuery(std::string_view format,
                                                  std::string_view domain) {
  std::string why = QueryFormatError(format);
  if (why.empty()) {
    if (domain.empty()) why = "empty domain";
    for (char c : domain) {
      if ((c < 'a' || c > 'z') && (c < '0' || c > '9') && c != '.' && c != '-') {
        why = "domain '" + Shown(domain) + "' is not a normalised name ([a-z0-9.-])";
        break;
      }
    }
  }
  if (!why.empty()) return QueryError{std::move(why)};
  size_t at = format.find("%s");
  std::string line;
  line.reserve(format.size() + domain.size());
  line.append(format.substr(0, at)).append(domain).append(format.substr(at + 2));
  return line;
}

}  // namespace whois
