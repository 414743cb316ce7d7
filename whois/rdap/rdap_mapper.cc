#include "whois/rdap/rdap_mapper.h"

#include <algorithm>
#include <nlohmann/json.hpp>
#include <utility>

#include "util/ascii.h"
#include "util/enum_names.h"
#include "whois/country/country.h"
#include "whois/parser/reply_fields.h"
#include "whois/rdap/jcard.h"
#include "whois/rdap/rdap_url.h"
#include "whois/rdap/rdap_values.h"

namespace whois::rdap {
namespace {

using nlohmann::json;

// Deepest nesting of arrays/objects in `text`, stopping early past `limit` (strings are skipped,
// so brackets inside them do not count). Parsing only after this check keeps recursion bounded.
bool DepthWithin(std::string_view text, int limit) {
  int depth = 0;
  bool in_string = false;
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (in_string) {
      if (c == '\\') {
        ++i;
      } else if (c == '"') {
        in_string = false;
      }
    } else if (c == '"') {
      in_string = true;
    } else if (c == '[' || c == '{') {
      if (++depth > limit) return false;
    } else if (c == ']' || c == '}') {
      --depth;
    }
  }
  return true;
}

// The member `key` of `obj`, or a null value; never a copy (the walk keeps pointers into it).
const json& Member(const json& obj, std::string_view key) {
  static const json kNull;
  if (!obj.is_object()) return kNull;
  auto it = obj.find(key);
  return it == obj.end() ? kNull : *it;
}

// A string member cut to `max` bytes ("" when absent or not a string).
std::string StringAt(const json& obj, std::string_view key, size_t max = kMaxRdapFieldBytes) {
  const json& v = Member(obj, key);
  return v.is_string() ? v.get_ref<const std::string&>().substr(0, max) : "";
}

bool HasRole(const json& entity, std::string_view role) {
  auto it = entity.find("roles");
  if (it == entity.end() || !it->is_array()) return false;
  for (const json& r : *it) {
    if (r.is_string() && util::ToLower(r.get_ref<const std::string&>()) == role) return true;
  }
  return false;
}

void AddRedacted(std::string path, WhoisRecord* record) {
  if (record->redacted.size() >= kMaxRdapRedacted) return;
  if (std::find(record->redacted.begin(), record->redacted.end(), path) != record->redacted.end()) {
    return;
  }
  record->redacted.push_back(std::move(path));
}

// Stores `value` into an empty `*field`, or notes `path` as redacted if it is a placeholder.
void Put(const std::string& value, std::string* field, const std::string& path,
         WhoisRecord* record) {
  if (value.empty() || !field->empty()) return;
  if (IsRedactionPlaceholder(value)) {
    AddRedacted(path, record);
    return;
  }
  *field = value;
}

void FillContact(const JCardFields& v, const std::string& role, Contact* c, WhoisRecord* record) {
  Put(v.fn, &c->name, role + ".name", record);
  Put(v.org, &c->organization, role + ".organization", record);
  Put(v.street, &c->street, role + ".street", record);
  Put(v.city, &c->city, role + ".city", record);
  Put(v.state, &c->state, role + ".state", record);
  Put(v.postal_code, &c->postal_code, role + ".postal_code", record);
  Put(v.phone, &c->phone, role + ".phone", record);
  Put(v.email, &c->email, role + ".email", record);
  if (!c->country.empty()) return;
  const CountryTable& countries = CountryTable::Builtin();
  for (const std::string& text : {v.country_code, v.country_name}) {
    if (text.empty()) continue;
    if (IsRedactionPlaceholder(text)) {
      AddRedacted(role + ".country", record);
      continue;
    }
    if (std::optional<std::string> cc = countries.Normalize(text)) {
      c->country = *cc;
      return;
    }
  }
}

struct Walk {
  WhoisRecord* record;
  std::string registrar_related;  // from the registrar entity's links
  const json* registrar_links = nullptr;
  size_t visited = 0;
};

std::string IanaId(const json& entity) {
  auto ids = entity.find("publicIds");
  if (ids == entity.end() || !ids->is_array()) return "";
  for (const json& id : *ids) {
    if (util::ToLower(StringAt(id, "type")) != "iana registrar id") continue;
    std::string value = StringAt(id, "identifier");
    if (!value.empty() && value.size() <= 16 &&
        std::all_of(value.begin(), value.end(), [](char c) { return c >= '0' && c <= '9'; })) {
      return value;
    }
  }
  return "";
}

void ReadAbuse(const json& entity, Registrar* r, WhoisRecord* record) {
  JCardFields v = ReadJCard(Member(entity, "vcardArray"), kMaxRdapFieldBytes);
  Put(v.email, &r->abuse_email, "registrar.abuse_email", record);
  Put(v.phone, &r->abuse_phone, "registrar.abuse_phone", record);
}

bool ValidHostName(std::string_view host) {
  if (host.empty() || host.size() > 253) return false;
  return std::all_of(host.begin(), host.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.';
  });
}

