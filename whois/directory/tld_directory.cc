#include "whois/directory/tld_directory.h"

#include <charconv>
#include <utility>
#include <vector>

#include "util/ascii.h"
#include "util/enum_names.h"
#include "whois/directory/query_format.h"
#include "whois/directory/referral.h"

namespace whois {
namespace {

struct BundledRow {
  const char* tld;
  const char* host;
};

#include "whois/directory/data/tld_servers.inc"

// Printable for an error message: control and non-ASCII bytes become '?', long text is cut.
std::string Shown(std::string_view text) {
  std::string out;
  for (char c : text.substr(0, 64)) out.push_back(c >= 0x20 && c < 0x7f ? c : '?');
  if (text.size() > 64) out += "...";
  return out;
}

bool IsValidTldLabel(std::string_view tld) {
  if (tld.empty() || tld.size() > 63 || tld.front() == '-' || tld.back() == '-') return false;
  for (char c : tld) {
    char l = util::ToLower(c);
    if (!((l >= 'a' && l <= 'z') || (l >= '0' && l <= '9') || l == '-')) return false;
  }
  return true;
}

bool IsIpv4Literal(std::string_view s) {
  int parts = 0;
  while (true) {
    size_t dot = s.find('.');
    std::string_view part = s.substr(0, dot);
    unsigned value = 0;
    auto [end, ec] = std::from_chars(part.data(), part.data() + part.size(), value);
    if (part.empty() || part.size() > 3 || ec != std::errc() || end != part.data() + part.size() ||
        value > 255) {
      return false;
    }
    ++parts;
    if (dot == std::string_view::npos) break;
    s.remove_prefix(dot + 1);
  }
  return parts == 4;
}

// A loose shape check; the upstream client parses the address for real.
bool IsIpv6Literal(std::string_view s) {
  size_t colons = 0;
  for (char c : s) {
    char l = util::ToLower(c);
    if (c == ':') {
      ++colons;
    } else if (!((l >= '0' && l <= '9') || (l >= 'a' && l <= 'f') || l == '.')) {
      return false;
    }
  }
  return colons >= 2 && s.size() <= 45;
}

// --- Punycode (RFC 3492), encoding only: IANA prints IDN TLDs as U-labels. ---

bool DecodeUtf8(std::string_view s, std::vector<uint32_t>* out) {
  for (size_t i = 0; i < s.size();) {
    auto b = static_cast<unsigned char>(s[i]);
    size_t len = b < 0x80           ? 1
                 : (b >> 5) == 0x6  ? 2
                 : (b >> 4) == 0xe  ? 3
                 : (b >> 3) == 0x1e ? 4
                                    : 0;
    if (len == 0 || i + len > s.size()) return false;
    uint32_t cp = len == 1 ? b : (b & (0x7f >> len));
    for (size_t k = 1; k < len; ++k) {
      auto cont = static_cast<unsigned char>(s[i + k]);
      if ((cont & 0xc0) != 0x80) return false;
      cp = (cp << 6) | (cont & 0x3f);
    }
    static constexpr uint32_t kMinForLength[] = {0, 0, 0x80, 0x800, 0x10000};
    if (cp < kMinForLength[len] || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return false;
    out->push_back(cp);
    i += len;
  }
  return true;
}

uint32_t Adapt(uint32_t delta, uint32_t points, bool first) {
  constexpr uint32_t kBase = 36, kTmin = 1, kTmax = 26, kSkew = 38, kDamp = 700;
  delta = first ? delta / kDamp : delta / 2;
  delta += delta / points;
  uint32_t k = 0;
  while (delta > ((kBase - kTmin) * kTmax) / 2) {
    delta /= kBase - kTmin;
    k += kBase;
  }
  return k + (kBase - kTmin + 1) * delta / (delta + kSkew);
}

// "xn--" + Punycode of a one-label UTF-8 `ulabel` (ASCII letters lower-cased), or nullopt if it
// is not valid UTF-8 or overflows.
std::optional<std::string> ToALabel(std::string_view ulabel) {
  constexpr uint32_t kBase = 36, kTmin = 1, kTmax = 26;
  std::vector<uint32_t> input;
  if (!DecodeUtf8(ulabel, &input) || input.size() > 63) return std::nullopt;
  std::string out;
  for (uint32_t& cp : input) {
    if (cp < 0x80) {
      cp = static_cast<uint32_t>(util::ToLower(static_cast<char>(cp)));
      out.push_back(static_cast<char>(cp));
    }
  }
  const auto basic = static_cast<uint32_t>(out.size());
  if (basic > 0) out.push_back('-');
  auto digit = [](uint32_t d) { return static_cast<char>(d < 26 ? 'a' + d : '0' + (d - 26)); };
  uint32_t n = 128, delta = 0, bias = 72, handled = basic;
  while (handled < input.size()) {
    uint32_t m = UINT32_MAX;
    for (uint32_t cp : input) {
      if (cp >= n && cp < m) m = cp;
    }
    if ((m - n) > (UINT32_MAX - delta) / (handled + 1)) return std::nullopt;
    delta += (m - n) * (handled + 1);
    n = m;
    for (uint32_t cp : input) {
      if (cp < n && ++delta == 0) return std::nullopt;
      if (cp != n) continue;
      uint32_t q = delta;
      for (uint32_t k = kBase;; k += kBase) {
        uint32_t t = k <= bias ? kTmin : k >= bias + kTmax ? kTmax : k - bias;
        if (q < t) break;
        out.push_back(digit(t + (q - t) % (kBase - t)));
        q = (q - t) / (kBase - t);
      }
      out.push_back(digit(q));
      bias = Adapt(delta, handled + 1, handled == basic);
      delta = 0;
      ++handled;
    }
    ++delta;
    ++n;
  }
  return "xn--" + out;
}

// True when IANA's "domain:" value names `tld` (a lower-case A-label).
bool DomainNamesTld(std::string_view value, std::string_view tld) {
  bool ascii = true;
  for (char c : value) ascii = ascii && static_cast<unsigned char>(c) < 0x80;
  if (ascii) return util::ToLower(value) == tld;
  std::optional<std::string> alabel = ToALabel(value);
  return alabel && *alabel == tld;
}

}  // namespace

std::string_view OriginName(ServerEntry::Origin origin) {
  static constexpr util::EnumNames<ServerEntry::Origin::kOverride> kNames(
      {"bundled", "iana", "override"}, "bundled");
  return kNames.Name(origin);
}

util::Status CheckServerEntry(const ServerEntry& entry) {
  if (!IsValidTldLabel(entry.tld))
    return util::Status::InvalidArgument("'" + Shown(entry.tld) + "' is not a TLD label");
  if (!entry.host.empty() && !IsValidServerHostName(entry.host)) {
    bool literal = IsIpv4Literal(entry.host) || IsIpv6Literal(entry.host);
    if (!literal || entry.origin != ServerEntry::Origin::kOverride) {
      return util::Status::InvalidArgument("'" + Shown(entry.host) +
                                           "' is not a WHOIS server host name");
    }
  }
  if (entry.port == 0) return util::Status::InvalidArgument("port 0 is not a WHOIS server port");
  if (!entry.query_format.empty()) return CheckQueryFormat(entry.query_format);
  return util::Status::OK();
}

TldDirectory TldDirectory::Bundled() {
  TldDirectory directory;
  for (const BundledRow& row : kBundledRows) {
    ServerEntry entry;
    entry.tld = row.tld;
    entry.host = row.host;
    entry.origin = ServerEntry::Origin::kBundled;
    entry.learned_at_ms = kBundledSnapshotMs;
    directory.entries_.emplace_hint(directory.entries_.end(), entry.tld, std::move(entry));
  }
  return directory;
}

TldDirectory TldDirectory::Empty() { return TldDirectory(); }

int64_t TldDirectory::BundledSnapshotMs() { return kBundledSnapshotMs; }

const ServerEntry* TldDirectory::Find(std::string_view tld) const {
  if (!tld.empty() && tld.front() == '.') tld.remove_prefix(1);
  bool lower = true;
  for (char c : tld) lower = lower && util::ToLower(c) == c;
  auto it = lower ? entries_.find(tld) : entries_.find(util::ToLower(tld));
  return it == entries_.end() ? nullptr : &it->second;
}

util::Status TldDirectory::Set(ServerEntry entry) {
  entry.tld = util::ToLower(entry.tld);
  entry.host = util::ToLower(entry.host);
  if (!entry.host.empty() && entry.host.back() == '.') entry.host.pop_back();
  if (util::Status st = CheckServerEntry(entry); !st.ok()) return st;
  auto it = entries_.find(entry.tld);
  if (it == entries_.end()) {
    std::string key = entry.tld;
    entries_.emplace(std::move(key), std::move(entry));
    return util::Status::OK();
  }
  if (it->second.origin == ServerEntry::Origin::kOverride &&
      entry.origin != ServerEntry::Origin::kOverride) {
    return util::Status::InvalidArgument("." + entry.tld +
                                         " has an override; the learned server is ignored");
  }
  it->second = std::move(entry);
  return util::Status::OK();
}

bool TldDirectory::Erase(std::string_view tld) {
  const ServerEntry* entry = Find(tld);
  if (entry == nullptr) return false;
  entries_.erase(entry->tld);
  return true;
}

bool TldDirectory::NeedsRefresh(std::string_view tld, int64_t now_ms, int64_t max_age_ms) const {
  const ServerEntry* entry = Find(tld);
  if (entry == nullptr) return true;
  if (entry->origin == ServerEntry::Origin::kOverride) return false;
  return entry->learned_at_ms <= now_ms - max_age_ms;
}

std::string EncodeEntry(const ServerEntry& entry) {
  std::string out = "wd1\t";
  out.append(entry.tld).push_back('\t');
  out.append(entry.host).push_back('\t');
  out.append(std::to_string(entry.port)).push_back('\t');
  out.append(OriginName(entry.origin)).push_back('\t');
  out.append(std::to_string(entry.learned_at_ms)).push_back('\t');
  out.append(entry.query_format);
  return out;
}

std::optional<ServerEntry> DecodeEntry(std::string_view encoded) {
  std::vector<std::string_view> fields;
  while (true) {
    size_t tab = encoded.find('\t');
    fields.push_back(encoded.substr(0, tab));
    if (tab == std::string_view::npos || fields.size() > 7) break;
    encoded.remove_prefix(tab + 1);
  }
  if (fields.size() != 7 || fields[0] != "wd1") return std::nullopt;
  ServerEntry entry;
  entry.tld = std::string(fields[1]);
  entry.host = std::string(fields[2]);
  auto parse_int = [](std::string_view text, auto* value) {
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), *value);
    return !text.empty() && ec == std::errc() && end == text.data() + text.size();
  };
  if (!parse_int(fields[3], &entry.port)) return std::nullopt;
  if (fields[4] == "bundled") {
    entry.origin = ServerEntry::Origin::kBundled;
  } else if (fields[4] == "iana") {
    entry.origin = ServerEntry::Origin::kIana;
  } else if (fields[4] == "override") {
    entry.origin = ServerEntry::Origin::kOverride;
  } else {
    return std::nullopt;
  }
  if (!parse_int(fields[5], &entry.learned_at_ms)) return std::nullopt;
  entry.query_format = std::string(fields[6]);
  // Stored entries are written lower case; anything else was not written by EncodeEntry.
  if (util::ToLower(entry.tld) != entry.tld || util::ToLower(entry.host) != entry.host)
    return std::nullopt;
  if (!CheckServerEntry(entry).ok()) return std::nullopt;
  return entry;
}

