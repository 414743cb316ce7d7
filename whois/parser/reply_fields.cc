#include "whois/parser/reply_fields.h"

#include <algorithm>
#include <array>

#include "util/ascii.h"
#include "util/enum_names.h"
#include "whois/country/country.h"

namespace whois {
namespace {

using rules::Field;
using rules::Role;

// Blanks, and quotes around the whole value ("\"Google LLC\""); quotes inside a value are part of
// it (UAB "Interneto vizija", LLC "MASTERHOST").
std::string_view Trim(std::string_view s) {
  s = util::Trim(s, util::kBlanks);
  if (s.size() >= 2 && s.front() == '"' && s.back() == '"' && s.find('"', 1) == s.size() - 1) {
    s = util::Trim(s.substr(1, s.size() - 2), util::kBlanks);
  }
  return s;
}

// Phrases registries and registrars use in place of withheld contact data.
constexpr std::array<std::string_view, 24> kPlaceholders = {
    "ano nymous",     // AFNIC's anonymised individual ("Ano Nymous")
    "registrant of",  // 1API: "Registrant of example.kitchen"
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

// Privacy and proxy services that stand in for the owner. Their name in a contact means the whole
// contact (address, country, e-mail) is the service's, so none of it describes the owner. Matched
// as lower-case substrings; each entry is the name its operator publishes.
constexpr auto kPrivacyServices = std::to_array<std::string_view>({
    "privacy service",             // "Privacy service provided by Withheld for Privacy ehf"
                                   // (Namecheap), "Super Privacy Service LTD c/o Dynadot",
                                   // "Whois Privacy Service" (Amazon Registrar), "IDCPrivacy
                                   // Service", "Privacy Protect Service"
    "privacy ehf",                 // "Withheld for Privacy ehf" (Namecheap)
    "contact privacy",             // "Contact Privacy Inc. Customer 0123" (Tucows, Google Domains)
    "privacy protect",             // "Privacy Protect, LLC (PrivacyProtect.org)" (PDR/Endurance),
                                   // "Whois Privacy Protection Service, Inc." (eNom)
    "privacyprotect",              //
    "privacy corp",                // "Whois Privacy Corp." (Internet.bs, TLD Registrar Solutions)
    "whoisprivacy",                // "WhoisPrivacy Limited" (EuroDNS)
    "privacy_whois",               // "Koreacenter (privacy_whois)"
    "privacyguardian",             // "See PrivacyGuardian.org" (NameSilo)
    "privacy.co.com",              // "Privacy.co.com, Inc Privacy ID# 782309" (Fabulous)
    "privacy hero",                // "Privacy Hero Inc." (Rebel.com)
    "domain privacy",              // "Domain Privacy" (Synergy Wholesale)
    "domainprivacy",               // "DomainPrivacy Path" (Liquidnet)
    "account privacy",             // "Account Privacy" (Webmasters.com)
    "perfect privacy",             // "Perfect Privacy, LLC" (Network Solutions)
    "privacidad",                  // "Whois Privacidad SA de CV"
    "whoisguard",                  // "WhoisGuard, Inc." (Namecheap before 2020)
    "by proxy",                    // "Domains By Proxy, LLC" (GoDaddy)
    "proxy protection",            // "Proxy Protection LLC"
    "domain protection services",  // "Domain Protection Services, Inc." (Name.com)
    "identity protect",            // "Identity Protection Service" (Amazon Registrar, Gandi),
                                   // "Identity Protect Limited" (123-Reg)
    "protectservice",              // "PROTECTSERVICE, LTD." (Danesco)
    "whoisprotection",             // "Whoisprotection biz" (isimtescil)
    "whois protection",            //
    "private registration",        // "Private Registration" (Web.com, Network Solutions)
    "registration private",        // "Registration Private" (Domains By Proxy's registrant name)
    "anonymize, inc",              // "Anonymize, Inc." (Epik)
    "whois foundation",            // "Whois Foundation" (NameKing)
    "knock knock whois",           // "Knock Knock WHOIS Not There, LLC" (Automattic)
    "privatewhois",                // "Privatewhois biz"
    "private whois",               // "Fundacion Private Whois" (Internet.bs)
    "privacy services",            // "Fundacion Privacy Services LTD"
    "provided through",            // "Provided through Communigal Communication Ltd"
    "on behalf of",                // "On behalf of example.com owner" (Amazon Registrar)
    "whois agent",                 // "Whois Agent" (Network Solutions' proxy contact)
});

// Words that mark a name as an organisation's: legal forms (ISO 20275 Entity Legal Forms) and
// words organisations are named with. Matched as whole words, case-insensitive, after dots and
// commas are dropped ("Ltd." = "ltd", "S.p.A." = "spa").
constexpr std::array<std::string_view, 62> kOrganizationWords = {
    "einzelunternehmen",
    "ek",
    "inc",
    "incorporated",
    "llc",
    "lp",
    "llp",
    "ltd",
    "limited",
    "corp",
    "corporation",
    "co",
    "company",
    "plc",
    "gmbh",
    "ag",
    "kg",
    "ev",
    "sa",
    "sas",
    "sarl",
    "spa",
    "srl",
    "sro",
    "as",
    "asa",
    "ab",
    "oy",
    "oyj",
    "aps",
    "bv",
    "nv",
    "vzw",
    "asbl",
    "doo",
    "dd",
    "ooo",
    "pty",
    "pte",
    "bhd",
    "sdn",
    "kk",
    "na",
    "cv",
    "sl",
    "lda",
    "ltda",
    "university",
    "universidad",
    "universite",
    "universitat",
    "college",
    "institute",
    "ministry",
    "department",
    "agency",
    "authority",
    "association",
    "foundation",
    "registry",
    "centre",
    "center",
};

// Legal forms written in other scripts, matched as substrings.
constexpr std::array<std::string_view, 7> kOrganizationMarks = {
    "有限公司", "株式会社", "公司", "中心", "(주)", "주식회사", "ООО",
};

// Values that mean "nothing here" and are dropped silently.
constexpr std::array<std::string_view, 9> kEmptyValues = {
    "n/a", "na", "-", "none", "null", "nil", "---", "not available", "(none)"};

// Host names registries print where a name server is missing (.uz "not.defined.").
constexpr std::array<std::string_view, 1> kPlaceholderHosts = {"not.defined"};

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
    if (util::ToLower(a[i]) != util::ToLower(b[j])) return false;
    ++i;
    ++j;
  }
}

bool EqualsLower(std::string_view value, std::string_view lower) {
  return value.size() == lower.size() &&
         std::equal(value.begin(), value.end(), lower.begin(),
                    [](char v, char l) { return util::ToLower(v) == l; });
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
  static constexpr util::EnumNames<Role::kTech> kNames({"", "registrant", "admin", "tech"}, "");
  return kNames.Name(role);
}

// The contact member a field writes and its name in `redacted` paths.
std::string* ContactMember(Field field, Contact* c, std::string_view* name) {
  // Field's contact fields run from kContactName to kContactEmail in kContactFields's order.
  constexpr auto kFirst = static_cast<size_t>(Field::kContactName);
  static_assert(static_cast<size_t>(Field::kContactEmail) - kFirst + 1 ==
                std::size(kContactFields));
  if (field < Field::kContactName || field > Field::kContactEmail) return nullptr;
  const auto& f = kContactFields[static_cast<size_t>(field) - kFirst];
  *name = f.name;
  return &(c->*f.member);
}

void ApplyContact(Field field, Role role, std::string_view value, WhoisRecord* record) {
  Contact* c = ContactFor(role, record);
  if (c == nullptr) return;
  std::string_view name;
  std::string* member = ContactMember(field, c, &name);
  if (member == nullptr) return;
  // A privacy service's name is kept for now, whatever words it uses ("Withheld for Privacy
  // ehf"), so that the parser can tell the whole contact is the service's (FinishContact in
  // reply_parser.cc withholds it all).
  bool service = (field == Field::kContactName || field == Field::kContactOrganization) &&
                 IsPrivacyService(value);
  if (IsRedactionPlaceholder(value) && !service) {
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
    std::optional<std::string> cc = CountryTable::Builtin().Normalize(value);
    // "Hong Kong (HK)": the code in parentheses.
    if (!cc && value.size() > 4 && value.back() == ')' && value[value.size() - 4] == '(') {
      cc = CountryTable::Builtin().Normalize(value.substr(value.size() - 3, 2));
    }
    if (cc) SetOnce(member, *cc);
    return;
  }
  if (field == Field::kContactEmail && value.find('@') == std::string_view::npos) return;
  SetOnce(member, value);
}

bool HasDigit(std::string_view s) {
  return s.find_first_of("0123456789") != std::string_view::npos;
}

bool IsUrlText(std::string_view s) {
  return s.find("://") != std::string_view::npos || s.find("www.") != std::string_view::npos;
}

// A registrar id printed after the name: "R36-ASIA", "R84-AFIN" (Afilias-style ids).
bool IsRegistrarId(std::string_view word) {
  if (word.size() < 4 || word[0] != 'R') return false;
  size_t dash = word.find('-');
  if (dash == std::string_view::npos || dash < 2) return false;
  for (size_t i = 1; i < dash; ++i) {
    if (word[i] < '0' || word[i] > '9') return false;
  }
  return true;
}

// "MarkMonitor Inc. (R22-LRCC)" -> "MarkMonitor Inc."; "MarkMonitor Inc. (http://www.markmonitor
// .com)" -> "MarkMonitor Inc."; "abcdomain (ABCDomain LLC)" (a handle, then the name) ->
// "ABCDomain LLC"; "EuroDNS S.A. R36-ASIA (1052)" -> "EuroDNS S.A."; Nominet's "Markmonitor Inc.
// t/a Markmonitor [Tag = MARKMONITOR]" -> "Markmonitor" (the trading name).
std::string RegistrarName(std::string_view v) {
  v = Trim(v);
  for (int i = 0; i < 2 && !v.empty(); ++i) {
    char close = v.back();
    if (close != ')' && close != ']') break;
    size_t open = v.rfind(close == ')' ? '(' : '[');
    if (open == std::string_view::npos || open == 0) break;
    std::string_view inner = util::Trim(v.substr(open + 1, v.size() - open - 2), util::kBlanks);
    std::string_view before = util::Trim(v.substr(0, open), util::kBlanks);
    if (close == ')' && !HasDigit(inner) && !IsUrlText(inner)) {
      // "(TLDs)" is part of the name; "handle (Name)" gives the name.
      if (before.find(' ') == std::string_view::npos && inner.find(' ') != std::string_view::npos) {
        return std::string(inner);
      }
      break;
    }
    v = before;
  }
  if (size_t space = v.rfind(' '); space != std::string_view::npos) {
    if (IsRegistrarId(v.substr(space + 1))) v = util::Trim(v.substr(0, space), util::kBlanks);
  }
  if (size_t ta = v.find(" t/a "); ta != std::string_view::npos) v = Trim(v.substr(ta + 5));
  return std::string(v);
}

// A registrar's handle rather than its name: one word with a separator or digit ("WEBS-0001",
// "ua.markmonitor", "REG-MARKMONITOR"). Single words without them ("Markmonitor", "TOMAS") may
// be names.
bool LooksLikeHandle(std::string_view v) {
  if (v.empty() || v.find_first_of(" \t") != std::string_view::npos) return false;
  return v.find_first_of("-._0123456789") != std::string_view::npos;
}

}  // namespace