void ReadRegistrar(const json& entity, Walk* w) {
  Registrar& r = w->record->registrar;
  JCardFields v = ReadJCard(Member(entity, "vcardArray"), kMaxRdapFieldBytes);
  if (r.name.empty()) {
    std::string name = !v.fn.empty() && !IsRedactionPlaceholder(v.fn) ? v.fn : v.org;
    if (!IsRedactionPlaceholder(name)) r.name = name;
  }
  if (r.iana_id.empty()) r.iana_id = IanaId(entity);
  if (r.url.empty() && ParseRdapUrl(v.url).ok()) r.url = v.url;
  if (r.whois_server.empty()) {
    std::string host = util::ToLower(StringAt(entity, "port43"));
    if (!host.empty() && host.back() == '.') host.pop_back();
    if (ValidHostName(host)) r.whois_server = host;
  }
  if (w->registrar_links == nullptr) {
    if (auto links = entity.find("links"); links != entity.end()) w->registrar_links = &*links;
  }
}

void VisitEntities(const json& entities, int depth, Walk* w) {
  if (!entities.is_array() || depth > 4) return;
  for (const json& e : entities) {
    if (!e.is_object() || ++w->visited > kMaxRdapEntities) return;
    WhoisRecord* rec = w->record;
    if (HasRole(e, "registrar")) {
      ReadRegistrar(e, w);
      // Abuse contacts nested in the registrar belong to it.
      if (auto nested = e.find("entities"); nested != e.end() && nested->is_array()) {
        for (const json& n : *nested) {
          if (n.is_object() && HasRole(n, "abuse")) ReadAbuse(n, &rec->registrar, rec);
        }
      }
    }
    if (HasRole(e, "abuse") && depth == 0) ReadAbuse(e, &rec->registrar, rec);
    JCardFields v;
    bool read = false;
    auto contact = [&](std::string_view role, const std::string& path, Contact* c) {
      if (!HasRole(e, role)) return;
      if (!read) v = ReadJCard(Member(e, "vcardArray"), kMaxRdapFieldBytes);
      read = true;
      FillContact(v, path, c, rec);
    };
    contact("registrant", "registrant", &rec->registrant);
    contact("administrative", "admin", &rec->admin);
    contact("technical", "tech", &rec->tech);
    if (auto nested = e.find("entities"); nested != e.end()) VisitEntities(*nested, depth + 1, w);
  }
}

void ReadEvents(const json& events, WhoisRecord* rec) {
  if (!events.is_array()) return;
  for (const json& ev : events) {
    std::string action = util::ToLower(StringAt(ev, "eventAction"));
    std::string* field = action == "registration"   ? &rec->created
                         : action == "expiration"   ? &rec->expires
                         : action == "last changed" ? &rec->updated
                                                    : nullptr;
    if (field == nullptr || !field->empty()) continue;
    if (auto date = NormalizeRdapDate(StringAt(ev, "eventDate"))) *field = *date;
  }
}

void ReadStatus(const json& status, WhoisRecord* rec) {
  if (!status.is_array()) return;
  for (const json& s : status) {
    if (!s.is_string() || rec->domain_status.size() >= kMaxRdapStatuses) continue;
    auto epp = RdapStatusToEpp(s.get_ref<const std::string&>().substr(0, 64));
    if (!epp) continue;
    auto& list = rec->domain_status;
    if (std::find(list.begin(), list.end(), *epp) == list.end()) list.push_back(*epp);
  }
}

void ReadNameservers(const json& nameservers, WhoisRecord* rec) {
  if (!nameservers.is_array()) return;
  for (const json& ns : nameservers) {
    std::string host = util::ToLower(StringAt(ns, "ldhName"));
    if (!host.empty() && host.back() == '.') host.pop_back();
    if (!ValidHostName(host) || rec->nameservers.size() >= kMaxRdapNameservers) continue;
    auto& list = rec->nameservers;
    if (std::find(list.begin(), list.end(), host) == list.end()) list.push_back(host);
  }
}

