#include "whois/reply_fields.h"

#include <algorithm>
#include <array>

#include "whois/country.h"

namespace whois {
namespace {

using rules::Field;
using rules::Role;

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '"')) {
    s.remove_prefix(1);
  }
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '"')) {
    s.remove_suffix(1);
  }
  return s;
}

// Phrases registries and registrars use in place of withheld contact data.
constexpr std::array<std::string_view, 22> kPlaceholders = {
    "redacted",
    "data protected",
    "rdds service",
    "not disclosed",
    "gdpr",
    "statutory masking",
    "please ask the registrar",
    "withheld",
    "non-public",
    "not shown",
    "hidden upon",
    "private person",
    "privacy protected",
    "data privacy",
    "contact the registrar",
    "by registrar request",
    "query the registrar",
    "masked",
    "not published",
    "information not available",
    "personal data",
    "see registrar",
};

// Values that mean "nothing here" and are dropped silently.
constexpr std::array<std::string_view, 8> kEmptyValues = {"n/a",  "na",  "-",   "none",
                                                          "null", "nil", "---", "not available"};

constexpr std::array<std::string_view, 22> kEppCodes = {
    "ok",
    "active",
    "inactive",
    "addPeriod",
    "autoRenewPeriod",
    "renewPeriod",
    "transferPeriod",
    "redemptionPeriod",
    "pendingCreate",
    "pendingDelete",
    "pendingRenew",
    "pendingRestore",
    "pendingTransfer",
    "pendingUpdate",
    "clientDeleteProhibited",
    "clientHold",
    "clientRenewProhibited",
    "clientTransferProhibited",
    "clientUpdateProhibited",
    "serverDeleteProhibited",
    "serverHold",
    "serverRenewProhibited",
};
constexpr std::array<std::string_view, 2> kMoreEppCodes = {"serverTransferProhibited",
                                                           "serverUpdateProhibited"};

char LowerAscii(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

bool IsLetter(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }

// Whether `a` and `b` hold the same ASCII letters, ignoring case and everything else:
// "CLIENT TRANSFER PROHIBITED" and "client-transfer-prohibited" are "clientTransferProhibited".
// Compares in place: a status is matched against every EPP code.
bool SameLetters(std::string_view a, std::string_view b) {
  size_t i = 0, j = 0;
  while (true) {
    while (i < a.size() && !IsLetter(a[i])) ++i;
    while (j < b.size() && !IsLetter(b[j])) ++j;
    if (i == a.size() || j == b.size()) return i == a.size() && j == b.size();
    if (LowerAscii(a[i]) != LowerAscii(b[j])) return false;
    ++i;
    ++j;
  }
}

bool EqualsLower(std::string_view value, std::string_view lower) {
  return value.size() == lower.size() &&
         std::equal(value.begin(), value.end(), lower.begin(),
                    [](char v, char l) { return LowerAscii(v) == l; });
}

std::string CanonicalStatus(std::string_view piece) {
  auto match = [&](std::string_view code) { return SameLetters(code, piece); };
  for (std::string_view code : kEppCodes) {
    if (match(code)) return std::string(code);
  }
  for (std::string_view code : kMoreEppCodes) {
    if (match(code)) return std::string(code);
  }
  return std::string(piece);
}

bool IsIpAddress(std::string_view s) {
  bool colon = s.find(':') != std::string_view::npos;
  return colon ||
         std::all_of(s.begin(), s.end(), [](char c) { return (c >= '0' && c <= '9') || c == '.'; });
}

bool IsHostName(std::string_view s) {
  if (s.size() < 3 || s.size() > 253 || s.find('.') == std::string_view::npos) return false;
  if (s.front() == '.' || s.front() == '-') return false;
  return std::all_of(s.begin(), s.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '-' || c == '_';
  });
}

void SetOnce(std::string* field, std::string_view value) {
  if (field->empty()) *field = std::string(value);
}

void AddRedacted(std::string path, WhoisRecord* record) {
  if (std::find(record->redacted.begin(), record->redacted.end(), path) == record->redacted.end()) {
    record->redacted.push_back(std::move(path));
  }
}

