// Drives the proxy's miss path: GETs for COUNT distinct domains that are in no cache, spread
// over CONNECTIONS connections with WINDOW requests in flight on each, so every GET is one
// complete live lookup (redis-benchmark -r repeats keys, which would turn some into hits or
// shared lookups). Domains are PREFIX<i>SUFFIX for i in [FIRST, FIRST+COUNT).
//
//   bench-miss HOST PORT COUNT [CONNECTIONS=50] [WINDOW=1] [FIRST=0] [PREFIX=m] [SUFFIX=.test]
//
// Prints one line of key=value figures on stdout; replies that are not "status":"registered"
// are counted (and the first few shown on stderr). Exits 1 if a connection fails or a reply is
// missing, 0 otherwise (the caller judges the counts).
#include <hiredis/hiredis.h>
#include <poll.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <deque>
#include <string>
#include <string_view>
#include <vector>

namespace {

using Clock = std::chrono::steady_clock;

struct Client {
  redisContext* c = nullptr;
  std::deque<Clock::time_point> sent_at;  // one per request in flight, oldest first
};

bool Flush(redisContext* c) {
  int done = 0;
  while (!done) {
    if (redisBufferWrite(c, &done) != REDIS_OK) return false;
  }
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 4) {
    std::fprintf(stderr,
                 "usage: %s HOST PORT COUNT [CONNECTIONS=50] [WINDOW=1] [FIRST=0] [PREFIX=m] "
                 "[SUFFIX=.test]\n",
                 argv[0]);
    return 2;
  }
  const char* host = argv[1];
  int port = std::atoi(argv[2]);
  long count = std::atol(argv[3]);
  int connections = argc > 4 ? std::atoi(argv[4]) : 50;
  long window = argc > 5 ? std::atol(argv[5]) : 1;
  long first = argc > 6 ? std::atol(argv[6]) : 0;
  std::string prefix = argc > 7 ? argv[7] : "m";
  std::string suffix = argc > 8 ? argv[8] : ".test";
  if (count <= 0 || connections <= 0 || window <= 0) {
    std::fprintf(stderr, "COUNT, CONNECTIONS and WINDOW must be positive\n");
    return 2;
  }

  std::vector<Client> clients(connections);
  for (auto& cl : clients) {
    cl.c = redisConnect(host, port);
    if (cl.c == nullptr || cl.c->err) {
      std::fprintf(stderr, "cannot connect: %s\n", cl.c ? cl.c->errstr : "out of memory");
      return 1;
    }
  }

  long next = 0, received = 0, registered = 0, other = 0, errors = 0;
  std::vector<double> latency_us;
  latency_us.reserve(count);
  std::vector<pollfd> fds(connections);
  const auto start = Clock::now();
  // A lookup the proxy never answers would hang the run: give up after a generous deadline.
  const auto deadline = start + std::chrono::seconds(600);

  while (received < count) {
    for (int i = 0; i < connections; ++i) {
      Client& cl = clients[i];
      bool queued = false;
      while (next < count && static_cast<long>(cl.sent_at.size()) < window) {
        std::string d = prefix + std::to_string(first + next) + suffix;
        redisAppendCommand(cl.c, "GET %b", d.data(), d.size());
        cl.sent_at.push_back(Clock::now());
        ++next;
        queued = true;
      }
      if (queued && !Flush(cl.c)) {
        std::fprintf(stderr, "write error: %s\n", cl.c->errstr);
        return 1;
      }
      fds[i] = {cl.c->fd, static_cast<short>(cl.sent_at.empty() ? 0 : POLLIN), 0};
    }
    int ready = poll(fds.data(), fds.size(), 1000);
    if (ready < 0) {
      std::perror("poll");
      return 1;
    }
    if (Clock::now() > deadline) {
      std::fprintf(stderr, "gave up: %ld of %ld replies after 600 s\n", received, count);
      return 1;
    }
    for (int i = 0; i < connections; ++i) {
      if (!(fds[i].revents & (POLLIN | POLLHUP | POLLERR))) continue;
      Client& cl = clients[i];
      if (redisBufferRead(cl.c) != REDIS_OK) {
        std::fprintf(stderr, "read error: %s\n", cl.c->errstr);
        return 1;
      }
      void* reply = nullptr;
      while (!cl.sent_at.empty()) {
        if (redisReaderGetReply(cl.c->reader, &reply) != REDIS_OK) {
          std::fprintf(stderr, "protocol error in reply\n");
          return 1;
        }
        if (reply == nullptr) break;
        auto now = Clock::now();
        latency_us.push_back(
            std::chrono::duration<double, std::micro>(now - cl.sent_at.front()).count());
        cl.sent_at.pop_front();
        ++received;
        auto* r = static_cast<redisReply*>(reply);
        if (r->type == REDIS_REPLY_STRING &&
            std::string_view(r->str, r->len).find(R"("status":"registered")") !=
                std::string_view::npos) {
          ++registered;
        } else {
          if (r->type == REDIS_REPLY_ERROR) ++errors;
          if (++other <= 3)
            std::fprintf(stderr, "not registered: %.*s\n",
                         static_cast<int>(std::min<size_t>(r->len, 300)), r->str ? r->str : "");
        }
        freeReplyObject(reply);
      }
    }
  }
  const double seconds = std::chrono::duration<double>(Clock::now() - start).count();
  for (auto& cl : clients) redisFree(cl.c);

  std::sort(latency_us.begin(), latency_us.end());
  auto pct = [&](double p) {
    size_t k = static_cast<size_t>(p * static_cast<double>(latency_us.size() - 1));
    return latency_us[k] / 1000.0;
  };
  std::printf(
      "lookups=%ld seconds=%.3f lookups_per_s=%.0f registered=%ld not_registered=%ld errors=%ld "
      "p50_ms=%.2f p99_ms=%.2f max_ms=%.2f\n",
      received, seconds, static_cast<double>(received) / seconds, registered, other, errors,
      pct(0.50), pct(0.99), latency_us.back() / 1000.0);
  return 0;
}
