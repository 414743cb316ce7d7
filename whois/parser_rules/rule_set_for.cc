// Which rule set reads which server's replies. A server not listed here gets one chosen from the
// shape of its text; a known server is listed so that a reply that happens to look different
// (an error page, a short not-found) is still read with its registry's date order and keys.
#include <array>

#include "whois/parser_rules/rule_set.h"

namespace whois::rules {
namespace {

struct HostRule {
  std::string_view host_suffix;  // matches the host itself or any subdomain of it
  const RuleSet& (*rules)();
};

constexpr std::array<HostRule, 18> kHosts = {{
    {"whois.sk-nic.sk", ColumnRules},
    {"whois.dot.tk", FreenomRules},
    {"whois.dot.cf", FreenomRules},
    {"whois.dot.ml", FreenomRules},
    {"whois.dot.ga", FreenomRules},
    {"whois.dominio.gq", FreenomRules},
    {"whois.nic.fr", RipeRules},
    {"whois.nic.re", RipeRules},
    {"whois.nic.pm", RipeRules},
    {"whois.nic.tf", RipeRules},
    {"whois.nic.wf", RipeRules},
    {"whois.nic.yt", RipeRules},
    {"whois.nic.uk", IndentedRules},
    {"whois.ja.net", IndentedRules},
    {"whois.dns.be", IndentedRules},
    {"whois.nic.it", IndentedRules},
    {"whois.jprs.jp", BracketRules},
    {"whois.kr", BracketRules},
}};

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  while (!out.empty() && out.back() == '.') out.pop_back();
  return out;
}

bool HostMatches(std::string_view host, std::string_view suffix) {
  if (host == suffix) return true;
  return host.size() > suffix.size() && host.ends_with(suffix) &&
         host[host.size() - suffix.size() - 1] == '.';
}

bool HasLineStarting(std::string_view text, std::string_view prefix) {
  size_t pos = 0;
  size_t limit = std::min<size_t>(text.size(), 64 * 1024);
  while (pos < limit) {
    if (text.substr(pos, prefix.size()) == prefix) return true;
    size_t nl = text.find('\n', pos);
    if (nl == std::string_view::npos) break;
    pos = nl + 1;
  }
  return false;
}

}  // namespace

const RuleSet& RuleSetFor(std::string_view server_host, std::string_view text) {
  std::string host = Lower(server_host);
  for (const HostRule& h : kHosts) {
    if (HostMatches(host, h.host_suffix)) return h.rules();
  }
  if (HasLineStarting(text, "nic-hdl:") || HasLineStarting(text, "holder-c:")) {
    return RipeRules();
  }
  if (HasLineStarting(text, "[Domain Name]") || HasLineStarting(text, "a. [")) {
    return BracketRules();
  }
  return IcannRules();
}

}  // namespace whois::rules