void ReadRedacted(const json& redacted, WhoisRecord* rec) {
  if (!redacted.is_array()) return;
  for (const json& r : redacted) {
    if (!r.is_object()) continue;
    const json& name = Member(r, "name");
    std::string text = StringAt(name, "type");
    if (text.empty()) text = StringAt(name, "description");
    if (auto path = RedactedNameToPath(text)) AddRedacted(*path, rec);
  }
}

// The validated related RDAP link in `links`, or "" (with a note when one was refused).
std::string RelatedLink(const json* links, const std::string& self,
                        std::vector<std::string>* notes) {
  if (links == nullptr || !links->is_array()) return "";
  for (const json& l : *links) {
    if (util::ToLower(StringAt(l, "rel")) != "related") continue;
    if (util::ToLower(StringAt(l, "type")) != "application/rdap+json") continue;
    // Read whole: a cut URL could pass validation yet point elsewhere.
    std::string href = StringAt(l, "href", kMaxRdapUrlBytes + 1);
    auto parsed = ParseRdapUrl(href);
    if (!parsed.ok()) {
      if (notes->size() < 8) notes->push_back("related link refused: " + parsed.status().message());
      continue;
    }
    if (!self.empty() && href == self) {
      if (notes->size() < 8) notes->push_back("related link refused: it is the self link");
      continue;
    }
    return href;
  }
  return "";
}

std::string SelfLink(const json& doc) {
  auto links = doc.find("links");
  if (links == doc.end() || !links->is_array()) return "";
  for (const json& l : *links) {
    if (util::ToLower(StringAt(l, "rel")) == "self")
      return StringAt(l, "href", kMaxRdapUrlBytes + 1);
  }
  return "";
}

std::string ErrorTitle(const json& doc) {
  std::string title = StringAt(doc, "title");
  if (!title.empty()) return title;
  if (auto d = doc.find("description");
      d != doc.end() && d->is_array() && !d->empty() && (*d)[0].is_string()) {
    return (*d)[0].get<std::string>().substr(0, kMaxRdapFieldBytes);
  }
  return "";
}

void MapDomainObject(const json& doc, RdapDomainResult* out) {
  WhoisRecord& rec = out->record;
  rec.status = std::string(kStatusRegistered);
  Walk w{&rec};
  VisitEntities(Member(doc, "entities"), 0, &w);
  ReadEvents(Member(doc, "events"), &rec);
  ReadStatus(Member(doc, "status"), &rec);
  ReadNameservers(Member(doc, "nameservers"), &rec);
  const json& secure = Member(doc, "secureDNS");
  if (secure.is_object()) {
    if (auto signed_it = secure.find("delegationSigned");
        signed_it != secure.end() && signed_it->is_boolean()) {
      rec.dnssec = signed_it->get<bool>() ? "signedDelegation" : "unsigned";
    }
  }
  ReadRedacted(Member(doc, "redacted"), &rec);
  std::string self = SelfLink(doc);
  const json* links = nullptr;
  if (auto it = doc.find("links"); it != doc.end()) links = &*it;
  out->registrar_rdap_url = RelatedLink(links, self, &out->notes);
  if (out->registrar_rdap_url.empty()) {
    out->registrar_rdap_url = RelatedLink(w.registrar_links, self, &out->notes);
  }
}

RdapDomainResult Unusable(RdapDomainResult out, std::string why) {
  out.kind = RdapKind::kUnusable;
  out.error = std::move(why);
  return out;
}

}  // namespace

std::string_view RdapKindName(RdapKind kind) {
  static constexpr util::EnumNames<RdapKind::kUnusable> kNames({"found", "not_found", "unusable"},
                                                               "unusable");
  return kNames.Name(kind);
}

