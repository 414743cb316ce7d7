#include "whois/parser/reply_parser.h"

#include <algorithm>
#include <array>
#include <map>
#include <set>
#include <unordered_map>

#include "whois/country/country.h"
#include "whois/parser/reply_fields.h"
#include "whois/parser/reply_lines.h"
#include "whois/parser/rules/rule_set.h"

namespace whois {
namespace {

using rules::Field;
using rules::KeyAlias;
using rules::Role;
using rules::RuleSet;

struct Resolved {
  Field field = Field::kIgnore;
  Role role = Role::kNone;
  bool known = false;
};

// Contact keys once the role is known from a section, object or key prefix.
constexpr auto kContactKeys = std::to_array<KeyAlias>({
    {"country economy", Field::kContactCountry},
    {"name", Field::kContactName},
    {"person", Field::kContactName},
    {"contact name", Field::kContactName},
    {"contact", Field::kContactName},
    {"organization", Field::kContactOrganization},
    {"organisation", Field::kContactOrganization},
    {"org", Field::kContactOrganization},
    {"company", Field::kContactOrganization},
    {"company name", Field::kContactOrganization},
    {"org name", Field::kContactOrganization},
    {"street", Field::kContactStreet},
    {"address", Field::kContactStreet},
    {"street address", Field::kContactStreet},
    {"address1", Field::kContactStreet},
    {"address2", Field::kContactStreet},
    {"address3", Field::kContactStreet},
    {"city", Field::kContactCity},
    {"state", Field::kContactState},
    {"state province", Field::kContactState},
    {"province", Field::kContactState},
    {"postal code", Field::kContactPostalCode},
    {"postalcode", Field::kContactPostalCode},
    {"zip", Field::kContactPostalCode},
    {"zip code", Field::kContactPostalCode},
    {"postcode", Field::kContactPostalCode},
    {"country", Field::kContactCountry},
    {"country code", Field::kContactCountry},
    {"countrycode", Field::kContactCountry},
    {"phone", Field::kContactPhone},
    {"phone number", Field::kContactPhone},
    {"telephone", Field::kContactPhone},
    {"tel", Field::kContactPhone},
    {"email", Field::kContactEmail},
    {"e mail", Field::kContactEmail},
    {"organization name", Field::kContactOrganization},
    {"organisation name", Field::kContactOrganization},
    {"company english name", Field::kContactOrganization},  // .hk
    {"company chinese name", Field::kIgnore},               // .hk: the English one is published
    {"orgname", Field::kContactOrganization},               // .tm "Owner OrgName"
    {"addr", Field::kContactStreet},
    {"country name", Field::kContactCountry},
    // Spanish (.bo, .cl, .ve ...) and French (.sn, .ci ...) keys.
    {"nombre", Field::kContactName},
    {"organizacion", Field::kContactOrganization},
    {"empresa", Field::kContactOrganization},
    {"direccion", Field::kContactStreet},
    {"ciudad", Field::kContactCity},
    {"pais", Field::kContactCountry},
    {"telefono", Field::kContactPhone},
    {"correo", Field::kContactEmail},
    {"nom", Field::kContactName},
    {"organisme", Field::kContactOrganization},
    {"adresse", Field::kContactStreet},
    {"ville", Field::kContactCity},
    {"code postal", Field::kContactPostalCode},
    {"pays", Field::kContactCountry},
    {"courriel", Field::kContactEmail},
});

// Prefixes that put a contact key in a role: "Registrant Organization", "Tech Email".
struct RolePrefix {
  std::string_view prefix;
  Role role;
};
constexpr std::array<RolePrefix, 15> kRolePrefixes = {{
    {"registrant contact ", Role::kRegistrant},
    {"domain holder ", Role::kRegistrant},  // .th "Domain Holder Organization"

    {"registrant ", Role::kRegistrant},
    {"holder ", Role::kRegistrant},
    {"owner ", Role::kRegistrant},
    {"admin contact ", Role::kAdmin},
    {"administrative contact ", Role::kAdmin},
    {"administrative ", Role::kAdmin},
    {"admin ", Role::kAdmin},
    {"tech contact ", Role::kTech},
    {"technical contact ", Role::kTech},
    {"technical ", Role::kTech},
    {"tech ", Role::kTech},
    {"billing contact ", Role::kNone},
    {"billing ", Role::kNone},
}};

const KeyAlias* Find(std::span<const KeyAlias> table, std::string_view key) {
  for (const KeyAlias& a : table) {
    if (a.key == key) return &a;
  }
  return nullptr;
}

// Hash index over a large alias table. Every key of every reply line is looked up in the common
// table (~160 keys) and the contact keys, often several times; scanning them made string
// comparison the parser's hottest loop. The first entry for a key wins, as with Find.
class AliasIndex {
 public:
  explicit AliasIndex(std::span<const KeyAlias> table) {
    index_.reserve(table.size());
    for (const KeyAlias& a : table) index_.emplace(a.key, &a);
  }
  const KeyAlias* Find(std::string_view key) const {
    auto it = index_.find(key);
    return it == index_.end() ? nullptr : it->second;
  }

