#include "storage/fleet/fleet_members.h"

#include <algorithm>
#include <charconv>

namespace storage::fleet {
namespace {

bool ParseInt(std::string_view s, int64_t* out) {
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), *out);
  return ec == std::errc() && p == s.data() + s.size();
}

}  // namespace

MemberKeys FleetMemberKeys(std::string_view prefix) {
  std::string tag = "{" + std::string(prefix) + ":fleet}";
  return {tag + "nodes", tag + "seen"};
}

const char kHeartbeatScript[] = R"lua(
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local ttl = tonumber(ARGV[3])
redis.call('HSET', KEYS[1], ARGV[1], now .. '\t' .. ARGV[2])
redis.call('ZADD', KEYS[2], now + ttl, ARGV[1])
local dead = redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', now)
for _, name in ipairs(dead) do
  redis.call('ZREM', KEYS[2], name)
  redis.call('HDEL', KEYS[1], name)
end
redis.call('PEXPIRE', KEYS[1], ttl)
redis.call('PEXPIRE', KEYS[2], ttl)
local out = {now}
local all = redis.call('HGETALL', KEYS[1])
for i = 1, #all do out[#out + 1] = all[i] end
return out
)lua";

std::vector<std::string> HeartbeatArgs(const FleetMember& self, int64_t expiry_ms) {
  std::string sources;
  for (const auto& s : self.sources) sources += (sources.empty() ? "" : ",") + s;
  return {self.name, std::to_string(self.lookups_in_flight) + "\t" + sources,
          std::to_string(expiry_ms)};
}

Status ParseHeartbeatReply(const Reply& reply, int64_t* redis_now_ms,
                           std::vector<FleetMember>* members) {
  if (reply.is_error()) return ErrorOf(reply);
  const auto& e = reply.elements;
  if (reply.type != Reply::Type::kArray || e.empty() || e.size() % 2 != 1 ||
      e[0].type != Reply::Type::kInteger) {
    return Status::Corruption("the heartbeat script's reply is not {now, name, value, ...}");
  }
  std::vector<FleetMember> out;
  for (size_t i = 1; i + 1 < e.size(); i += 2) {
    if (e[i].type != Reply::Type::kString || e[i + 1].type != Reply::Type::kString) {
      return Status::Corruption("the heartbeat script's entry " + std::to_string(i / 2) +
                                " is not two strings");
    }
    FleetMember m;
    m.name = e[i].str;
    std::string_view v = e[i + 1].str;
    size_t tab1 = v.find('\t');
    size_t tab2 = tab1 == std::string_view::npos ? tab1 : v.find('\t', tab1 + 1);
    if (tab2 == std::string_view::npos || !ParseInt(v.substr(0, tab1), &m.last_heartbeat_ms) ||
        !ParseInt(v.substr(tab1 + 1, tab2 - tab1 - 1), &m.lookups_in_flight)) {
      return Status::Corruption("the heartbeat of '" + m.name + "' is not time, lookups, sources");
    }
    std::string_view sources = v.substr(tab2 + 1);
    while (!sources.empty()) {
      size_t comma = sources.find(',');
      m.sources.emplace_back(sources.substr(0, comma));
      sources = comma == std::string_view::npos ? std::string_view() : sources.substr(comma + 1);
    }
    out.push_back(std::move(m));
  }
  std::sort(out.begin(), out.end(),
            [](const FleetMember& a, const FleetMember& b) { return a.name < b.name; });
  *redis_now_ms = e[0].integer;
  *members = std::move(out);
  return Status::OK();
}

}  // namespace storage::fleet