Contact* ContactFor(Role role, WhoisRecord* record) {
  switch (role) {
    case Role::kRegistrant:
      return &record->registrant;
    case Role::kAdmin:
      return &record->admin;
    case Role::kTech:
      return &record->tech;
    case Role::kNone:
      break;
  }
  return nullptr;
}

std::string_view RoleName(Role role) {
  switch (role) {
    case Role::kRegistrant:
      return "registrant";
    case Role::kAdmin:
      return "admin";
    case Role::kTech:
      return "tech";
    case Role::kNone:
      break;
  }
  return "";
}

// The contact member a field writes and its name in `redacted` paths.
std::string* ContactMember(Field field, Contact* c, std::string_view* name) {
  switch (field) {
    case Field::kContactName:
      *name = "name";
      return &c->name;
    case Field::kContactOrganization:
      *name = "organization";
      return &c->organization;
    case Field::kContactStreet:
      *name = "street";
      return &c->street;
    case Field::kContactCity:
      *name = "city";
      return &c->city;
    case Field::kContactState:
      *name = "state";
      return &c->state;
    case Field::kContactPostalCode:
      *name = "postal_code";
      return &c->postal_code;
    case Field::kContactCountry:
      *name = "country";
      return &c->country;
    case Field::kContactPhone:
      *name = "phone";
      return &c->phone;
    case Field::kContactEmail:
      *name = "email";
      return &c->email;
    default:
      return nullptr;
  }
}

void ApplyContact(Field field, Role role, std::string_view value, WhoisRecord* record) {
  Contact* c = ContactFor(role, record);
  if (c == nullptr) return;
  std::string_view name;
  std::string* member = ContactMember(field, c, &name);
  if (member == nullptr) return;
  if (IsRedactionPlaceholder(value)) {
    AddRedacted(std::string(RoleName(role)) + "." + std::string(name), record);
    return;
  }
  if (field == Field::kContactStreet) {
    if (member->size() + value.size() + 2 > kMaxStreetLength) return;
    if (!member->empty()) member->append(", ");
    member->append(value);
    return;
  }
  if (field == Field::kContactCountry) {
    if (auto cc = CountryTable::Builtin().Normalize(value)) SetOnce(member, *cc);
    return;
  }
  if (field == Field::kContactEmail && value.find('@') == std::string_view::npos) return;
  SetOnce(member, value);
}

// "MarkMonitor Inc. (R22-LRCC)" -> "MarkMonitor Inc."; Nominet's "Markmonitor Inc. t/a
// Markmonitor [Tag = MARKMONITOR]" -> "Markmonitor" (the trading name).
std::string RegistrarName(std::string_view v) {
  v = Trim(v);
  for (int i = 0; i < 2 && !v.empty(); ++i) {
    char close = v.back();
    if (close != ')' && close != ']') break;
    size_t open = v.rfind(close == ')' ? '(' : '[');
    if (open == std::string_view::npos || open == 0) break;
    std::string_view inner = v.substr(open);
    // Only ids ("(R22-LRCC)", "(292)", "[Tag = X]") go; "(TLDs)" is part of the name.
    if (close == ')' && inner.find_first_of("0123456789") == std::string_view::npos) break;
    v = Trim(v.substr(0, open));
  }
  if (size_t ta = v.find(" t/a "); ta != std::string_view::npos) v = Trim(v.substr(ta + 5));
  return std::string(v);
}

}  // namespace

bool IsRedactionPlaceholder(std::string_view value) {
  std::string l = Lower(value);
  for (std::string_view p : kPlaceholders) {
    if (l.find(p) != std::string::npos) return true;
  }
  return false;
}