util::StatusOr<IanaTldAnswer> ParseIanaTldAnswer(std::string_view tld, std::string_view text) {
  std::string wanted = util::ToLower(tld);
  bool matched = false;
  std::optional<std::string_view> whois_value;
  while (!text.empty()) {
    size_t nl = text.find('\n');
    std::string_view line = text.substr(0, nl);
    text.remove_prefix(nl == std::string_view::npos ? text.size() : nl + 1);
    size_t colon = line.find(':');
    if (colon == std::string_view::npos) continue;
    std::string key = util::ToLower(util::Trim(line.substr(0, colon), util::kBlanksAndCr));
    std::string_view value = util::Trim(line.substr(colon + 1), util::kBlanksAndCr);
    if (key == "domain") {
      if (matched) break;  // a second object: the answer for `tld` ended
      if (!DomainNamesTld(value, wanted)) {
        return util::Status::InvalidArgument("IANA answered for '" + Shown(value) + "', not ." +
                                             Shown(tld));
      }
      matched = true;
    } else if (key == "whois" && matched && !whois_value) {
      whois_value = value;
    }
  }
  if (!matched) {
    return util::Status::InvalidArgument("not an IANA answer for ." + Shown(tld) +
                                         " (no domain: line)");
  }
  IanaTldAnswer answer;
  if (!whois_value || whois_value->empty()) return answer;
  util::StatusOr<Referral> server = ParseReferralValue(*whois_value);
  if (!server.ok() || server->port != kWhoisPort || server->rwhois) {
    return util::Status::InvalidArgument(
        "IANA's whois: line for ." + Shown(tld) + " is unusable: " +
        (server.ok() ? "'" + Shown(*whois_value) + "' is not a plain host"
                     : server.status().message()));
  }
  answer.host = std::move(server->host);
  return answer;
}

}  // namespace whois
