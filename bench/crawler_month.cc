// The client side of bench/crawler_month.sh: a crawler's demand on a database of known domains.
//
//   bench-crawler load   HOST PORT COUNT PX       SETs k<i>.test for i < COUNT (PX 0: no expiry)
//   bench-crawler run    HOST PORT COUNT CLIENTS SECONDS [ZIPF_S=1.0] [SEED=1]
//   bench-crawler verify HOST PORT COUNT          every k<i>.test still holds a registered record?
//
// `run` keeps CLIENTS connections busy for SECONDS, each with one GET in flight (a closed loop:
// a crawler waits for the owner before it moves on), keys drawn from a Zipf distribution over the
// COUNT domains (rank 1 the most asked for), and prints one line of key=value figures: requests,
// rps, p50/p99/p999 latency in microseconds, and the replies by kind: the known record served
// stale ("stale":true), the record fresh (the stale one refreshed, or never stale), a fallback,
// anything else. `verify` prints registered/missing/other counts over WHOIS.CACHED (no lookups).
#include <hiredis/hiredis.h>
#include <poll.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "bench/pipelined_sets.h"

namespace {

using Clock = std::chrono::steady_clock;

std::string Domain(long i) { return "k" + std::to_string(i) + ".test"; }

// The record each domain is loaded with: what a thick registry reply gives, ~0.9 KB.
std::string Record(const std::string& domain, long i) {
  return R"({"domain":")" + domain +
         R"(","status":"registered","created":"2009-03-10T10:22:31Z","expires":"2027-03-10T10:22:31Z",)"
         R"("registrar":{"name":"Example Registrar, Inc.","iana_id":"376"},)"
         R"("registrant":{"organization":"Known Owner )" +
         std::to_string(i % 9973) +
         R"( GmbH","city":"Berlin","country":"DE"},)"
         R"("nameservers":["ns1.hosting.example","ns2.hosting.example"],)"
         R"("domain_status":["clientTransferProhibited"],"country":"DE","country_source":"registrant",)"
         R"("source":{"protocol":"whois","servers":["whois.nic.test"],"fetched_at":"2026-10-01T00:00:00Z"}})";
}

redisContext* Connect(const char* host, int port) {
  redisContext* c = redisConnect(host, port);
  if (c == nullptr || c->err) {
    std::fprintf(stderr, "cannot connect: %s\n", c ? c->errstr : "out of memory");
    std::exit(1);
  }
  return c;
}

int Load(const char* host, int port, long count, long px) {
  redisContext* c = Connect(host, port);
  long errors =
      bench::PipelinedSets(c, count, 1000, px, [](long i, std::string* d, std::string* json) {
        *d = Domain(i);
        *json = Record(*d, i);
      });
  redisFree(c);
  if (errors < 0) return 1;
  std::printf("loaded=%ld errors=%ld\n", count, errors);
  return errors == 0 ? 0 : 1;
}

// Zipf over ranks 1..n: P(k) proportional to 1/k^s, drawn by inverting the cumulative sum.
class Zipf {
 public:
  Zipf(long n, double s) : cdf_(n) {
    double sum = 0;
    for (long k = 0; k < n; ++k) cdf_[k] = sum += 1.0 / std::pow(static_cast<double>(k + 1), s);
    for (double& v : cdf_) v /= sum;
  }
  long Draw(std::mt19937_64& rng) {
    double u = std::uniform_real_distribution<double>(0, 1)(rng);
    return static_cast<long>(std::lower_bound(cdf_.begin(), cdf_.end(), u) - cdf_.begin());
  }

 private:
  std::vector<double> cdf_;
};

bool Flush(redisContext* c) {
  int done = 0;
  while (!done)
    if (redisBufferWrite(c, &done) != REDIS_OK) return false;
  return true;
}