bool IsPrivacyService(std::string_view value) {
  std::string l = util::ToLower(value);
  if (l.find("redacted") != std::string::npos) return false;  // a withheld field, not a service
  for (std::string_view p : kPrivacyServices) {
    if (l.find(p) != std::string::npos) return true;
  }
  return false;
}

bool LooksLikeOrganization(std::string_view value) {
  for (std::string_view mark : kOrganizationMarks) {
    if (value.find(mark) != std::string_view::npos) return true;
  }
  std::string word;
  bool dotted = false, upper = true;
  auto is_org_word = [&] {
    // Forms of one or two letters count when written as such ("AG", "S.A.", "Co.", and the
    // Finnish "Oy"), so a person's short name ("Na", "Sa") does not make an organisation.
    if (word.size() <= 2 && !dotted && !upper && word != "oy") return false;
    return !word.empty() && std::find(kOrganizationWords.begin(), kOrganizationWords.end(), word) !=
                                kOrganizationWords.end();
  };
  for (char c : value) {
    if (c == '.' || c == '\'') {
      dotted = dotted || c == '.';
      continue;  // "S.p.A." -> "spa", "Ltd." -> "ltd"
    }
    bool letter = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
    if (letter || (c >= '0' && c <= '9') || static_cast<unsigned char>(c) >= 0x80) {
      upper = upper && !(c >= 'a' && c <= 'z');
      word.push_back(util::ToLower(c));
      continue;
    }
    if (is_org_word()) return true;
    word.clear();
    dotted = false;
    upper = true;
  }
  return is_org_word();
}

