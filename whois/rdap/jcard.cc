#include "whois/rdap/jcard.h"

#include <cctype>
#include <nlohmann/json.hpp>
#include <string_view>

namespace whois::rdap {
namespace {

using nlohmann::json;

std::string Clean(std::string_view s, size_t max_bytes) {
  while (!s.empty() && static_cast<unsigned char>(s.front()) <= ' ') s.remove_prefix(1);
  while (!s.empty() && static_cast<unsigned char>(s.back()) <= ' ') s.remove_suffix(1);
  std::string out(s.substr(0, max_bytes));
  for (char& c : out) {
    if (static_cast<unsigned char>(c) < ' ') c = ' ';
  }
  return out;
}

// A value that is a string, or the non-empty strings of an array joined with `sep`
// (structured values such as a multi-line street).
std::string Text(const json& v, std::string_view sep, size_t max_bytes) {
  if (v.is_string()) return Clean(v.get_ref<const std::string&>(), max_bytes);
  std::string out;
  if (v.is_array()) {
    for (const json& e : v) {
      if (!e.is_string()) continue;
      std::string part = Clean(e.get_ref<const std::string&>(), max_bytes);
      if (part.empty()) continue;
      if (!out.empty()) out += sep;
      out += part;
    }
  }
  return out.substr(0, max_bytes);
}

// The `type` parameter (a string or an array of strings) holds `want`.
bool HasType(const json& params, std::string_view want) {
  if (!params.is_object()) return false;
  auto it = params.find("type");
  if (it == params.end()) return false;
  if (it->is_string()) return it->get_ref<const std::string&>() == want;
  if (it->is_array()) {
    for (const json& t : *it) {
      if (t.is_string() && t.get_ref<const std::string&>() == want) return true;
    }
  }
  return false;
}

void ReadAdr(const json& prop, size_t max_bytes, JCardFields* out) {
  const json& params = prop[1];
  if (params.is_object()) {
    if (auto cc = params.find("cc"); cc != params.end() && cc->is_string()) {
      out->country_code = Clean(cc->get_ref<const std::string&>(), 8);
    }
  }
  const json& v = prop[3];
  if (v.is_array() && v.size() >= 7) {
    // [post office box, extended address, street, locality, region, postal code, country]
    std::string street = Text(v[0], ", ", max_bytes);
    for (size_t i : {size_t{1}, size_t{2}}) {
      std::string part = Text(v[i], ", ", max_bytes);
      if (part.empty()) continue;
      street = street.empty() ? part : street + ", " + part;
    }
    out->street = street.substr(0, max_bytes);
    out->city = Text(v[3], " ", max_bytes);
    out->state = Text(v[4], " ", max_bytes);
    out->postal_code = Text(v[5], " ", max_bytes);
    out->country_name = Text(v[6], " ", max_bytes);
  } else if (params.is_object()) {
    // Unstructured address (RFC 7095 §3.3.1.3 `label`): keep it as the street.
    if (auto label = params.find("label"); label != params.end() && label->is_string()) {
      out->street = Clean(label->get_ref<const std::string&>(), max_bytes);
      for (char& c : out->street) {
        if (c == '\n') c = ',';
      }
    }
  }
}

}  // namespace

JCardFields ReadJCard(const json& vcard_array, size_t max_bytes) {
  JCardFields out;
  if (!vcard_array.is_array() || vcard_array.size() < 2 || !vcard_array[1].is_array()) return out;
  bool phone_is_voice = false;
  for (const json& prop : vcard_array[1]) {
    if (!prop.is_array() || prop.size() < 4 || !prop[0].is_string()) continue;
    std::string name = prop[0].get<std::string>();
    for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    const json& value = prop[3];
    if (name == "fn" && out.fn.empty()) {
      out.fn = Text(value, " ", max_bytes);
    } else if (name == "org" && out.org.empty()) {
      out.org = Text(value, ", ", max_bytes);
    } else if (name == "email" && out.email.empty()) {
      out.email = Text(value, " ", max_bytes);
    } else if (name == "url" && out.url.empty()) {
      out.url = Text(value, " ", max_bytes);
    } else if (name == "adr" && out.street.empty() && out.city.empty() &&
               out.country_name.empty()) {
      ReadAdr(prop, max_bytes, &out);
    } else if (name == "tel") {
      // The record has no fax field, so fax numbers are skipped; a number without a type
      // counts as voice. The first voice number wins.
      bool fax = HasType(prop[1], "fax") && !HasType(prop[1], "voice");
      if (fax || phone_is_voice) continue;
      std::string tel = Text(value, " ", max_bytes);
      if (tel.rfind("tel:", 0) == 0) tel.erase(0, 4);
      if (tel.empty()) continue;
      out.phone = tel;
      phone_is_voice = true;
    }
  }
  return out;
}

}  // namespace whois::rdap