 private:
  std::unordered_map<std::string_view, const KeyAlias*> index_;
};

const AliasIndex& CommonIndex() {
  static const AliasIndex index(rules::CommonAliases());
  return index;
}

const AliasIndex& ContactIndex() {
  static const AliasIndex index(kContactKeys);
  return index;
}

enum class SectionKind { kNone, kContact, kRegistrar, kDomain, kNameservers, kOther };

struct Section {
  SectionKind kind = SectionKind::kNone;
  Role role = Role::kNone;
};

Section SectionOf(const std::string& normalized) {
  if (normalized.empty()) return {};
  auto has = [&](std::string_view w) { return normalized.find(w) != std::string::npos; };
  if (has("billing")) return {SectionKind::kOther, Role::kNone};
  if (has("tech")) return {SectionKind::kContact, Role::kTech};
  if (has("admin")) return {SectionKind::kContact, Role::kAdmin};
  if (has("registrant") || has("holder") || has("owner") || has("titular") ||
      has("organization using")) {  // .kz "Organization Using Domain Name"
    return {SectionKind::kContact, Role::kRegistrant};
  }
  if (has("registrar")) return {SectionKind::kRegistrar, Role::kNone};
  if (has("name server") || has("nameserver") || has("dns server") || has("domain server") ||
      has("nserver")) {
    return {SectionKind::kNameservers, Role::kNone};
  }
  if (normalized == "domain" || normalized == "domain information" ||
      normalized == "domain details") {
    return {SectionKind::kDomain, Role::kNone};
  }
  return {SectionKind::kOther, Role::kNone};
}

// A contact key without the qualifiers some registries add: "International Organisation" and
// "Local Name" (.cm, .ec), "organization-loc" (.ua, the local-script variant).
std::string_view BareContactKey(std::string_view key) {
  for (std::string_view prefix : {"international ", "local "}) {
    if (key.starts_with(prefix)) key.remove_prefix(prefix.size());
  }
  if (key.ends_with(" loc")) key.remove_suffix(4);
  return key;
}

Resolved RegistrarKey(const std::string& key) {
  if (key == "name" || key == "organization" || key == "organisation" || key == "registrar" ||
      key == "registrar name" || key == "org" || key == "organization name" ||
      key == "organisation name" || key == "company") {
    return {Field::kRegistrarName, Role::kNone, true};
  }
  if (key == "url" || key == "website" || key == "www" || key == "web") {
    return {Field::kRegistrarUrl, Role::kNone, true};
  }
  if (key == "iana id") return {Field::kRegistrarIanaId, Role::kNone, true};
  if (key == "whois server") return {Field::kRegistrarWhoisServer, Role::kNone, true};
  return {};
}

// "name server 1" -> "name server", "ns1 hostname" -> "ns hostname".
std::string WithoutDigits(const std::string& key) {
  std::string out;
  for (char c : key) {
    if (c >= '0' && c <= '9') continue;
    if (c == ' ' && (out.empty() || out.back() == ' ')) continue;
    out.push_back(c);
  }
  while (!out.empty() && out.back() == ' ') out.pop_back();
  return out;
}

Resolved Resolve(const RuleSet& rules, const Section& section, const std::string& key,
                 const std::string& section_key) {
  bool continuation = key == section_key;
  if (section.kind == SectionKind::kRegistrar) {
    if (continuation && Find(rules.aliases, key) == nullptr) {
      return {Field::kRegistrarName, Role::kNone, true};
    }
    if (Resolved r = RegistrarKey(key); r.known) return r;
    // The registrar's own address, country, e-mail: not the registrant's.
    if (ContactIndex().Find(BareContactKey(key)) != nullptr)
      return {Field::kIgnore, Role::kNone, true};
  }
  if (section.kind == SectionKind::kContact && continuation) {
    // Lines under "Registrant:" / "Registrant's address:": an address block (see AddressBlock).
    return {Field::kContactStreet, section.role, true};
  }
  if (section.kind == SectionKind::kContact && !continuation) {
    std::string_view bare = key;
    for (const RolePrefix& p : kRolePrefixes) {
      if (bare.starts_with(p.prefix)) {
        bare.remove_prefix(p.prefix.size());
        break;
      }
    }
    if (const KeyAlias* a = ContactIndex().Find(BareContactKey(bare))) {
      return {a->field, section.role, true};
    }
  }
  if (section.kind == SectionKind::kDomain && (key == "name" || key == "domain name")) {
    return {Field::kDomain, Role::kNone, true};  // .ee "Domain:" then "name: example.ee"
  }
  if (section.kind == SectionKind::kNameservers &&
      (continuation || key == "name" || key == "hostname" || key == "host name" ||
       key == "server" || key == "host")) {
    return {Field::kNameserver, Role::kNone, true};  // .tn "DNS servers", then "Name....: ns1."
  }
  if (const KeyAlias* a = Find(rules.aliases, key)) return {a->field, a->role, true};
  if (const KeyAlias* a = CommonIndex().Find(key)) {
    Role role = a->role;
    if (section.kind == SectionKind::kContact && role != Role::kNone) role = section.role;
    return {a->field, role, true};
  }
  // Numbered keys: "Name Server 1", "ns1_hostname", "ns_name_01".
  if (std::string bare = WithoutDigits(key); bare != key && !bare.empty()) {
    if (const KeyAlias* a = Find(rules.aliases, bare)) return {a->field, a->role, true};
    if (const KeyAlias* a = CommonIndex().Find(bare)) {
      if (a->field == Field::kNameserver) return {a->field, Role::kNone, true};
    }
  }
  for (const RolePrefix& p : kRolePrefixes) {
    if (std::string_view(key).starts_with(p.prefix)) {
      if (const KeyAlias* a = ContactIndex().Find(std::string_view(key).substr(p.prefix.size()))) {
        return {p.role == Role::kNone ? Field::kIgnore : a->field, p.role, true};
      }
    }
  }
  return {};
}

std::string UpperTrim(std::string_view s) {
  std::string out;
  for (char c : s) {
    if (c == ' ' || c == '\t') continue;
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
    out.push_back(c);
  }
  return out;
}

struct Keyed {
  const ReplyEntry* entry;
  std::string key, section_key;
  Section section;
  Resolved resolved;
};

// A value that reads as a handle: one word, with a digit, '-' or '_' ("GIH6-FRNIC", "MM1171195",
// "33693450239", "CON000011396").
bool IsHandleValue(std::string_view v) {
  if (v.size() < 2 || v.size() > 64 || v.find_first_of(" \t") != std::string_view::npos) {
    return false;
  }
  return v.find_first_of("0123456789-_") != std::string_view::npos;
}

// Keys that open a contact object with its handle in FRED-style replies (CZ.NIC's registry
// software: .cz, .ve, .tz, .mk, .cr, .ao, .ar ...): "contact: MM1171195", then "org:", "name:".
bool IsObjectHandleKey(const std::string& key) {
  return key == "contact" || key == "handle" || key == "nic handle" || key == "contact id";
}

struct ContactObjects {
  // Per object index, the roles that object plays; objects that hold a handle nobody refers to
  // are present with no role, so that their fields (changed dates, addresses) do not leak into
  // the domain's.
  std::map<int, std::vector<Role>> roles;
  std::set<std::string> handles;  // upper-cased handles of those objects
};

// RIPE-style replies describe contacts in objects of their own ("nic-hdl: GIH6-FRNIC", FRED's
// "contact: MM1171195"), which the domain object names by handle ("holder-c: GIH6-FRNIC",
// "registrant: MM1171195").
ContactObjects ObjectRoles(const std::vector<Keyed>& keyed) {
  ContactObjects out;
  std::map<std::string, int> object_of_handle;
  int previous_object = -1;
  for (const Keyed& k : keyed) {
    bool first_of_object = k.entry->object != previous_object;
    previous_object = k.entry->object;
    if (k.resolved.field == Field::kObjectHandle ||
        (first_of_object && k.section_key.empty() && IsObjectHandleKey(k.key) &&
         IsHandleValue(k.entry->value))) {
      std::string handle = UpperTrim(k.entry->value);
      object_of_handle.emplace(handle, k.entry->object);
      out.roles[k.entry->object];
      out.handles.insert(std::move(handle));
    }
  }
  for (const Keyed& k : keyed) {
    bool reference = k.resolved.field == Field::kContactHandle ||
                     (k.resolved.role != Role::kNone && k.resolved.field == Field::kContactName &&
                      IsHandleValue(k.entry->value));
    if (!reference) continue;
    auto it = object_of_handle.find(UpperTrim(k.entry->value));
    if (it == object_of_handle.end() || it->second == k.entry->object) continue;
    std::vector<Role>& list = out.roles[it->second];
    if (std::find(list.begin(), list.end(), k.resolved.role) == list.end()) {
      list.push_back(k.resolved.role);
    }
  }
  return out;
}

std::string NormalizeDomainWord(std::string_view word) {
  std::string w;
  for (char c : word) w.push_back(c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c);
  while (!w.empty() && w.back() == '.') w.pop_back();
  size_t dot = w.find('.');
  if (dot == std::string::npos || dot == 0 || w.size() > 253) return "";
  bool letter = false;
  for (char c : w) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.')) return "";
    letter = letter || (c >= 'a' && c <= 'z');
  }
  return letter ? w : "";
}

// Consecutive unlabelled lines of one contact: "Registrant:" then "Google Inc.", "1600
// Amphitheatre Parkway", ..., "United States". The last line that names a country is the
// country; under a bare role header the first line is the organisation; the rest is the street.
// A block made of one key repeated (.ac "Owner : DNS Admin", "Owner : Google Inc.", ...) starts
// with the contact's name. Where the organisation is not known from the layout, the first line
// that reads as an organisation's name ("Google LLC") is taken for it.
struct AddressBlock {
  Role role = Role::kNone;
  bool first_is_organization = false;
  bool first_is_name = false;
  bool unlabelled = false;  // lines under a header or one repeated key, not "Registrant Address:"
  std::vector<std::string_view> lines;
};

void ApplyAddressBlock(const AddressBlock& block, DateOrder order, WhoisRecord* rec) {
  std::vector<std::string_view> lines = block.lines;
  if (lines.empty()) return;
  // "Registrant:\n  NOT DISCLOSED!\n  Visit www.eurid.eu ..." is a notice, not an address.
  if (IsRedactionPlaceholder(lines[0])) {
    ApplyField(block.first_is_organization ? Field::kContactOrganization : Field::kContactStreet,
               block.role, lines[0], order, rec);
    return;
  }
  size_t first = 0;
  if (block.first_is_organization || block.first_is_name) {
    ApplyField(block.first_is_name ? Field::kContactName : Field::kContactOrganization, block.role,
               lines[0], order, rec);
    first = 1;
  }
  size_t end = lines.size();
  for (size_t i = lines.size(); i > first; --i) {
    std::optional<std::string> cc = CountryTable::Builtin().Normalize(lines[i - 1]);
    if (!cc) continue;
    ApplyField(Field::kContactCountry, block.role, lines[i - 1], order, rec);
    end = i - 1;
    // ".it" repeats the code: "Dublin", "2", "IE", "IE".
    while (end > first && CountryTable::Builtin().Normalize(lines[end - 1]) == cc) --end;
    break;
  }
  size_t organization = end;
  if (!block.first_is_organization && block.unlabelled) {
    for (size_t i = first; i < end; ++i) {
      // Street lines have numbers; organisation names seldom do.
      if (lines[i].find_first_of("0123456789") == std::string_view::npos &&
          LooksLikeOrganization(lines[i])) {
        organization = i;
        ApplyField(Field::kContactOrganization, block.role, lines[i], order, rec);
        break;
      }
    }
  }
  for (size_t i = first; i < end; ++i) {
    if (i == organization) continue;
    bool email_only = lines[i].find('@') != std::string_view::npos &&
                      lines[i].find(' ') == std::string_view::npos;
    if (email_only) continue;  // .tr lists the contact's e-mail among its address lines
    ApplyField(Field::kContactStreet, block.role, lines[i], order, rec);
  }
}

bool HasAnyField(const WhoisRecord& r) {
  return !r.domain.empty() || !r.created.empty() || !r.expires.empty() || !r.updated.empty() ||
         !r.nameservers.empty() || !r.registrar.name.empty() || !r.registrant.empty();
}

// The first word of `line` that reads as a domain name ("No match for \"EXAMPLE.COM\"." ->
// "example.com"); "" when none.
std::string DomainIn(std::string_view line) {
  size_t pos = 0;
  while (pos < line.size()) {
    size_t end = line.find_first_of(" \t\"'(),:", pos);
    if (end == std::string_view::npos) end = line.size();
    std::string word = NormalizeDomainWord(line.substr(pos, end - pos));
    pos = end + 1;
    if (!word.empty()) return word;
  }
  return "";
}

// Keys that say a contact is an organisation even where its organisation is given as its name:
// a company register number (.ee "org id", .fi "register number", .lv "RegNr") or a type
// (.lv "Type: Legal person", .lu "ownertype: ORGANISATION", .pl "registrant type:
// organization", .sn "Type: Organisation").
bool MarksOrganization(const std::string& key, std::string_view value) {
  // Every entry is asked: most keys end otherwise.
  if (!key.ends_with(" id") && !key.ends_with("number") && !key.ends_with("type") &&
      !key.ends_with("regnr")) {
    return false;
  }
  std::string_view bare = key;
  for (const RolePrefix& p : kRolePrefixes) {
    if (bare.starts_with(p.prefix)) {
      bare.remove_prefix(p.prefix.size());
      break;
    }
  }
  if (bare == "org id" || bare == "organization id" || bare == "organisation id" ||
      bare == "register number" || bare == "registration number" || bare == "regnr" ||
      bare == "company number") {
    std::string v = NormalizeKey(value);
    return !v.empty() && v != "none" && v != "n a";
  }
  if (bare == "type" || bare == "ownertype" || bare == "contact type") {
    std::string v = NormalizeKey(value);
    return v.starts_with("org") || v.starts_with("legal") || v.starts_with("company") ||
           v.starts_with("corporat");
  }
  return false;
}

// The role a key speaks about: its section's, or its prefix's ("registrant type", "ownertype").
Role RoleOfKey(const Keyed& k) {
  if (k.section.kind == SectionKind::kContact) return k.section.role;
  if (k.key.starts_with("owner")) return Role::kRegistrant;
  for (const RolePrefix& p : kRolePrefixes) {
    if (k.key.starts_with(p.prefix)) return p.role;
  }
  return Role::kNone;
}

// Objects (blank-line separated blocks) that describe one party, told by their first key:
// "Registrar: WEBS-0001" (.sk), "registrar: ua.forward" (.ua), "Domain registrant: WS-21" (.sk).
// Returns, per such object, the section its entries sit in. Objects that hold the domain are
// never typed, nor are any in a reply of one object.
std::map<int, std::string_view> ObjectTypes(const std::vector<Keyed>& keyed) {
  std::map<int, std::string_view> first_key;
  std::set<int> domain_objects;
  for (const Keyed& k : keyed) {
    if (k.key == "domain" || k.key == "domain name" || k.key == "domainname") {
      domain_objects.insert(k.entry->object);
    }
    if (k.entry->section.empty() && !k.key.empty()) first_key.try_emplace(k.entry->object, k.key);
  }
  std::map<int, std::string_view> types;
  if (first_key.size() < 2) return types;
  for (const auto& [object, key] : first_key) {
    if (domain_objects.contains(object)) continue;
    if (key == "registrar") {
      types[object] = "registrar";
    } else if (key == "registrant" || key == "domain registrant" || key == "holder" ||
               key == "owner") {
      types[object] = "registrant";
    }
  }
  return types;
}

// Marks runs of three or more consecutive entries that repeat one contact-name key (.ac, .sh,
// .tm: "Owner : DNS Admin", "Owner : Google Inc.", "Owner : 1600 Amphitheatre Parkway", ...):
// one contact written over several lines, read as an address block.
std::vector<bool> RepeatedNameRuns(const std::vector<Keyed>& keyed) {
  std::vector<bool> in_run(keyed.size(), false);
  for (size_t i = 0; i + 2 < keyed.size();) {
    const Keyed& k = keyed[i];
    size_t j = i + 1;
    if (k.resolved.field == Field::kContactName && k.resolved.role != Role::kNone &&
        !k.key.empty()) {
      while (j < keyed.size() && keyed[j].key == k.key &&
             keyed[j].entry->object == k.entry->object) {
        ++j;
      }
      if (j - i >= 3)
        std::fill(in_run.begin() + static_cast<long>(i), in_run.begin() + static_cast<long>(j),
                  true);
    }
    i = j;
  }
  return in_run;
}

struct LeadingField {
  Field field;
  std::string_view value;
};

// Longest key that may open a line ("record last updated on"), and longest such line.
constexpr size_t kMaxLeadingKeyWords = 5;
constexpr size_t kMaxLeadingKeyLine = 160;
constexpr size_t kMaxLeadingWord = 16;

// First words of the common keys of dates and the domain ("record", "registered", "domain").
const std::set<std::string, std::less<>>& LeadingWords() {
  static const std::set<std::string, std::less<>> words = [] {
    std::set<std::string, std::less<>> out;
    for (const KeyAlias& a : rules::CommonAliases()) {
      if (a.field == Field::kCreated || a.field == Field::kUpdated || a.field == Field::kExpires ||
          a.field == Field::kDomain) {
        out.emplace(a.key.substr(0, a.key.find(' ')));
      }
    }
    return out;
  }();
  return words;
}

// A line that starts with a key and goes on with its value, without a colon: "Record expires on
// 2026-11-09 00:00:00 (UTC+8)", "Registered on 30th April 2003 at 00:00:00.000" and, when
// `domain_too`, "Domain EXAMPLE.KG". Only dates (the value must read as one) and a domain name
// (one word with a dot) are taken: other keys are too common in prose.
std::optional<LeadingField> LeadingKey(const RuleSet& rules, std::string_view line, DateOrder order,
                                       bool domain_too) {
  if (line.size() > kMaxLeadingKeyLine || line.empty()) return std::nullopt;
  // Most such lines are prose: look further only when the first word opens a date or domain key.
  size_t first_end = line.find_first_of(" \t");
  if (first_end == std::string_view::npos || first_end > kMaxLeadingWord) return std::nullopt;
  char lower[kMaxLeadingWord];
  for (size_t i = 0; i < first_end; ++i) {
    char c = line[i];
    lower[i] = c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
  }
  if (!LeadingWords().contains(std::string_view(lower, first_end))) return std::nullopt;
  std::vector<size_t> word_ends;
  for (size_t i = 0; i < line.size() && word_ends.size() < kMaxLeadingKeyWords; ++i) {
    if (line[i] == ' ' || line[i] == '\t') {
      if (i > 0 && line[i - 1] != ' ' && line[i - 1] != '\t') word_ends.push_back(i);
    }
  }
  for (size_t n = word_ends.size(); n > 0; --n) {
    std::string key = NormalizeKey(line.substr(0, word_ends[n - 1]));
    const KeyAlias* a = Find(rules.aliases, key);
    if (a == nullptr) a = CommonIndex().Find(key);
    if (a == nullptr) continue;
    std::string_view value = line.substr(word_ends[n - 1]);
    while (!value.empty() && (value.front() == ' ' || value.front() == '\t' ||
                              value.front() == ':' || value.front() == '.')) {
      value.remove_prefix(1);
    }
    if (value.empty()) return std::nullopt;
    if (a->field == Field::kCreated || a->field == Field::kUpdated || a->field == Field::kExpires) {
      if (ParseWhoisDate(value, order)) return LeadingField{a->field, value};
      return std::nullopt;
    }
    if (a->field == Field::kDomain && domain_too) {
      // "Domain GOOGLE.KG", "Domain GOOGLE.KG (ACTIVE)": one word with a dot, perhaps a note.
      size_t end = value.find_first_of(" \t");
      std::string_view rest = end == std::string_view::npos ? "" : value.substr(end);
      rest.remove_prefix(std::min(rest.find_first_not_of(" \t"), rest.size()));
      std::string_view name = value.substr(0, end);
      if (name.find('.') != std::string_view::npos && (rest.empty() || rest.front() == '(')) {
        return LeadingField{Field::kDomain, name};
      }
    }
    return std::nullopt;
  }
  return std::nullopt;
}

// Last touches on one contact once the reply is read: a privacy service standing in for the owner
// makes the whole contact the service's (its fields go to `redacted`, none is published), and a
// name that reads as an organisation's is the organisation where none is given (registries
// without an organisation field: "Registrant Name: Google LLC").
void FinishContact(Role role, Contact* c, bool organization, std::vector<std::string>* redacted) {
  if (IsPrivacyService(c->name) || IsPrivacyService(c->organization)) {
    std::string_view prefix = role == Role::kRegistrant ? "registrant."
                              : role == Role::kAdmin    ? "admin."
                                                        : "tech.";
    for (const auto& f : kContactFields) {
      std::string& value = c->*f.member;
      if (value.empty()) continue;
      std::string path = std::string(prefix) + f.name;
      if (std::find(redacted->begin(), redacted->end(), path) == redacted->end()) {
        redacted->push_back(std::move(path));
      }
      value.clear();
    }
    return;
  }
  if (c->organization.empty() && !c->name.empty() &&
      (organization || LooksLikeOrganization(c->name))) {
    c->organization = c->name;
  }
}

}  // namespace

