#include "whois/reply_parser.h"

#include <algorithm>
#include <array>
#include <map>
#include <set>
#include <unordered_map>

#include "whois/country.h"
#include "whois/parser_rules/rule_set.h"
#include "whois/reply_fields.h"
#include "whois/reply_lines.h"

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
constexpr std::array<KeyAlias, 35> kContactKeys = {{
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
}};

// Prefixes that put a contact key in a role: "Registrant Organization", "Tech Email".
struct RolePrefix {
  std::string_view prefix;
  Role role;
};
constexpr std::array<RolePrefix, 14> kRolePrefixes = {{
    {"registrant contact ", Role::kRegistrant},
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

enum class SectionKind { kNone, kContact, kRegistrar, kOther };

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
  if (has("registrant") || has("holder") || has("owner") || has("titular")) {
    return {SectionKind::kContact, Role::kRegistrant};
  }
  if (has("registrar")) return {SectionKind::kRegistrar, Role::kNone};
  return {SectionKind::kOther, Role::kNone};
}

Resolved RegistrarKey(const std::string& key) {
  if (key == "name" || key == "organization" || key == "organisation" || key == "registrar" ||
      key == "registrar name" || key == "org") {
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
    if (const KeyAlias* a = ContactIndex().Find(bare)) return {a->field, section.role, true};
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

// RIPE-style replies describe contacts in objects of their own ("nic-hdl: GIH6-FRNIC"), which the
// domain object names by handle ("holder-c: GIH6-FRNIC"). Returns, per object index, the roles
// that object plays; objects that hold a handle nobody refers to are marked with kNone so that
// their fields (changed dates, addresses) do not leak into the domain's.
std::map<int, std::vector<Role>> ObjectRoles(const std::vector<Keyed>& keyed) {
  // handle -> roles, each role once (a reply may repeat "tech-c: X" any number of times).
  std::map<std::string, std::vector<Role>> refs;
  for (const Keyed& k : keyed) {
    if (k.resolved.field != Field::kContactHandle) continue;
    std::vector<Role>& roles = refs[UpperTrim(k.entry->value)];
    if (std::find(roles.begin(), roles.end(), k.resolved.role) == roles.end()) {
      roles.push_back(k.resolved.role);
    }
  }
  std::map<int, std::vector<Role>> roles;
  for (const Keyed& k : keyed) {
    if (k.resolved.field != Field::kObjectHandle) continue;
    std::vector<Role>& list = roles[k.entry->object];
    auto it = refs.find(UpperTrim(k.entry->value));
    if (it == refs.end()) continue;
    for (Role role : it->second) {
      if (std::find(list.begin(), list.end(), role) == list.end()) list.push_back(role);
    }
  }
  return roles;
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
struct AddressBlock {
  Role role = Role::kNone;
  bool first_is_organization = false;
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
  if (block.first_is_organization) {
    ApplyField(Field::kContactOrganization, block.role, lines[0], order, rec);
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
  for (size_t i = first; i < end; ++i) {
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
  for (const ReplyEntry& e : entries) {
    Keyed k{&e, NormalizeKey(e.key), NormalizeKey(e.section), {}, {}};
    k.section = SectionOf(k.section_key);
    k.resolved = Resolve(rules, k.section, k.key, k.section_key);
    keyed.push_back(std::move(k));
  }
  std::map<int, std::vector<Role>> object_roles = ObjectRoles(keyed);

  std::set<int> data_objects, organization_objects;
  for (const Keyed& k : keyed) {
    if (k.resolved.field == Field::kDomain || k.resolved.field == Field::kNameserver) {
      data_objects.insert(k.entry->object);
    }
    if (k.key == "type" && NormalizeKey(k.entry->value).starts_with("org")) {
      organization_objects.insert(k.entry->object);
    }
  }

  WhoisRecord& rec = out.fields;
  std::vector<AddressBlock> blocks;
  size_t last_block_entry = 0;
  for (const Keyed& k : keyed) {
    auto obj = object_roles.find(k.entry->object);
    if (obj != object_roles.end()) {
      // A contact object: its contact keys go to every role that names it, the rest is dropped.
      // In an organisation's object the contact's name is the organisation's.
      const KeyAlias* a = ContactIndex().Find(k.key);
      if (a == nullptr) continue;
      Field field = a->field;
      if (field == Field::kContactName && organization_objects.contains(k.entry->object)) {
        field = Field::kContactOrganization;
      }
      for (Role role : obj->second) ApplyField(field, role, k.entry->value, rules.date_order, &rec);
      continue;
    }
    if (!k.resolved.known) continue;
    if (rules.objects_by_handle && !data_objects.contains(k.entry->object)) continue;
    if (k.resolved.field == Field::kContactStreet && k.resolved.role != Role::kNone) {
      if (blocks.empty() || &keyed[last_block_entry] + 1 != &k ||
          blocks.back().role != k.resolved.role) {
        AddressBlock b;
        b.role = k.resolved.role;
        b.first_is_organization =
            k.key == k.section_key && k.key.find("address") == std::string::npos;
        blocks.push_back(std::move(b));
      }
      blocks.back().lines.push_back(k.entry->value);
      last_block_entry = static_cast<size_t>(&k - keyed.data());
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
  // A value given after a placeholder for the same field is not withheld.
  std::erase_if(rec.redacted, [&](const std::string& path) {
    const Contact* c = path.starts_with("registrant.") ? &rec.registrant
                       : path.starts_with("admin.")    ? &rec.admin
                                                       : &rec.tech;
    std::string_view f = std::string_view(path).substr(path.find('.') + 1);
    return (f == "name" && !c->name.empty()) || (f == "organization" && !c->organization.empty()) ||
           (f == "email" && !c->email.empty());
  });

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