bool IsRedactionPlaceholder(std::string_view value) {
  std::string l = util::ToLower(value);
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
    std::string token = util::ToLower(value.substr(pos, end - pos));
    pos = end + 1;
    while (!token.empty() && (token.front() == '(' || token.front() == '[')) token.erase(0, 1);
    while (!token.empty() && (token.back() == '.' || token.back() == ')' || token.back() == ']')) {
      token.pop_back();
    }
    if (token.empty() || IsIpAddress(token) || !IsHostName(token)) continue;
    if (std::find(kPlaceholderHosts.begin(), kPlaceholderHosts.end(), token) !=
        kPlaceholderHosts.end()) {
      continue;
    }
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
      std::string name = util::ToLower(value.substr(0, value.find_first_of(" \t(")));
      while (!name.empty() && name.back() == '.') name.pop_back();
      if (name.find('.') != std::string::npos) SetOnce(&record->domain, name);
      return;
    }
    case Field::kRegistrarName: {
      // A URL is no name ("Registrar: https://www.101domain.com/").
      if (IsRedactionPlaceholder(value) || value.starts_with("http")) return;
      std::string name = RegistrarName(value);
      // The first name wins, but a name replaces a handle given first ("Registrar: WEBS-0001",
      // then the registrar object's "Organization: Websupport s.r.o.").
      if (record->registrar.name.empty() ||
          (LooksLikeHandle(record->registrar.name) && !LooksLikeHandle(name))) {
        record->registrar.name = std::move(name);
      }
      return;
    }
    case Field::kRegistrarIanaId:
      SetOnce(&record->registrar.iana_id, value);
      return;
    case Field::kRegistrarUrl:
      SetOnce(&record->registrar.url, value);
      return;
    case Field::kRegistrarWhoisServer:
      if (record->registrar.whois_server.empty())
        record->registrar.whois_server = util::ToLower(value);
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
