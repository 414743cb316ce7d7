#include "storage/fleet/budget_script.h"

#include <algorithm>

namespace storage::fleet {

BudgetKeys FleetBudgetKeys(std::string_view prefix, std::string_view host) {
  std::string tag = "{" + std::string(prefix) + ":budget:" + std::string(host) + "}";
  return {tag + "w", tag + "c", tag + "d"};
}

// Lua 5.1 numbers are doubles: milliseconds since 1970 (13 digits) are exact and print without
// an exponent ("%.14g"), so they can be concatenated into ZRANGEBYSCORE bounds.
#define WP_REDIS_NOW               \
  "local t = redis.call('TIME')\n" \
  "local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)\n"

const char kAcquireScript[] = WP_REDIS_NOW
    R"lua(
local token, slot_ttl, hold = ARGV[1], tonumber(ARGV[2]), tonumber(ARGV[3])
local conc, daily, utc, nrates = tonumber(ARGV[4]), tonumber(ARGV[5]), ARGV[6] == '1', tonumber(ARGV[7])
local used, field = 0, nil
if conc > 0 then
  redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now)
  if redis.call('ZCARD', KEYS[2]) >= conc then return {0, 'concurrency', -1, now, used} end
end
local longest = 0
for i = 0, nrates - 1 do
  local w = tonumber(ARGV[9 + 2 * i])
  if w > longest then longest = w end
end
if nrates > 0 then
  redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - longest)
  for i = 0, nrates - 1 do
    local count, w = tonumber(ARGV[8 + 2 * i]), tonumber(ARGV[9 + 2 * i])
    local n = redis.call('ZCOUNT', KEYS[1], '(' .. (now - w), '+inf')
    if n >= count then
      local e = redis.call('ZRANGEBYSCORE', KEYS[1], '(' .. (now - w), '+inf', 'WITHSCORES',
                           'LIMIT', n - count, 1)
      local s = tonumber(e[2])
      local wait = -1
      if s <= now then wait = s + w - now end
      return {0, 'rate', wait, now, used}
    end
  end
end
if daily > 0 then
  local unit, prefix = 3600000, 'h'
  if utc then unit, prefix = 86400000, 'd' end
  local cur = math.floor(now / unit)
  local first = cur
  if not utc then first = cur - 24 end
  local all = redis.call('HGETALL', KEYS[3])
  for i = 1, #all, 2 do
    local n = tonumber(string.sub(all[i], 2))
    if string.sub(all[i], 1, 1) == prefix and n and n >= first then
      used = used + tonumber(all[i + 1])
    else
      redis.call('HDEL', KEYS[3], all[i])
    end
  end
  field = prefix .. cur
  if used >= daily then return {0, 'daily', (cur + 1) * unit - now, now, used} end
end
if conc > 0 then
  redis.call('ZADD', KEYS[2], now + slot_ttl, token)
  redis.call('PEXPIRE', KEYS[2], slot_ttl)
end
if nrates > 0 then
  redis.call('ZADD', KEYS[1], now + hold, token)
  if redis.call('PTTL', KEYS[1]) < longest + hold then
    redis.call('PEXPIRE', KEYS[1], longest + hold)
  end
end
if daily > 0 then
  redis.call('HINCRBY', KEYS[3], field, 1)
  redis.call('PEXPIRE', KEYS[3], 26 * 3600000)
  used = used + 1
end
return {1, 'ok', 0, now, used}
)lua";

const char kFinishScript[] = WP_REDIS_NOW
    R"lua(
local s = redis.call('ZSCORE', KEYS[1], ARGV[1])
if s and tonumber(s) > now then redis.call('ZADD', KEYS[1], 'XX', now, ARGV[1]) end
if ARGV[2] == '1' then redis.call('ZREM', KEYS[2], ARGV[1]) end
return now
)lua";

const char kCarryScript[] = WP_REDIS_NOW
    R"lua(