int Run(const char* host, int port, long count, int clients, double seconds, double zipf_s,
        unsigned seed) {
  Zipf zipf(count, zipf_s);
  std::mt19937_64 rng(seed);
  struct Conn {
    redisContext* c;
    Clock::time_point sent;
  };
  std::vector<Conn> conns(clients);
  std::vector<pollfd> fds(clients);
  auto send = [&](size_t i) {
    std::string d = Domain(zipf.Draw(rng));
    redisAppendCommand(conns[i].c, "GET %b", d.data(), d.size());
    conns[i].sent = Clock::now();
    return Flush(conns[i].c);
  };
  for (int i = 0; i < clients; ++i) {
    conns[i].c = Connect(host, port);
    fds[i] = {conns[i].c->fd, POLLIN, 0};
  }
  const auto start = Clock::now();
  const auto end = start + std::chrono::duration<double>(seconds);
  for (int i = 0; i < clients; ++i)
    if (!send(i)) return 1;
  std::vector<float> latency_us;
  latency_us.reserve(4 << 20);
  long stale = 0, fresh = 0, fallback = 0, other = 0;
  int open = clients;
  while (open > 0) {
    if (poll(fds.data(), fds.size(), 10000) <= 0) {
      std::fprintf(stderr, "run: no reply for 10 s\n");
      return 1;
    }
    for (int i = 0; i < clients; ++i) {
      if (!(fds[i].revents & POLLIN)) continue;
      if (redisBufferRead(conns[i].c) != REDIS_OK) {
        std::fprintf(stderr, "run: %s\n", conns[i].c->errstr);
        return 1;
      }
      void* r = nullptr;
      if (redisGetReplyFromReader(conns[i].c, &r) != REDIS_OK) return 1;
      if (r == nullptr) continue;  // partial
      auto now = Clock::now();
      latency_us.push_back(
          std::chrono::duration<float, std::micro>(now - conns[i].sent).count());
      auto* reply = static_cast<redisReply*>(r);
      std::string_view json(reply->str ? reply->str : "", reply->str ? reply->len : 0);
      if (json.find("\"status\":\"registered\"") != std::string_view::npos)
        (json.ends_with(",\"stale\":true}") ? stale : fresh)++;
      else if (json.find("\"status\":\"fallback\"") != std::string_view::npos)
        ++fallback;
      else
        ++other;
      freeReplyObject(reply);
      if (now < end) {
        if (!send(i)) return 1;
      } else {
        fds[i].events = 0;
        --open;
      }
    }
  }
  double elapsed = std::chrono::duration<double>(Clock::now() - start).count();
  std::sort(latency_us.begin(), latency_us.end());
  auto pct = [&](double p) {
    return latency_us.empty() ? 0.0
                              : latency_us[std::min(latency_us.size() - 1,
                                                    static_cast<size_t>(p * latency_us.size()))];
  };
  std::printf(
      "requests=%zu rps=%.0f p50_us=%.0f p99_us=%.0f p999_us=%.0f stale=%ld fresh=%ld "
      "fallback=%ld other=%ld seconds=%.1f\n",
      latency_us.size(), latency_us.size() / elapsed, pct(0.5), pct(0.99), pct(0.999), stale,
      fresh, fallback, other, elapsed);
  for (auto& cn : conns) redisFree(cn.c);
  return 0;
}

int Verify(const char* host, int port, long count) {
  redisContext* c = Connect(host, port);
  long registered = 0, missing = 0, other = 0;
  for (long i = 0; i < count; i += 500) {
    std::vector<std::string> argv = {"WHOIS.CACHED"};
    for (long j = i; j < std::min(count, i + 500); ++j) argv.push_back(Domain(j));
    std::vector<const char*> p;
    std::vector<size_t> l;
    for (auto& a : argv) {
      p.push_back(a.data());
      l.push_back(a.size());
    }
    auto* r = static_cast<redisReply*>(
        redisCommandArgv(c, static_cast<int>(argv.size()), p.data(), l.data()));
    if (r == nullptr || r->type != REDIS_REPLY_ARRAY) {
      std::fprintf(stderr, "verify: WHOIS.CACHED failed\n");
      return 1;
    }
    for (size_t k = 0; k < r->elements; ++k) {
      const redisReply* e = r->element[k];
      if (e->type != REDIS_REPLY_STRING)
        ++missing;
      else if (std::string_view(e->str, e->len).find("\"status\":\"registered\"") !=
               std::string_view::npos)
        ++registered;
      else
        ++other;
    }
    freeReplyObject(r);
  }
  redisFree(c);
  std::printf("registered=%ld missing=%ld other=%ld\n", registered, missing, other);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 5) {
    std::fprintf(stderr,
                 "usage: %s load HOST PORT COUNT PX | run HOST PORT COUNT CLIENTS SECONDS "
                 "[ZIPF_S] [SEED] | verify HOST PORT COUNT\n",
                 argv[0]);
    return 2;
  }
  std::string mode = argv[1];
  const char* host = argv[2];
  int port = std::atoi(argv[3]);
  long count = std::atol(argv[4]);
  if (mode == "load" && argc >= 6) return Load(host, port, count, std::atol(argv[5]));
  if (mode == "verify") return Verify(host, port, count);
  if (mode == "run" && argc >= 7)
    return Run(host, port, count, std::atoi(argv[5]), std::atof(argv[6]),
               argc > 7 ? std::atof(argv[7]) : 1.0,
               argc > 8 ? static_cast<unsigned>(std::atol(argv[8])) : 1u);
  std::fprintf(stderr, "bad arguments\n");
  return 2;
}
