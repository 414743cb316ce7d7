#include "cli/import_lines.h"

#include <algorithm>
#include <chrono>
#include <nlohmann/json.hpp>

namespace cli {
namespace {

bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

}  // namespace

std::optional<int64_t> ParseIsoUtcMs(std::string_view t) {
  // 0123456789012345678 9
  // YYYY-MM-DDTHH:MM:SS Z
  if (t.size() != 20 || t[4] != '-' || t[7] != '-' || t[10] != 'T' || t[13] != ':' ||
      t[16] != ':' || t[19] != 'Z')
    return std::nullopt;
  auto num = [&](size_t at, size_t n) -> int64_t {
    int64_t v = 0;
    for (size_t i = at; i < at + n; ++i) {
      if (t[i] < '0' || t[i] > '9') return -1;
      v = v * 10 + (t[i] - '0');
    }
    return v;
  };
  int64_t y = num(0, 4), mo = num(5, 2), d = num(8, 2), h = num(11, 2), mi = num(14, 2),
          s = num(17, 2);
  const std::chrono::year_month_day date{std::chrono::year(static_cast<int>(y)),
                                         std::chrono::month(static_cast<unsigned>(mo)),
                                         std::chrono::day(static_cast<unsigned>(d))};
  if (y < 0 || mo < 0 || d < 0 || !date.ok() || h < 0 || h > 23 || mi < 0 || mi > 59 || s < 0 ||
      s > 60)
    return std::nullopt;
  const int64_t days = std::chrono::sys_days(date).time_since_epoch().count();
  return ((days * 24 + h) * 60 + mi) * 60000 + s * 1000;
}

ImportLine ParseImportLine(std::string_view line, const std::optional<Ttls>& ttls, int64_t now_ms) {
  while (!line.empty() && IsSpace(line.front())) line.remove_prefix(1);
  while (!line.empty() && IsSpace(line.back())) line.remove_suffix(1);
  ImportLine out;
  if (line.empty()) return out;
  out.kind = ImportLine::Kind::kBad;
  nlohmann::json j = nlohmann::json::parse(line, nullptr, false);
  if (j.is_discarded()) {
    out.reason = "not JSON";
    return out;
  }
  if (!j.is_object()) {
    out.reason = "not a JSON object";
    return out;
  }
  auto domain = j.find("domain");
  if (domain == j.end() || !domain->is_string() || domain->get<std::string>().empty()) {
    out.reason = "no \"domain\" string";
    return out;
  }
  out.kind = ImportLine::Kind::kRecord;
  out.domain = domain->get<std::string>();
  out.json = std::string(line);
  if (!ttls) return out;
  auto status = j.find("status");
  auto source = j.find("source");
  if (status == j.end() || !status->is_string() || source == j.end() || !source->is_object())
    return out;
  auto fetched = source->find("fetched_at");
  if (fetched == source->end() || !fetched->is_string()) return out;
  std::optional<int64_t> at = ParseIsoUtcMs(fetched->get<std::string>());
  const std::string s = status->get<std::string>();
  int64_t ttl = s == "registered"  ? ttls->registered_ms
                : s == "not_found" ? ttls->not_found_ms
                : s == "fallback"  ? ttls->fallback_ms
                                   : -1;
  if (!at || ttl < 0) return out;
  out.px_ms = std::max<int64_t>(1, *at + ttl - now_ms);
  return out;
}

}  // namespace cli