local units, utc, keep, nrates = tonumber(ARGV[2]), ARGV[3] == '1', tonumber(ARGV[4]), tonumber(ARGV[5])
local added = 0
for i = 0, nrates - 1 do
  local count, w = tonumber(ARGV[6 + 2 * i]), tonumber(ARGV[7 + 2 * i])
  local n = redis.call('ZCOUNT', KEYS[1], '(' .. (now - w), '+inf')
  for j = n + 1, count do
    added = added + 1
    redis.call('ZADD', KEYS[1], now, ARGV[1] .. added)
  end
end
if added > 0 and redis.call('PTTL', KEYS[1]) < keep then redis.call('PEXPIRE', KEYS[1], keep) end
if units > 0 then
  local unit, prefix = 3600000, 'h'
  if utc then unit, prefix = 86400000, 'd' end
  redis.call('HINCRBY', KEYS[2], prefix .. math.floor(now / unit), units)
  redis.call('PEXPIRE', KEYS[2], 26 * 3600000)
end
return added
)lua";

#undef WP_REDIS_NOW

std::vector<std::string> AcquireArgs(const FleetLimits& limits, std::string_view token) {
  std::vector<std::string> args = {std::string(token),
                                   std::to_string(limits.slot_ttl_ms),
                                   std::to_string(limits.unsent_hold_ms),
                                   std::to_string(limits.concurrency),
                                   std::to_string(limits.daily),
                                   limits.utc_day ? "1" : "0",
                                   std::to_string(limits.rates.size())};
  for (const FleetRate& r : limits.rates) {
    args.push_back(std::to_string(r.count));
    args.push_back(std::to_string(r.window_ms));
  }
  return args;
}

Status ParseAcquireReply(const Reply& reply, AcquireVerdict* out) {
  if (reply.is_error()) return ErrorOf(reply);
  const auto& e = reply.elements;
  if (reply.type != Reply::Type::kArray || e.size() != 5 || e[0].type != Reply::Type::kInteger ||
      e[1].type != Reply::Type::kString || e[2].type != Reply::Type::kInteger ||
      e[3].type != Reply::Type::kInteger || e[4].type != Reply::Type::kInteger) {
    return Status::Corruption("the budget script's reply is not {granted, why, wait, now, used}");
  }
  const std::string& why = e[1].str;
  AcquireVerdict v;
  if (e[0].integer == 1 && why == "ok") {
    v.why = AcquireVerdict::Why::kGranted;
  } else if (e[0].integer == 0 && why == "concurrency") {
    v.why = AcquireVerdict::Why::kConcurrency;
  } else if (e[0].integer == 0 && why == "rate") {
    v.why = AcquireVerdict::Why::kRate;
  } else if (e[0].integer == 0 && why == "daily") {
    v.why = AcquireVerdict::Why::kDaily;
  } else {
    return Status::Corruption("the budget script answered '" + why + "'");
  }
  v.wait_ms = v.granted() ? 0 : std::max<int64_t>(-1, e[2].integer);
  v.redis_now_ms = e[3].integer;
  v.daily_used = e[4].integer;
  *out = v;
  return Status::OK();
}

std::vector<std::string> FinishArgs(std::string_view token, bool release) {
  return {std::string(token), release ? "1" : "0"};
}

std::vector<std::string> CarryArgs(std::string_view token_prefix, int64_t daily_starts,
                                   const FleetLimits& limits) {
  int64_t longest = 0;
  for (const FleetRate& r : limits.rates) longest = std::max(longest, r.window_ms);
  std::vector<std::string> args = {
      std::string(token_prefix), std::to_string(daily_starts), limits.utc_day ? "1" : "0",
      std::to_string(longest + limits.unsent_hold_ms), std::to_string(limits.rates.size())};
  for (const FleetRate& r : limits.rates) {
    args.push_back(std::to_string(r.count));
    args.push_back(std::to_string(r.window_ms));
  }
  return args;
}

}  // namespace storage::fleet
