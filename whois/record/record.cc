#include "whois/record/record.h"

#include <algorithm>
#include <array>
#include <cstdio>
#include <exception>
#include <limits>
#include <nlohmann/json.hpp>
#include <utility>

#include "util/civil_time.h"
#include "whois/record/json_builder.h"

namespace whois {
namespace {

using Json = nlohmann::json;  // input: order does not matter

constexpr std::array<std::string_view, 4> kStatuses = {kStatusRegistered, kStatusNotFound,
                                                       kStatusFallback, kStatusInvalid};
constexpr std::array<std::string_view, 2> kCountrySources = {kCountryFromRegistrant,
                                                             kCountryFromTld};
constexpr std::array<std::string_view, 3> kProtocols = {kProtocolWhois, kProtocolRdap,
                                                        kProtocolImport};
// How much of a rejected value an error message quotes.
constexpr size_t kMaxQuotedValueBytes = 64;

template <size_t N>
bool OneOf(const std::array<std::string_view, N>& values, std::string_view v) {
  return std::find(values.begin(), values.end(), v) != values.end();
}

template <size_t N>
std::string JoinValues(const std::array<std::string_view, N>& values) {
  std::string out;
  for (std::string_view v : values) {
    if (!out.empty()) out += ", ";
    out += v;
  }
  return out;
}

std::string PrintableAscii(std::string_view s, size_t max_bytes) {
  std::string out(s.substr(0, max_bytes));
  for (char& c : out) {
    if (c < 0x20 || c > 0x7E) c = '?';  // char may be signed: bytes >= 0x80 are negative
  }
  return out;
}

// ---- Output ----

// Lower case, no trailing dot, each host once, in the order given.
std::vector<std::string> CanonicalNameservers(const std::vector<std::string>& hosts) {
  std::vector<std::string> out;
  for (std::string host : hosts) {
    while (!host.empty() && host.back() == '.') host.pop_back();
    for (char& c : host) {
      if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    }
    if (!host.empty() && std::find(out.begin(), out.end(), host) == out.end()) {
      out.push_back(std::move(host));
    }
  }
  return out;
}

void PutRegistrar(JsonObjectBuilder& out, const Registrar& r) {
  out.BeginObject("registrar");
  for (const auto& f : kRegistrarFields) out.String(f.name, r.*f.member);
  out.EndObject();
}

void PutContact(JsonObjectBuilder& out, std::string_view key, const Contact& c) {
  out.BeginObject(key);
  for (const auto& f : kContactFields) out.String(f.name, c.*f.member);
  out.EndObject();
}

// ---- Input ----

// Reads typed fields of one JSON object, remembering the first error. `prefix` names the object
// in messages ("registrant." or "" for the top level).
class FieldReader {
 public:
  FieldReader(const Json& obj, std::string prefix) : obj_(obj), prefix_(std::move(prefix)) {}

  const std::string& error() const { return error_; }

  void String(const char* key, std::string& out) {
    const Json* v = Find(key);
    if (!v) return;
    if (!v->is_string()) return Fail(key, "must be a string");
    out = v->get_ref<const std::string&>();
  }

  void Strings(const char* key, std::vector<std::string>& out) {
    const Json* v = Find(key);
    if (!v) return;
    if (!v->is_array()) return Fail(key, "must be an array of strings");
    out.clear();
    for (const Json& item : *v) {
      if (!item.is_string()) return Fail(key, "must be an array of strings");
      out.push_back(item.get_ref<const std::string&>());
    }
  }

  // A string, or (leniently) an array of strings joined with ", ".
  void StringOrLines(const char* key, std::string& out) {
    const Json* v = Find(key);
    if (!v || !v->is_array()) return String(key, out);
    std::vector<std::string> lines;
    Strings(key, lines);
    out.clear();
    for (const std::string& line : lines) {
      if (line.empty()) continue;
      if (!out.empty()) out += ", ";
      out += line;
    }
  }

  void Bool(const char* key, bool& out) {
    const Json* v = Find(key);
    if (!v) return;
    if (!v->is_boolean()) return Fail(key, "must be true or false");
    out = v->get<bool>();
  }

  void NonNegativeInt(const char* key, std::optional<int64_t>& out) {
    const Json* v = Find(key);
    if (!v) return;
    if (v->is_number_unsigned()) {
      uint64_t u = v->get<uint64_t>();
      if (u > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) {
        return Fail(key, "is too large");
      }
      out = static_cast<int64_t>(u);
    } else if (v->is_number_integer() && v->get<int64_t>() >= 0) {
      out = v->get<int64_t>();
    } else {
      Fail(key, "must be a non-negative integer (seconds)");
    }
  }