ParsedReply ParseReply(std::string_view server_host, std::string_view text) {
  return ParseReply(server_host, text, ClassifyReply(text));
}

ParsedReply ParseReply(std::string_view server_host, std::string_view text, ReplyKind kind) {
  // `kind` stays ClassifyReply(text) after the cut: the classifier reads no further than this.
  static_assert(kMaxClassifiedBytes <= kMaxParsedBytes);
  if (text.size() > kMaxParsedBytes) text = text.substr(0, kMaxParsedBytes);
  const RuleSet& rules = rules::RuleSetFor(server_host, text);
  ParsedReply out;
  out.rule_set = std::string(rules.name);
  out.kind = kind;
  if (out.kind == ReplyKind::kRefused) {
    std::string_view line = RefusalLine(text);
    size_t at = line.empty() ? 0 : static_cast<size_t>(line.data() - text.data());
    out.retry_after = RetryAfterSeconds(text.substr(at, 300));
  }

  std::vector<ReplyEntry> entries = SplitReply(text, rules.column_keys);
  std::vector<Keyed> keyed;
  keyed.reserve(entries.size());
  std::string_view last_section;  // entries under one header share its normalised text
  for (const ReplyEntry& e : entries) {
    Keyed k{&e, NormalizeKey(e.key), {}, {}, {}};
    if (!e.section.empty()) {
      k.section_key = e.section.data() == last_section.data() && !keyed.empty()
                          ? keyed.back().section_key
                          : NormalizeKey(e.section);
    }
    last_section = e.section;
    keyed.push_back(std::move(k));
  }
  const std::map<int, std::string_view> object_types =
      rules.objects_by_handle ? std::map<int, std::string_view>{} : ObjectTypes(keyed);
  for (Keyed& k : keyed) {
    if (k.section_key.empty()) {
      if (auto type = object_types.find(k.entry->object); type != object_types.end()) {
        k.section_key = type->second;
      }
    }
    k.section = SectionOf(k.section_key);
    k.resolved = Resolve(rules, k.section, k.key, k.section_key);
  }
  ContactObjects contact_objects = ObjectRoles(keyed);
  std::map<int, std::vector<Role>>& object_roles = contact_objects.roles;
  std::vector<bool> repeated = RepeatedNameRuns(keyed);

  std::set<int> data_objects, organization_objects;
  std::set<Role> organization_roles;
  int domain_object = -1;
  for (const Keyed& k : keyed) {
    if (MarksOrganization(k.key, k.entry->value)) {
      if (Role role = RoleOfKey(k); role != Role::kNone) organization_roles.insert(role);
    }
    if (k.resolved.field == Field::kDomain || k.resolved.field == Field::kNameserver) {
      data_objects.insert(k.entry->object);
    }
    if (k.resolved.field == Field::kDomain && domain_object < 0) domain_object = k.entry->object;
    if (k.key == "type" && NormalizeKey(k.entry->value).starts_with("org")) {
      organization_objects.insert(k.entry->object);
    }
  }

  WhoisRecord& rec = out.fields;
  std::vector<AddressBlock> blocks;
  std::map<int, AddressBlock> object_blocks;  // street lines of contact objects, per object
  AddressBlock description;                   // "descr:" lines of a RIPE-style domain object
  size_t last_block_entry = 0;
  for (size_t i = 0; i < keyed.size(); ++i) {
    const Keyed& k = keyed[i];
    auto obj = object_roles.find(k.entry->object);
    if (obj != object_roles.end()) {
      // A contact object: its contact keys go to every role that names it, the rest is dropped.
      // In an organisation's object the contact's name is the organisation's.
      const KeyAlias* a = ContactIndex().Find(BareContactKey(k.key));
      if (a == nullptr || contact_objects.handles.contains(UpperTrim(k.entry->value))) continue;
      Field field = a->field;
      if (field == Field::kContactName && organization_objects.contains(k.entry->object)) {
        field = Field::kContactOrganization;
      }
      if (field == Field::kContactStreet) {
        object_blocks[k.entry->object].lines.push_back(k.entry->value);
        continue;
      }
      for (Role role : obj->second) ApplyField(field, role, k.entry->value, rules.date_order, &rec);
      continue;
    }
    if (!k.resolved.known || k.resolved.field == Field::kIgnore) {
      // "Record expires on 2026-11-09", "Registered on 30th April 2003", "Domain EXAMPLE.KG":
      // a line (or a header's value line) whose first words are a key.
      if (k.key.empty() || k.key == k.section_key || k.entry->continued) {
        if (auto lead = LeadingKey(rules, k.entry->value, rules.date_order, k.key.empty())) {
          ApplyField(lead->field, Role::kNone, lead->value, rules.date_order, &rec);
          continue;
        }
      }
      if (k.key == "descr" && k.entry->object == domain_object && !k.key.empty()) {
        description.lines.push_back(k.entry->value);
      }
      continue;
    }
    if (rules.objects_by_handle && !data_objects.contains(k.entry->object)) continue;
    // "registrant: MM1171195" names a contact object; the object gives the contact's fields.
    if (k.resolved.field == Field::kContactName &&
        contact_objects.handles.contains(UpperTrim(k.entry->value))) {
      continue;
    }
    if ((k.key == k.section_key || k.entry->continued) && k.resolved.field != Field::kNameserver) {
      if (auto lead = LeadingKey(rules, k.entry->value, rules.date_order, false)) {
        ApplyField(lead->field, Role::kNone, lead->value, rules.date_order, &rec);
        continue;
      }
    }
    bool in_run = repeated[i];
    if ((k.resolved.field == Field::kContactStreet && k.resolved.role != Role::kNone) || in_run) {
      if (blocks.empty() || last_block_entry + 1 != i || blocks.back().role != k.resolved.role ||
          (in_run && !repeated[last_block_entry])) {
        AddressBlock b;
        b.role = k.resolved.role;
        b.first_is_name = in_run;
        b.first_is_organization =
            !in_run && k.key == k.section_key && k.key.find("address") == std::string::npos;
        b.unlabelled = in_run || k.key == k.section_key;
        blocks.push_back(std::move(b));
      }
      blocks.back().lines.push_back(k.entry->value);
      last_block_entry = i;
      continue;
    }
    if (k.resolved.field == Field::kDomain && !rec.domain.empty()) {
      WhoisRecord probe;
      ApplyField(Field::kDomain, Role::kNone, k.entry->value, rules.date_order, &probe);
      if (!probe.domain.empty() && probe.domain != rec.domain) break;  // another record follows
    }
    ApplyField(k.resolved.field, k.resolved.role, k.entry->value, rules.date_order, &rec);
  }
  for (const AddressBlock& b : blocks) ApplyAddressBlock(b, rules.date_order, &rec);
  for (auto& [object, block] : object_blocks) {
    for (Role role : object_roles[object]) {
      block.role = role;
      ApplyAddressBlock(block, rules.date_order, &rec);
    }
  }
  // A RIPE-style domain object that names no registrant otherwise describes it in "descr:"
  // lines (.il, .hr, .priv.at): the holder, then its address.
  if (!description.lines.empty() && rec.registrant.organization.empty() &&
      rec.registrant.name.empty()) {
    description.role = Role::kRegistrant;
    description.first_is_organization = true;
    ApplyAddressBlock(description, rules.date_order, &rec);
  }
  // A value given after a placeholder for the same field is not withheld.
  std::erase_if(rec.redacted, [&](const std::string& path) {
    const Contact* c = path.starts_with("registrant.") ? &rec.registrant
                       : path.starts_with("admin.")    ? &rec.admin
                                                       : &rec.tech;
    std::string_view f = std::string_view(path).substr(path.find('.') + 1);
    return (f == "name" && !c->name.empty()) || (f == "organization" && !c->organization.empty()) ||
           (f == "email" && !c->email.empty());
  });
  for (auto [role, contact] :
       {std::pair{Role::kRegistrant, &rec.registrant}, std::pair{Role::kAdmin, &rec.admin},
        std::pair{Role::kTech, &rec.tech}}) {
    FinishContact(role, contact, organization_roles.contains(role), &rec.redacted);
  }

  std::erase(rec.nameservers, rec.domain);  // .dk "DNS: example.dk" names the zone itself
  if (out.kind == ReplyKind::kNotFound && rec.domain.empty()) {
    rec.domain = DomainIn(NotFoundLine(text));
  }
  // Header-and-indented-value layouts have few "key: value" lines for the classifier to count.
  if (out.kind == ReplyKind::kEmpty && !rec.domain.empty() && HasAnyField(rec) &&
      (!rec.created.empty() || !rec.expires.empty() || !rec.nameservers.empty() ||
       !rec.registrar.name.empty())) {
    out.kind = ReplyKind::kRecord;
  }
  if (out.kind == ReplyKind::kRecord && !HasAnyField(rec)) out.kind = ReplyKind::kEmpty;
  if (out.kind == ReplyKind::kNotFound && (!rec.created.empty() || !rec.expires.empty()) &&
      !rec.nameservers.empty()) {
    out.kind = ReplyKind::kRecord;
  }
  return out;
}

}  // namespace whois
