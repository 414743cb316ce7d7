#include "server/stale_policy.h"

#include <algorithm>
#include <variant>

#include "resp/reply_writer.h"
#include "whois/record/record_change.h"

namespace server {
namespace {

bool IsKnowledge(storage::RecordStatus status) {
  return status == storage::RecordStatus::kRegistered || status == storage::RecordStatus::kNotFound;
}

constexpr std::string_view kStaleField = "\"stale\":true";

}  // namespace

bool ServableStale(const storage::Record& rec, int64_t now_ms, const StaleSettings& settings) {
  return settings.serve_stale && IsKnowledge(rec.status) &&
         now_ms - rec.stale_at_ms < settings.max_stale_ms;
}

int64_t RefreshAtMs(const storage::Record& rec) {
  if (!IsKnowledge(rec.status)) return INT64_MAX;
  const int64_t ttl = std::max<int64_t>(0, rec.stale_at_ms - rec.fetched_at_ms);
  return std::max(rec.stale_at_ms - ttl / kRefreshAheadDivisor, rec.refresh_after_ms);
}

std::string StaleJson(std::string_view json) {
  size_t close = json.rfind('}');
  if (close == std::string_view::npos) return std::string(json);
  size_t last = json.find_last_not_of(" \t\r\n", close == 0 ? 0 : close - 1);
  bool empty = last == std::string_view::npos || json[last] == '{';
  std::string out;
  out.reserve(json.size() + kStaleField.size() + 1);
  out.append(json.substr(0, close));
  if (!empty) out += ',';
  out.append(kStaleField);
  out.append(json.substr(close));
  return out;
}

std::string StaleBulk(std::string_view bulk) {
  const std::optional<std::string_view> json = resp::BulkPayload(bulk);
  if (!json) return std::string(bulk);
  std::string out;
  resp::ReplyWriter(&out, 2).Bulk(StaleJson(*json));
  return out;
}

int64_t RefreshBackOffMs(uint32_t failures, std::optional<int64_t> retry_after_s,
                         int64_t ttl_fallback_ms) {
  int64_t wait;
  if (retry_after_s) {
    wait = std::min(*retry_after_s, kMaxRefreshBackOffMs / 1000) * 1000;
  } else {
    wait = std::max<int64_t>(ttl_fallback_ms, 1000);
    for (uint32_t i = 1; i < failures && wait < kMaxRefreshBackOffMs; ++i) wait *= 2;
  }
  return std::clamp<int64_t>(wait, 1000, kMaxRefreshBackOffMs);
}

bool KeptRecord(const storage::Record* current, const storage::Record& fetched) {
  return current != nullptr && IsKnowledge(current->status) &&
         fetched.status == storage::RecordStatus::kFallback;
}

storage::RecordUpdate DecideStore(const storage::Record* current, LookupAnswer&& answer) {
  storage::RecordUpdate update;
  if (KeptRecord(current, answer.fetched)) {
    storage::Record kept = *current;
    kept.refresh_failures = current->refresh_failures + 1;
    kept.refresh_after_ms =
        answer.now_ms +
        RefreshBackOffMs(kept.refresh_failures, answer.retry_after_s, answer.ttl_fallback_ms);
    update.put = std::move(kept);
    update.keep_chain = true;
    return update;
  }
  if (current != nullptr && IsKnowledge(current->status)) {
    auto before = whois::RecordFromJson(current->json);
    update.archive_current = !before.ok() || whois::ChangesWhatCrawlersUse(*before, answer.record);
  }
  update.put = std::move(answer.fetched);
  return update;
}

}  // namespace server