  // Calls read(FieldReader&) on the nested object `key`, if present.
  template <typename ReadFn>
  void Object(const char* key, ReadFn read) {
    const Json* v = Find(key);
    if (!v) return;
    if (!v->is_object()) return Fail(key, "must be an object");
    FieldReader nested(*v, prefix_ + key + ".");
    read(nested);
    if (error_.empty()) error_ = nested.error();
  }

 private:
  // The value of `key`, or null when absent, JSON null, or an error is already recorded.
  const Json* Find(const char* key) const {
    if (!error_.empty()) return nullptr;
    auto it = obj_.find(key);
    if (it == obj_.end() || it->is_null()) return nullptr;
    return &*it;
  }

  void Fail(const char* key, const char* what) {
    if (error_.empty()) error_ = "field '" + prefix_ + key + "' " + what;
  }

  const Json& obj_;
  std::string prefix_;
  std::string error_;
};

void ReadContact(FieldReader& in, Contact& c) {
  for (const auto& f : kContactFields) {
    if (f.member == &Contact::street) {
      in.StringOrLines(f.name, c.street);  // lenient: address lines as an array too
    } else {
      in.String(f.name, c.*f.member);
    }
  }
}

void ReadRecord(FieldReader& in, WhoisRecord& r) {
  in.String("domain", r.domain);
  in.String("unicode", r.unicode);
  in.String("status", r.status);
  in.String("reason", r.reason);
  in.NonNegativeInt("retry_after", r.retry_after);
  in.Bool("partial", r.partial);
  in.String("created", r.created);
  in.String("updated", r.updated);
  in.String("expires", r.expires);
  in.Object("registrar", [&r](FieldReader& reg) {
    for (const auto& f : kRegistrarFields) reg.String(f.name, r.registrar.*f.member);
  });
  in.Object("registrant", [&r](FieldReader& c) { ReadContact(c, r.registrant); });
  in.Object("admin", [&r](FieldReader& c) { ReadContact(c, r.admin); });
  in.Object("tech", [&r](FieldReader& c) { ReadContact(c, r.tech); });
  in.Strings("nameservers", r.nameservers);
  in.Strings("domain_status", r.domain_status);
  in.String("dnssec", r.dnssec);
  in.Strings("redacted", r.redacted);
  in.String("country", r.country);
  in.String("country_source", r.country_source);
  in.Object("source", [&r](FieldReader& src) {
    src.String("protocol", r.source_protocol);
    src.Strings("servers", r.source_servers);
    src.String("fetched_at", r.fetched_at);
  });
}

bool IsDigits(std::string_view s) {
  return std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

int ToInt(std::string_view digits) {
  int v = 0;
  for (char c : digits) v = v * 10 + (c - '0');
  return v;
}

// "YYYY-MM-DDTHH:MM:SSZ" with plausible ranges (the day is not checked against the month).
bool IsIsoUtc(std::string_view s) {
  if (s.size() != 20 || s[4] != '-' || s[7] != '-' || s[10] != 'T' || s[13] != ':' ||
      s[16] != ':' || s[19] != 'Z') {
    return false;
  }
  for (size_t pos : {0, 5, 8, 11, 14, 17}) {
    if (!IsDigits(s.substr(pos, pos == 0 ? 4 : 2))) return false;
  }
  int month = ToInt(s.substr(5, 2)), day = ToInt(s.substr(8, 2));
  return month >= 1 && month <= 12 && day >= 1 && day <= 31 && ToInt(s.substr(11, 2)) < 24 &&
         ToInt(s.substr(14, 2)) < 60 && ToInt(s.substr(17, 2)) < 60;
}

bool IsAlpha2(std::string_view s) {
  return s.size() == 2 &&
         std::all_of(s.begin(), s.end(), [](char c) { return c >= 'A' && c <= 'Z'; });
}

std::string Quoted(std::string_view value) {
  return "'" + PrintableAscii(value, kMaxQuotedValueBytes) + "'";
}

// Checks the rules that go beyond JSON types; InvalidArgument naming the field when one is broken.
util::Status Validate(const WhoisRecord& r) {
  if (r.domain.empty()) return util::Status::InvalidArgument("field 'domain' is missing or empty");
  if (r.status.empty()) return util::Status::InvalidArgument("field 'status' is missing");
  if (!OneOf(kStatuses, r.status)) {
    return util::Status::InvalidArgument("field 'status' must be one of " + JoinValues(kStatuses) +
                                         ", not " + Quoted(r.status));
  }
  if (r.status == kStatusFallback && !r.reason.empty() && !FallbackReasonFromName(r.reason)) {
    std::string names;
    for (FallbackReason reason : kAllFallbackReasons)
      names += (names.empty() ? "" : ", ") + std::string(FallbackReasonName(reason));
    return util::Status::InvalidArgument("field 'reason' of a fallback record must be one of " +
                                         names + ", not " + Quoted(r.reason));
  }
  if (r.retry_after && r.status != kStatusFallback) {
    return util::Status::InvalidArgument(
        "field 'retry_after' is only allowed on a fallback record");
  }
  if (r.partial && r.status != kStatusRegistered) {
    return util::Status::InvalidArgument("field 'partial' is only allowed on a registered record");
  }
  const std::pair<const char*, const std::string*> dates[] = {{"created", &r.created},
                                                              {"updated", &r.updated},
                                                              {"expires", &r.expires},
                                                              {"source.fetched_at", &r.fetched_at}};
  for (const auto& [name, value] : dates) {
    if (!value->empty() && !IsIsoUtc(*value)) {
      return util::Status::InvalidArgument(std::string("field '") + name +
                                           "' must be an ISO 8601 UTC time like " +
                                           "2024-01-31T12:00:00Z, not " + Quoted(*value));
    }
  }
  const std::pair<const char*, const std::string*> countries[] = {
      {"country", &r.country},
      {"registrant.country", &r.registrant.country},
      {"admin.country", &r.admin.country},
      {"tech.country", &r.tech.country}};
  for (const auto& [name, value] : countries) {
    if (!value->empty() && !IsAlpha2(*value)) {
      return util::Status::InvalidArgument(
          std::string("field '") + name +
          "' must be an ISO 3166-1 alpha-2 code (two upper-case letters), not " + Quoted(*value));
    }
  }
  if (!r.country_source.empty() && !OneOf(kCountrySources, r.country_source)) {
    return util::Status::InvalidArgument("field 'country_source' must be one of " +
                                         JoinValues(kCountrySources) + ", not " +
                                         Quoted(r.country_source));
  }
  if (!r.source_protocol.empty() && !OneOf(kProtocols, r.source_protocol)) {
    return util::Status::InvalidArgument("field 'source.protocol' must be one of " +
                                         JoinValues(kProtocols) + ", not " +
                                         Quoted(r.source_protocol));
  }
  return util::Status::OK();
}

// nlohmann's messages start with "[json.exception.parse_error.101] "; users do not need that.
std::string WithoutExceptionTag(std::string message) {
  if (!message.empty() && message.front() == '[') {
    size_t end = message.find("] ");
    if (end != std::string::npos) message.erase(0, end + 2);
  }
  return message;
}

}  // namespace

bool Contact::empty() const {
  return std::ranges::all_of(kContactFields,
                             [this](const auto& f) { return (this->*f.member).empty(); });
}

bool Registrar::empty() const {
  return std::ranges::all_of(kRegistrarFields,
                             [this](const auto& f) { return (this->*f.member).empty(); });
}

namespace {

template <typename Struct, size_t N>
void MergeNonEmptyFields(Struct* into, const Struct& from, const NamedField<Struct> (&fields)[N]) {
  for (const auto& f : fields) {
    if (!(from.*f.member).empty()) into->*f.member = from.*f.member;
  }
}

}  // namespace

void MergeNonEmpty(Contact* into, const Contact& from) {
  MergeNonEmptyFields(into, from, kContactFields);
}

void MergeNonEmpty(Registrar* into, const Registrar& from) {
  MergeNonEmptyFields(into, from, kRegistrarFields);
}

const std::string* ContactFieldAt(const WhoisRecord& record, std::string_view path) {
  const size_t dot = path.find('.');
  if (dot == std::string_view::npos) return nullptr;
  const std::string_view role = path.substr(0, dot), name = path.substr(dot + 1);
  const Contact* c = role == "registrant" ? &record.registrant
                     : role == "admin"    ? &record.admin
                     : role == "tech"     ? &record.tech
                                          : nullptr;
  if (c == nullptr) return nullptr;
  for (const auto& f : kContactFields) {
    if (f.name == name) return &(c->*f.member);
  }
  return nullptr;
}

std::string ToJson(const WhoisRecord& r) {
  std::string json;
  json.reserve(1024);
  JsonObjectBuilder out(&json);
  out.String("domain", r.domain);
  if (r.unicode != r.domain) out.String("unicode", r.unicode);
  out.String("status", r.status);
  out.String("reason", r.reason);
  if (r.retry_after && r.status == kStatusFallback) out.Integer("retry_after", *r.retry_after);
  if (r.partial && r.status == kStatusRegistered) out.True("partial");
  out.String("created", r.created);
  out.String("updated", r.updated);
  out.String("expires", r.expires);
  PutRegistrar(out, r.registrar);
  PutContact(out, "registrant", r.registrant);
  PutContact(out, "admin", r.admin);
  PutContact(out, "tech", r.tech);
  out.Strings("nameservers", CanonicalNameservers(r.nameservers));
  out.Strings("domain_status", r.domain_status);
  out.String("dnssec", r.dnssec);
  out.Strings("redacted", r.redacted);
  out.String("country", r.country);
  out.String("country_source", r.country_source);
  out.BeginObject("source");
  out.String("protocol", r.source_protocol);
  out.Strings("servers", r.source_servers);
  out.String("fetched_at", r.fetched_at);
  out.EndObject();
  out.Finish();
  return json;
}

util::StatusOr<WhoisRecord> RecordFromJson(std::string_view json) {
  if (json.size() > kMaxRecordJsonBytes) {
    return util::Status::InvalidArgument("record JSON is " + std::to_string(json.size()) +
                                         " bytes; the limit is " +
                                         std::to_string(kMaxRecordJsonBytes));
  }
  // nlohmann's parser and DOM builder keep their stacks on the heap, but later recursive walks
  // (dump, compare) would not; refuse deep documents while parsing. The callback returning false
  // discards the nested value, so memory stays bounded too.
  bool too_deep = false;
  auto limit_depth = [&too_deep](int depth, Json::parse_event_t event, Json&) {
    if ((event == Json::parse_event_t::object_start || event == Json::parse_event_t::array_start) &&
        depth >= kMaxRecordJsonDepth) {
      too_deep = true;
      return false;
    }
    return true;
  };
  const std::string too_deep_message =
      "record JSON nests deeper than " + std::to_string(kMaxRecordJsonDepth) + " levels";
  Json doc;
  try {
    doc = Json::parse(json.begin(), json.end(), limit_depth);
  } catch (const Json::exception& e) {
    if (too_deep) return util::Status::InvalidArgument(too_deep_message);
    return util::Status::InvalidArgument("not valid JSON: " + WithoutExceptionTag(e.what()));
  } catch (const std::exception& e) {
    return util::Status::InvalidArgument(std::string("not valid JSON: ") + e.what());
  }
  if (too_deep) return util::Status::InvalidArgument(too_deep_message);
  if (!doc.is_object())
    return util::Status::InvalidArgument(std::string("record JSON must be an object"));

  WhoisRecord record;
  try {
    FieldReader in(doc, "");
    ReadRecord(in, record);
    if (!in.error().empty()) return util::Status::InvalidArgument(in.error());
  } catch (const std::exception& e) {  // not expected: every access is type-checked first
    return util::Status::InvalidArgument(std::string("record JSON could not be read: ") + e.what());
  }
  if (util::Status st = Validate(record); !st.ok()) return st;
  return record;
}

WhoisRecord MakeInvalidRecord(std::string input, std::string reason) {
  WhoisRecord r;
  r.domain = PrintableAscii(input, kMaxInvalidInputBytes);
  r.status = std::string(kStatusInvalid);
  r.reason = std::move(reason);
  return r;
}

std::string FormatIsoUtc(int64_t unix_ms) {
  constexpr int64_t kMinMs = -62167219200000;  // 0000-01-01T00:00:00Z
  constexpr int64_t kMaxMs = 253402300799999;  // 9999-12-31T23:59:59.999Z
  constexpr int64_t kMsPerDay = 86400000;
  unix_ms = std::clamp(unix_ms, kMinMs, kMaxMs);
  int64_t days = unix_ms / kMsPerDay;
  int64_t ms_of_day = unix_ms % kMsPerDay;
  if (ms_of_day < 0) {  // floor, not truncation, for times before 1970
    ms_of_day += kMsPerDay;
    --days;
  }
  const util::CivilDate date = util::CivilFromDays(days);
  const int64_t year = date.year;
  const int month = date.month, day = date.day;
  const int64_t secs = ms_of_day / 1000;
  char buf[64];  // room for any int, to keep -Wformat-truncation quiet
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02dZ", static_cast<int>(year), month,
                day, static_cast<int>(secs / 3600), static_cast<int>(secs / 60 % 60),
                static_cast<int>(secs % 60));
  return buf;
}

WhoisRecord MakeFallbackRecord(std::string domain, std::string unicode, FallbackReason reason,
                               std::optional<int64_t> retry_after_s, int64_t now_ms,
                               const CountryTable& countries) {
  WhoisRecord r;
  r.domain = std::move(domain);
  r.unicode = std::move(unicode);
  r.status = std::string(kStatusFallback);
  r.reason = std::string(FallbackReasonName(reason));
  if (retry_after_s && *retry_after_s >= 0) r.retry_after = retry_after_s;
  r.fetched_at = FormatIsoUtc(now_ms);

  std::string_view name = r.domain;
  while (!name.empty() && name.back() == '.') name.remove_suffix(1);
  size_t dot = name.rfind('.');
  std::string tld(dot == std::string_view::npos ? name : name.substr(dot + 1));
  for (char& c : tld) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  if (auto country = countries.ForTld(tld)) {
    r.country = std::string(*country);
    r.country_source = std::string(kCountryFromTld);
  }
  return r;
}

}  // namespace whois
