#include "redis_server.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <random>

#include "child_process.h"
#include "wait_until.h"

namespace test_support {
namespace {

bool PortFree(int port) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return false;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  bool ok = bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0;
  close(fd);
  return ok;
}

// A port that is free, and whose cluster bus port (port + 10000) is free too when asked.
int PickPort(bool with_bus) {
  static std::mt19937 rng{std::random_device{}()};
  std::uniform_int_distribution<int> dist(20000, 50000);
  for (int i = 0; i < 1000; ++i) {
    int port = dist(rng);
    if (PortFree(port) && (!with_bus || PortFree(port + 10000))) return port;
  }
  return 0;
}

std::string FindProgram(const std::string& name) {
  const char* path = std::getenv("PATH");
  std::string dirs = path ? path : "/usr/bin:/bin";
  size_t start = 0;
  while (start <= dirs.size()) {
    size_t end = dirs.find(':', start);
    if (end == std::string::npos) end = dirs.size();
    std::string candidate = dirs.substr(start, end - start) + "/" + name;
    if (access(candidate.c_str(), X_OK) == 0) return candidate;
    start = end + 1;
  }
  return "/usr/bin/" + name;
}

// In memory when the machine has /dev/shm: a Cluster node fsyncs nodes.conf on the loop at
// every change of the cluster's state, and on a busy disk one fsync can stall it for seconds.
std::string MakeTempDir() {
  std::error_code ec;
  std::filesystem::path base = std::filesystem::is_directory("/dev/shm", ec)
                                   ? std::filesystem::path("/dev/shm")
                                   : std::filesystem::temp_directory_path();
  std::string pattern = (base / "wp-redis-XXXXXX").string();
  if (mkdtemp(pattern.data()) == nullptr) return {};
  return pattern;
}

}  // namespace

RedisReply RedisCall(redisContext* c, const std::vector<std::string>& argv) {
  if (c == nullptr) return nullptr;
  std::vector<const char*> args;
  std::vector<size_t> lens;
  for (const std::string& a : argv) {
    args.push_back(a.data());
    lens.push_back(a.size());
  }
  return RedisReply(static_cast<redisReply*>(
      redisCommandArgv(c, static_cast<int>(args.size()), args.data(), lens.data())));
}

std::string ReplyText(const redisReply* r) {
  if (r == nullptr) return {};
  switch (r->type) {
    case REDIS_REPLY_STRING:
    case REDIS_REPLY_STATUS:
    case REDIS_REPLY_ERROR:
      return std::string(r->str, r->len);
    case REDIS_REPLY_INTEGER:
      return std::to_string(r->integer);
    default:
      return {};
  }
}

RedisServer::RedisServer() : RedisServer(Options{}) {}
RedisServer::RedisServer(Options options) : options_(std::move(options)) {}

RedisServer::~RedisServer() {
  Stop();
  if (!dir_.empty()) {
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }
}

std::string RedisServer::address() const { return "127.0.0.1:" + std::to_string(port_); }

bool RedisServer::Start(std::string* error) {
  if (dir_.empty()) dir_ = MakeTempDir();
  if (dir_.empty()) {
    *error = "cannot create a temporary directory";
    return false;
  }
  // A port taken between the check and the bind makes the server exit: try another.
  // A restart keeps the port (clients reconnect to the same address).
  const bool restart = port_ != 0;
  for (int attempt = 0; attempt < 5; ++attempt) {
    if (!restart || attempt > 0) port_ = PickPort(options_.cluster);
    if (port_ == 0) {
      *error = "no free loopback port";
      return false;
    }
    std::vector<std::string> argv = {FindProgram("redis-server"),
                                     "--port",
                                     std::to_string(port_),
                                     "--bind",
                                     "127.0.0.1",
                                     "--dir",
                                     dir_,
                                     "--save",
                                     "",
                                     "--appendonly",
                                     "no",
                                     "--protected-mode",
                                     "no",
                                     "--daemonize",
                                     "no"};
    if (options_.cluster) {
      argv.insert(argv.end(), {"--cluster-enabled", "yes", "--cluster-config-file",
                               dir_ + "/nodes.conf", "--cluster-node-timeout", "5000"});
    }
    if (!options_.password.empty()) argv.insert(argv.end(), {"--requirepass", options_.password});
    pid_ = StartAndWaitForLine(
        argv, dir_ + "/stderr.log",
        [](std::string_view line) {
          return line.find("Ready to accept connections") != std::string_view::npos;
        },
        kPatience, error);
    if (pid_ > 0) return true;
  }
  return false;
}

