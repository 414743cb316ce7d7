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

int64_t ResidentBytes(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("VmRSS:", 0) == 0) return std::stoll(line.substr(6)) * 1024;
  }
  return -1;
}

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

}  // namespace hardening