void AppendStatuses(std::string_view value, std::vector<std::string>* out) {
  // Drop an explanatory URL or parenthesis: "clientHold https://icann.org/epp#clientHold",
  // "ok (https://...)".
  if (size_t url = value.find("http"); url != std::string_view::npos) value = value.substr(0, url);
  if (size_t paren = value.find('('); paren != std::string_view::npos) {
    value = value.substr(0, paren);
  }
  size_t pos = 0;
  while (pos <= value.size()) {
    size_t comma = value.find(',', pos);
    if (comma == std::string_view::npos) comma = value.size();
    std::string_view piece = Trim(value.substr(pos, comma - pos));
    pos = comma + 1;
    if (piece.empty()) continue;
    // Sentences ("Please visit www.dns.be for more info.") are notes, not statuses.
    if (piece.find("www.") != std::string_view::npos ||
        std::count(piece.begin(), piece.end(), ' ') > 4) {
      continue;
    }
    if (out->size() >= kMaxStatuses) return;
    std::string status = CanonicalStatus(piece);
    if (std::find(out->begin(), out->end(), status) == out->end()) out->push_back(status);
  }
}

void AppendNameservers(std::string_view value, std::vector<std::string>* out) {
  // Zone-file style "example.pt NS ns1.example.com.": the host is after the record type.
  for (std::string_view ns : {std::string_view("\tNS\t"), std::string_view(" NS ")}) {
    if (size_t at = value.find(ns); at != std::string_view::npos) {
      value = value.substr(at + ns.size());
      break;
    }
  }
  size_t pos = 0;
  while (pos < value.size()) {
    size_t end = value.find_first_of(" \t,;", pos);
    if (end == std::string_view::npos) end = value.size();
    std::string token = Lower(value.substr(pos, end - pos));
    pos = end + 1;
    while (!token.empty() && (token.front() == '(' || token.front() == '[')) token.erase(0, 1);
    while (!token.empty() && (token.back() == '.' || token.back() == ')' || token.back() == ']')) {
      token.pop_back();
    }
    if (token.empty() || IsIpAddress(token) || !IsHostName(token)) continue;
    if (out->size() >= kMaxNameservers) return;
    if (std::find(out->begin(), out->end(), token) == out->end()) out->push_back(token);
  }
}

void ApplyField(Field field, Role role, std::string_view value, DateOrder order,
                WhoisRecord* record) {
  value = Trim(value);
  if (value.empty()) return;
  for (std::string_view e : kEmptyValues) {
    if (EqualsLower(value, e)) return;
  }
  switch (field) {
    case Field::kIgnore:
    case Field::kContactHandle:
    case Field::kObjectHandle:
      return;
    case Field::kDomain: {
      std::string name = Lower(value.substr(0, value.find_first_of(" \t(")));
      while (!name.empty() && name.back() == '.') name.pop_back();
      if (name.find('.') != std::string::npos) SetOnce(&record->domain, name);
      return;
    }
    case Field::kRegistrarName:
      if (!IsRedactionPlaceholder(value)) SetOnce(&record->registrar.name, RegistrarName(value));
      return;
    case Field::kRegistrarIanaId:
      SetOnce(&record->registrar.iana_id, value);
      return;
    case Field::kRegistrarUrl:
      SetOnce(&record->registrar.url, value);
      return;
    case Field::kRegistrarWhoisServer:
      if (record->registrar.whois_server.empty()) record->registrar.whois_server = Lower(value);
      return;
    case Field::kRegistrarAbuseEmail:
      if (value.find('@') != std::string_view::npos) SetOnce(&record->registrar.abuse_email, value);
      return;
    case Field::kRegistrarAbusePhone:
      SetOnce(&record->registrar.abuse_phone, value);
      return;
    case Field::kCreated:
    case Field::kUpdated:
    case Field::kExpires: {
      std::string* target = field == Field::kCreated   ? &record->created
                            : field == Field::kUpdated ? &record->updated
                                                       : &record->expires;
      if (!target->empty()) return;
      if (auto date = ParseWhoisDate(value, order)) *target = *date;
      return;
    }
    case Field::kNameserver:
      AppendNameservers(value, &record->nameservers);
      return;
    case Field::kStatus:
      AppendStatuses(value, &record->domain_status);
      return;
    case Field::kDnssec:
      SetOnce(&record->dnssec, value);
      return;
    default:
      ApplyContact(field, role, value, record);
      return;
  }
}

}  // namespace whois
