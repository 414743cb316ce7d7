#include "whois/directory/referral.h"

#include <vector>

#include "util/ascii.h"

namespace whois {
namespace {

bool IsBlank(char c) { return c == ' ' || c == '\t' || c == '\r'; }
bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsLetterOrDigit(char c) { return (c >= 'a' && c <= 'z') || IsDigit(c); }

// Printable for a log line: control and non-ASCII bytes become '?', long text is cut.
std::string Shown(std::string_view text) {
  std::string out;
  for (char c : text.substr(0, 80)) out.push_back(c >= 0x20 && c < 0x7f ? c : '?');
  if (text.size() > 80) out += "...";
  return out;
}

util::Status Reject(std::string why) { return util::Status::InvalidArgument(std::move(why)); }

// One "key: value" line of a reply. `key` is trimmed, `value` too; key is empty for lines
// without a colon.
struct Field {
  std::string_view key;
  std::string_view value;
};

Field SplitField(std::string_view line) {
  size_t colon = line.find(':');
  if (colon == std::string_view::npos) return {};
  return {util::Trim(line.substr(0, colon), util::kBlanksAndCr),
          util::Trim(line.substr(colon + 1), util::kBlanksAndCr)};
}

// The value of an RWhois "%referral URL" line ("% referral URL" is seen too), or nullopt.
std::optional<std::string_view> RwhoisReferralValue(std::string_view line) {
  if (line.empty() || line.front() != '%') return std::nullopt;
  std::string_view rest = util::Trim(line.substr(1), util::kBlanksAndCr);
  constexpr std::string_view kWord = "referral";
  if (!util::StartsWithIgnoreCase(rest, kWord)) return std::nullopt;
  rest.remove_prefix(kWord.size());
  if (rest.empty() || !IsBlank(rest.front())) return std::nullopt;  // e.g. "%referrals"
  return util::Trim(rest, util::kBlanksAndCr);
}

std::vector<std::string_view> SplitLines(std::string_view text) {
  std::vector<std::string_view> lines;
  while (!text.empty()) {
    size_t nl = text.find('\n');
    std::string_view line = text.substr(0, nl);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    lines.push_back(line);
    if (nl == std::string_view::npos) break;
    text.remove_prefix(nl + 1);
  }
  return lines;
}

// The candidate values a reply names, one per form; `found` says whether the form appeared.
struct Candidate {
  bool found = false;
  std::string_view value;
  std::string_view form;  // for the reason text
};

}  // namespace

bool IsValidServerHostName(std::string_view host) {
  if (host.empty() || host.size() > 253) return false;
  size_t labels = 0;
  std::string_view last;
  while (true) {
    size_t dot = host.find('.');
    std::string_view label = host.substr(0, dot);
    if (label.empty() || label.size() > 63) return false;
    for (char c : label) {
      if (!IsLetterOrDigit(util::ToLower(c)) && c != '-') return false;
    }
    if (label.front() == '-' || label.back() == '-') return false;
    ++labels;
    last = label;
    if (dot == std::string_view::npos) break;
    host.remove_prefix(dot + 1);
  }
  if (labels < 2) return false;
  for (char c : last) {
    if (!IsDigit(c)) return true;
  }
  return false;  // an all-digit last label: an IPv4 literal or not a real TLD
}

util::StatusOr<Referral> ParseReferralValue(std::string_view value) {
  value = util::Trim(value, util::kBlanksAndCr);
  if (value.empty()) return Reject("empty referral");
  if (value.size() > kMaxReferralValueLength) return Reject("referral value too long");
  for (char c : value) {
    if (static_cast<unsigned char>(c) <= 0x20 || static_cast<unsigned char>(c) >= 0x7f) {
      return Reject("referral '" + Shown(value) + "' holds blanks or non-ASCII bytes");
    }
  }
  Referral referral;
  std::string_view rest = value;
  size_t scheme_end = rest.find("://");
  if (scheme_end != std::string_view::npos) {
    std::string_view scheme = rest.substr(0, scheme_end);
    if (util::EqualsIgnoreCase(scheme, "rwhois")) {
      referral.rwhois = true;
    } else if (util::EqualsIgnoreCase(scheme, "http") || util::EqualsIgnoreCase(scheme, "https")) {
      return Reject("referral '" + Shown(value) + "' is a web page, not a WHOIS server");
    } else if (!util::EqualsIgnoreCase(scheme, "whois")) {
      return Reject("referral '" + Shown(value) + "' has an unsupported scheme");
    }
    rest.remove_prefix(scheme_end + 3);
  }
  rest = rest.substr(0, rest.find('/'));  // drop a path ("host/whois", "host:43/")
  if (rest.find('@') != std::string_view::npos) {
    return Reject("referral '" + Shown(value) + "' carries user information");
  }
  std::string_view host = rest;
  size_t colon = rest.find(':');
  if (colon != std::string_view::npos) {
    host = rest.substr(0, colon);
    std::string_view port_text = rest.substr(colon + 1);
    unsigned port = 0;
    bool ok = !port_text.empty() && port_text.size() <= 5;
    for (char c : port_text) {
      if (!IsDigit(c)) ok = false;
      if (ok) port = port * 10 + static_cast<unsigned>(c - '0');
    }
    if (!ok || port == 0 || port > 65535) {
      return Reject("referral '" + Shown(value) + "' has an invalid port");
    }
    referral.port = static_cast<uint16_t>(port);
  }
  if (!host.empty() && host.back() == '.') host.remove_suffix(1);
  if (!IsValidServerHostName(host)) {
    return Reject("referral '" + Shown(value) + "' does not name a WHOIS host");
  }
  referral.host.reserve(host.size());
  for (char c : host) referral.host.push_back(util::ToLower(c));
  return referral;
}

util::Status CheckReferralPort(const Referral& referral, bool pinned) {
  if (referral.port == kWhoisPort || pinned) return util::Status::OK();
  return util::Status::InvalidArgument(
      "referral to " + referral.host + ":" + std::to_string(referral.port) +
      " not followed: a port other than 43 is used only for hosts pinned with "
      "upstream-address");
}

std::optional<Referral> ExtractReferral(std::string_view reply_text, std::string* reason) {
  Candidate refer{.form = "refer:"};
  Candidate whois{.form = "whois:"};
  Candidate registrar{.form = "Registrar WHOIS Server:"};
  Candidate arin{.form = "ReferralServer:"};
  Candidate rwhois{.form = "%referral"};

  bool seen_domain_record = false;  // a "Domain Name:" line has been seen
  bool in_first_record = false;     // inside the first "Domain Name:" record
  for (std::string_view raw : SplitLines(reply_text)) {
    std::string_view line = util::Trim(raw, util::kBlanksAndCr);
    if (line.empty()) {
      in_first_record = false;
      continue;
    }
    if (std::optional<std::string_view> value = RwhoisReferralValue(line)) {
      if (!rwhois.found) rwhois = {true, *value, rwhois.form};
      continue;
    }
    Field field = SplitField(line);
    if (field.key.empty()) continue;
    if (util::EqualsIgnoreCase(field.key, "Domain Name")) {
      in_first_record = !seen_domain_record;
      seen_domain_record = true;
    } else if (util::EqualsIgnoreCase(field.key, "refer")) {
      if (!refer.found) refer = {true, field.value, refer.form};
    } else if (util::EqualsIgnoreCase(field.key, "whois")) {
      if (!whois.found) whois = {true, field.value, whois.form};
    } else if (util::EqualsIgnoreCase(field.key, "Registrar WHOIS Server") ||
               util::EqualsIgnoreCase(field.key, "Whois Server")) {
      if (in_first_record && !registrar.found) {
        registrar = {true, field.value, registrar.form};
      }
    } else if (util::EqualsIgnoreCase(field.key, "ReferralServer")) {
      arin = {true, field.value, arin.form};  // the last one wins
    }
  }

  for (const Candidate* c : {&refer, &whois, &registrar, &arin, &rwhois}) {
    if (!c->found) continue;
    util::StatusOr<Referral> referral = ParseReferralValue(c->value);
    if (!referral.ok()) {
      if (reason != nullptr) *reason = std::string(c->form) + " " + referral.status().message();
      return std::nullopt;
    }
    return std::move(referral).value();
  }
  if (reason != nullptr) reason->clear();
  return std::nullopt;
}

}  // namespace whois
