// Which rule set reads which server's replies. A server not listed here gets one chosen from the
// shape of its text; a known server is listed so that a reply that happens to look different
// (an error page, a short not-found) is still read with its registry's date order and keys.
#include <array>

#include "whois/parser/rules/rule_set.h"

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

// What the lines of a reply from an unlisted host start with, in one pass (most registrars are
// unlisted, so this runs on most replies).
struct LineShapes {
  bool ripe = false;     // "nic-hdl:" or "holder-c:"
  bool bracket = false;  // "[Domain Name]" or "a. ["
  bool freenom = false;  // "   Record maintained by: ..." (Freenom's registries, any host name)
};

LineShapes ShapesOf(std::string_view text) {
  LineShapes shapes;
  size_t pos = 0;
  const size_t limit = std::min<size_t>(text.size(), 64 * 1024);
  while (pos < limit && !shapes.ripe) {
    std::string_view line = text.substr(pos, 32);
    // Freenom indents it by three blanks; .nl writes the same words at the margin.
    if (line.starts_with("   Record maintained by:")) shapes.freenom = true;
    switch (line.empty() ? '\0' : line[0]) {
      case 'n':
        shapes.ripe = line.starts_with("nic-hdl:");
        break;
      case 'h':
        shapes.ripe = line.starts_with("holder-c:");
        break;
      case '[':
        shapes.bracket = shapes.bracket || line.starts_with("[Domain Name]");
        break;
      case 'a':
        shapes.bracket = shapes.bracket || line.starts_with("a. [");
        break;
      default:
        break;
    }
    size_t nl = text.find('\n', pos);
    if (nl == std::string_view::npos) break;
    pos = nl + 1;
  }
  return shapes;
}

}  // namespace

const RuleSet& RuleSetFor(std::string_view server_host, std::string_view text) {
  std::string host = Lower(server_host);
  for (const HostRule& h : kHosts) {
    if (HostMatches(host, h.host_suffix)) return h.rules();
  }
  const LineShapes shapes = ShapesOf(text);
  if (shapes.ripe) return RipeRules();
  if (shapes.bracket) return BracketRules();
  if (shapes.freenom) return FreenomRules();
  return IcannRules();
}

}  // namespace whois::rules