void RedisServer::Stop() {
  if (pid_ <= 0) return;
  StopChild(pid_);
  pid_ = -1;
}

void RedisServer::Kill() {
  KillChild(pid_);
  pid_ = -1;
}

RedisConnection RedisServer::Connect() const {
  timeval tv{static_cast<time_t>(kPatience.count() / 1000), 0};
  RedisConnection c(redisConnectWithTimeout("127.0.0.1", port_, tv));
  if (!c || c->err) return nullptr;
  redisSetTimeout(c.get(), tv);
  if (!options_.password.empty()) {
    RedisReply r = RedisCall(c.get(), {"AUTH", options_.password});
    if (!r || r->type == REDIS_REPLY_ERROR) return nullptr;
  }
  return c;
}

RedisCluster::RedisCluster(int masters) {
  for (int i = 0; i < masters; ++i)
    nodes_.push_back(std::make_unique<RedisServer>(RedisServer::Options{.cluster = true}));
}

RedisCluster::~RedisCluster() { Stop(); }

std::vector<std::string> RedisCluster::addresses() const {
  std::vector<std::string> out;
  for (const auto& n : nodes_) out.push_back(n->address());
  return out;
}

bool RedisCluster::Start(std::string* error) {
  for (auto& n : nodes_)
    if (!n->Start(error)) return false;
  std::string cmd = FindProgram("redis-cli") + " --cluster create";
  for (const std::string& a : addresses()) cmd += " " + a;
  cmd += " --cluster-replicas 0 --cluster-yes > /dev/null 2>&1";
  int rc = std::system(cmd.c_str());
  if (rc != 0) {
    *error = "redis-cli --cluster create failed (" + std::to_string(rc) + ")";
    return false;
  }
  bool ok = WaitUntil(
      [&] {
        for (auto& n : nodes_) {
          RedisConnection c = n->Connect();
          RedisReply info = RedisCall(c.get(), {"CLUSTER", "INFO"});
          std::string text = ReplyText(info.get());
          if (text.find("cluster_state:ok") == std::string::npos ||
              text.find("cluster_slots_ok:16384") == std::string::npos ||
              text.find("cluster_known_nodes:" + std::to_string(nodes_.size())) ==
                  std::string::npos)
            return false;
        }
        return true;
      },
      kPatience, std::chrono::milliseconds(50));
  if (!ok) *error = "the Redis Cluster did not reach cluster_state:ok";
  return ok;
}

void RedisCluster::Stop() {
  for (auto& n : nodes_) n->Stop();
}

bool RedisCluster::Reshard(size_t from, size_t to, int slots, std::string* error) {
  std::string ids[2];
  size_t which[2] = {from, to};
  for (int i = 0; i < 2; ++i) {
    RedisConnection c = nodes_[which[i]]->Connect();
    ids[i] = c ? ReplyText(RedisCall(c.get(), {"CLUSTER", "MYID"}).get()) : "";
    if (ids[i].size() != 40) {
      *error = "no node id from " + nodes_[which[i]]->address();
      return false;
    }
  }
  std::string cmd = FindProgram("redis-cli") + " --cluster reshard " + nodes_[from]->address() +
                    " --cluster-from " + ids[0] + " --cluster-to " + ids[1] + " --cluster-slots " +
                    std::to_string(slots) + " --cluster-yes 2>&1";
  FILE* p = popen(cmd.c_str(), "r");
  if (!p) {
    *error = "cannot run " + cmd;
    return false;
  }
  std::string out;
  char buf[4096];
  for (size_t n; (n = fread(buf, 1, sizeof(buf), p)) > 0;) out.append(buf, n);
  int rc = pclose(p);
  if (rc != 0 || out.find("[ERR]") != std::string::npos) {
    *error = "redis-cli --cluster reshard failed (" + std::to_string(rc) + "): " + out;
    return false;
  }
  return true;
}

}  // namespace test_support