RdapDomainResult MapDomainResponse(std::string_view body, std::string_view domain,
                                   int http_status) {
  RdapDomainResult out;
  out.record.domain = util::ToLower(domain);
  if (!out.record.domain.empty() && out.record.domain.back() == '.') out.record.domain.pop_back();
  out.record.source_protocol = std::string(kProtocolRdap);
  if (http_status != 404 && (http_status < 200 || http_status > 299)) {
    return Unusable(std::move(out), "HTTP status " + std::to_string(http_status));
  }
  json doc;
  if (body.size() > kMaxRdapResponseBytes) {
    if (http_status != 404) {
      return Unusable(std::move(out), "RDAP response of " + std::to_string(body.size()) +
                                          " bytes exceeds the limit of " +
                                          std::to_string(kMaxRdapResponseBytes));
    }
  } else if (!DepthWithin(body, kMaxRdapJsonDepth)) {
    if (http_status != 404) {
      return Unusable(std::move(out), "RDAP response nests deeper than " +
                                          std::to_string(kMaxRdapJsonDepth) + " levels");
    }
  } else {
    doc = json::parse(body, nullptr, /*allow_exceptions=*/false);
  }
  try {
    if (http_status == 404 || (doc.is_object() && doc.contains("errorCode"))) {
      int code = 404;
      if (http_status != 404) {
        const json& c = doc["errorCode"];
        code = c.is_number_integer() ? c.get<int>() : 0;
      }
      if (code != 404) {
        return Unusable(std::move(out),
                        "RDAP error " + std::to_string(code) +
                            (doc.is_object() ? ": " + ErrorTitle(doc) : std::string()));
      }
      out.kind = RdapKind::kNotFound;
      out.record.status = std::string(kStatusNotFound);
      if (doc.is_object()) out.error = ErrorTitle(doc);
      return out;
    }
    if (doc.is_discarded()) return Unusable(std::move(out), "RDAP response is not JSON");
    if (!doc.is_object()) return Unusable(std::move(out), "RDAP response is not a JSON object");
    std::string klass = StringAt(doc, "objectClassName");
    if (klass != "domain") {
      return Unusable(std::move(out),
                      "RDAP response is not a domain object (objectClassName '" + klass + "')");
    }
    std::string ldh = util::ToLower(StringAt(doc, "ldhName"));
    if (!ldh.empty() && ldh.back() == '.') ldh.pop_back();
    if (!ldh.empty() && !out.record.domain.empty() && ldh != out.record.domain) {
      return Unusable(std::move(out),
                      "RDAP response is for '" + ldh + "', not '" + out.record.domain + "'");
    }
    MapDomainObject(doc, &out);
    out.kind = RdapKind::kFound;
    return out;
  } catch (const std::exception& e) {
    // The accessors above check types first; this is the last guard of the never-throws promise.
    RdapDomainResult fresh;
    fresh.record.domain = out.record.domain;
    fresh.record.source_protocol = out.record.source_protocol;
    return Unusable(std::move(fresh), std::string("RDAP response could not be read: ") + e.what());
  }
}

namespace {

void FillIfEmpty(const std::string& other, std::string* field) {
  if (field->empty()) *field = other;
}

// The value at a redaction path: a contact field ("registrant.email") or one of the registrar's
// abuse fields; nullptr for an unknown path.
const std::string* FieldAt(const WhoisRecord& r, std::string_view path) {
  if (path == "registrar.abuse_email") return &r.registrar.abuse_email;
  if (path == "registrar.abuse_phone") return &r.registrar.abuse_phone;
  return ContactFieldAt(r, path);
}

}  // namespace

void MergeRegistrarInto(RdapDomainResult* registry, const RdapDomainResult& registrar) {
  if (registrar.kind != RdapKind::kFound) return;
  WhoisRecord& r = registry->record;
  const WhoisRecord& s = registrar.record;
  MergeNonEmpty(&r.registrar, s.registrar);
  MergeNonEmpty(&r.registrant, s.registrant);
  MergeNonEmpty(&r.admin, s.admin);
  MergeNonEmpty(&r.tech, s.tech);
  FillIfEmpty(s.created, &r.created);
  FillIfEmpty(s.updated, &r.updated);
  FillIfEmpty(s.expires, &r.expires);
  FillIfEmpty(s.dnssec, &r.dnssec);
  if (r.nameservers.empty()) r.nameservers = s.nameservers;
  if (r.domain_status.empty()) r.domain_status = s.domain_status;
  std::vector<std::string> redacted;
  const std::vector<std::string>& mine = r.redacted;
  for (const std::vector<std::string>* list : {&mine, &s.redacted}) {
    for (const std::string& path : *list) {
      const std::string* value = FieldAt(r, path);
      if (value != nullptr && !value->empty()) continue;
      if (std::find(redacted.begin(), redacted.end(), path) == redacted.end() &&
          redacted.size() < kMaxRdapRedacted) {
        redacted.push_back(path);
      }
    }
  }
  r.redacted = std::move(redacted);
  for (const std::string& n : registrar.notes) {
    if (registry->notes.size() < 16) registry->notes.push_back("registrar: " + n);
  }
}

}  // namespace whois::rdap
