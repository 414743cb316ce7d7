#include "proxy_probe.h"

#include <sys/resource.h>

#include <fstream>
#include <sstream>
#include <thread>

namespace hardening {

std::optional<std::string> InfoField(redisContext* c, const std::string& section,
                                     const std::string& field) {
  auto* r = static_cast<redisReply*>(redisCommand(c, "INFO %s", section.c_str()));
  if (r == nullptr) return std::nullopt;
  std::optional<std::string> value;
  if (r->type == REDIS_REPLY_STRING) {
    std::istringstream in(std::string(r->str, r->len));
    std::string line;
    while (std::getline(in, line)) {
      if (!line.empty() && line.back() == '\r') line.pop_back();
      if (line.size() > field.size() && line.compare(0, field.size(), field) == 0 &&
          line[field.size()] == ':') {
        value = line.substr(field.size() + 1);
        break;
      }
    }
  }
  freeReplyObject(r);
  return value;
}

std::optional<int64_t> InfoInt(redisContext* c, const std::string& section,
                               const std::string& field) {
  auto v = InfoField(c, section, field);
  if (!v) return std::nullopt;
  try {
    return std::stoll(*v);
  } catch (...) {
    return std::nullopt;
  }
}

pid_t ServerPid(redisContext* c) {
  auto v = InfoInt(c, "server", "process_id");
  return v ? static_cast<pid_t>(*v) : -1;
}

namespace {

// A "Name:   1234 kB" line of /proc/PID/status, in bytes, or -1.
int64_t StatusBytes(pid_t pid, const std::string& name) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind(name, 0) == 0) return std::stoll(line.substr(name.size())) * 1024;
  }
  return -1;
}

}  // namespace

int64_t ResidentBytes(pid_t pid) { return StatusBytes(pid, "VmRSS:"); }
int64_t PeakResidentBytes(pid_t pid) { return StatusBytes(pid, "VmHWM:"); }

int64_t OpenFilesSoftLimit(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/limits");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("Max open files", 0) == 0) {
      std::istringstream fields(line.substr(14));
      std::string soft;
      fields >> soft;
      return soft == "unlimited" ? INT64_MAX : std::stoll(soft);
    }
  }
  return -1;
}

int64_t RaiseOpenFilesLimit(int64_t want) {
  rlimit rl{};
  getrlimit(RLIMIT_NOFILE, &rl);
  if (static_cast<int64_t>(rl.rlim_cur) >= want) return static_cast<int64_t>(rl.rlim_cur);
  rlimit next = rl;
  next.rlim_cur = static_cast<rlim_t>(want);
  if (next.rlim_max < next.rlim_cur) next.rlim_max = next.rlim_cur;
  if (setrlimit(RLIMIT_NOFILE, &next) != 0) {
    next = rl;
    next.rlim_cur = rl.rlim_max;  // as far as the hard limit allows
    setrlimit(RLIMIT_NOFILE, &next);
  }
  getrlimit(RLIMIT_NOFILE, &rl);
  return static_cast<int64_t>(rl.rlim_cur);
}

std::string RecordJson(const std::string& domain, int nameservers) {
  std::string ns;
  for (int i = 0; i < nameservers; ++i)
    ns += std::string(i ? "," : "") + "\"ns" + std::to_string(i) + ".example.net\"";
  return R"({"domain":")" + domain +
         R"(","status":"registered","created":"2001-02-03T04:05:06Z",)"
         R"("registrar":{"name":"Hardening Registrar"},"nameservers":[)" +
         ns + "]}";
}

std::vector<test_support::Reply> Pipeline(redisContext* c,
                                          const std::vector<std::vector<std::string>>& commands) {
  for (const auto& argv : commands) {
    std::vector<const char*> ptrs;
    std::vector<size_t> lens;
    for (const auto& a : argv) {
      ptrs.push_back(a.data());
      lens.push_back(a.size());
    }
    redisAppendCommandArgv(c, static_cast<int>(argv.size()), ptrs.data(), lens.data());
  }
  std::vector<test_support::Reply> replies;
  for (size_t i = 0; i < commands.size(); ++i) {
    void* r = nullptr;
    if (redisGetReply(c, &r) != REDIS_OK) r = nullptr;
    replies.emplace_back(static_cast<redisReply*>(r));
  }
  return replies;
}

std::optional<std::vector<std::string>> ScanAll(redisContext* c) {
  std::vector<std::string> keys;
  std::string cursor = "0";
  do {
    auto r = test_support::Command(c, {"SCAN", cursor, "COUNT", "1000"});
    if (!r || r->type != REDIS_REPLY_ARRAY || r->elements != 2) return std::nullopt;
    cursor.assign(r->element[0]->str, r->element[0]->len);
    for (size_t i = 0; i < r->element[1]->elements; ++i)
      keys.emplace_back(r->element[1]->element[i]->str, r->element[1]->element[i]->len);
  } while (cursor != "0");
  return keys;
}

size_t Occurrences(const std::string& text, const std::string& what) {
  size_t n = 0;
  for (size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

std::string ReplyText(const redisReply* r) {
  if (r == nullptr) return "<no reply>";
  if (r->str == nullptr) return "<type " + std::to_string(r->type) + ">";
  return std::string(r->str, r->len);
}

}  // namespace hardening
