#include "server/whois_reply_text.h"

namespace server {
namespace {

std::string OneLine(std::string_view text) {
  std::string out(text);
  for (char& c : out)
    if (c == '\r' || c == '\n') c = ' ';
  return out;
}

// Appends `text` with every line ending turned into CRLF, and a final CRLF if it lacks one.
void AppendLines(std::string* out, std::string_view text) {
  size_t start = 0;
  while (start < text.size()) {
    size_t nl = text.find('\n', start);
    std::string_view line =
        text.substr(start, nl == std::string_view::npos ? std::string_view::npos : nl - start);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    out->append(line);
    out->append("\r\n");
    if (nl == std::string_view::npos) break;
    start = nl + 1;
  }
}

void Field(std::string* out, std::string_view key, std::string_view value) {
  if (value.empty()) return;
  out->append(key);
  out->append(": ");
  out->append(OneLine(value));
  out->append("\r\n");
}

void ContactFields(std::string* out, std::string_view role, const whois::Contact& c) {
  std::string r(role);
  Field(out, r + " Name", c.name);
  Field(out, r + " Organization", c.organization);
  Field(out, r + " Street", c.street);
  Field(out, r + " City", c.city);
  Field(out, r + " State/Province", c.state);
  Field(out, r + " Postal Code", c.postal_code);
  Field(out, r + " Country", c.country);
  Field(out, r + " Phone", c.phone);
  Field(out, r + " Email", c.email);
}

std::string Joined(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& s : items) out += (out.empty() ? "" : ", ") + s;
  return out;
}

}  // namespace

std::string WhoisQueryName(std::string_view line) {
  size_t first = line.find_first_not_of(" \t\r\n");
  if (first == std::string_view::npos) return {};
  size_t last = line.find_last_not_of(" \t\r\n");
  return std::string(line.substr(first, last + 1 - first));
}

std::string WhoisCommentLine(std::string_view text) { return "% " + OneLine(text) + "\r\n"; }

std::string RenderRecordFields(const whois::WhoisRecord& r) {
  std::string out;
  Field(&out, "Domain Name", r.domain);
  Field(&out, "Internationalized Domain Name", r.unicode);
  Field(&out, "Status", r.status == whois::kStatusNotFound ? "not found" : std::string_view());
  Field(&out, "Creation Date", r.created);
  Field(&out, "Updated Date", r.updated);
  Field(&out, "Registry Expiry Date", r.expires);
  Field(&out, "Registrar", r.registrar.name);
  Field(&out, "Registrar IANA ID", r.registrar.iana_id);
  Field(&out, "Registrar URL", r.registrar.url);
  Field(&out, "Registrar WHOIS Server", r.registrar.whois_server);
  Field(&out, "Registrar Abuse Contact Email", r.registrar.abuse_email);
  Field(&out, "Registrar Abuse Contact Phone", r.registrar.abuse_phone);
  for (const auto& s : r.domain_status) Field(&out, "Domain Status", s);
  ContactFields(&out, "Registrant", r.registrant);
  ContactFields(&out, "Admin", r.admin);
  ContactFields(&out, "Tech", r.tech);
  for (const auto& ns : r.nameservers) Field(&out, "Name Server", ns);
  Field(&out, "DNSSEC", r.dnssec);
  Field(&out, "Redacted", Joined(r.redacted));
  Field(&out, "Country", r.country);
  return out;
}

std::string WhoisNoDataLine(const whois::WhoisRecord& r) {
  if (r.status == whois::kStatusInvalid)
    return WhoisCommentLine("invalid domain name '" + r.domain + "': " + r.reason);
  if (r.status != whois::kStatusFallback) return {};
  std::string text = "no answer for " + r.domain + " from upstream just now (" + r.reason + ")";
  if (r.retry_after) text += "; try again in " + std::to_string(*r.retry_after) + " s";
  return WhoisCommentLine(text);
}

std::string WhoisRecordReply(const whois::WhoisRecord& record,
                             const std::vector<storage::RawReply>& chain, bool stale) {
  if (std::string line = WhoisNoDataLine(record); !line.empty()) return line;
  std::string out;
  bool raw = false;
  for (const auto& hop : chain) {
    if (hop.text.empty()) continue;
    if (raw) out += "\r\n";
    AppendLines(&out, hop.text);
    raw = true;
  }
  if (!raw) out = RenderRecordFields(record);
  out += "\r\n% ----\r\n";
  std::string footer;
  if (raw) {
    // The chain says when and where each text was fetched.
    std::vector<std::string> servers;
    for (const auto& hop : chain) servers.push_back(hop.server);
    footer = "whois-proxy: fetched " + whois::FormatIsoUtc(chain.front().fetched_at_ms) + " from " +
             Joined(servers);
  } else {
    footer = "whois-proxy: rendered from the stored record";
    if (!record.source_protocol.empty()) footer += " (" + record.source_protocol + ")";
    if (!record.fetched_at.empty()) footer += ", fetched " + record.fetched_at;
    if (!record.source_servers.empty()) footer += " from " + Joined(record.source_servers);
  }
  out += WhoisCommentLine(footer);
  if (stale) out += WhoisCommentLine("this copy is stale; a fresh one is being fetched");
  if (record.partial)
    out += WhoisCommentLine("partial: the registrar's part had not arrived in time");
  return out;
}

}  // namespace server
