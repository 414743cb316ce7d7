// A GET load generator for the hit path on a large record set: N connections, each with P
// requests in flight, keys drawn uniformly or from a Zipf distribution over the records that
// bench-load writes (d<12 digits>.com). Latency is measured per request, from the write of its
// pipeline to its reply, into a log-linear histogram.
//
//   bench-gets [-h HOST] [-p PORT] [-c CONNECTIONS=50] [-P PIPELINE=1] [-n REQUESTS=100000]
//              [-r RECORDS=1000000] [--zipf S] [--seed N] [--warmup REQUESTS]
//
// Without --zipf keys are uniform over [0, RECORDS) (what redis-benchmark -r RECORDS does);
// with --zipf S rank k is drawn with probability proportional to 1/k^S and scattered over the
// key space by a fixed bijection, so the popular keys are not the first ones loaded.
// Prints one line of key=value figures; exits 1 if a connection fails or a reply is an error.
#include <getopt.h>
#include <hiredis/hiredis.h>
#include <poll.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <deque>
#include <random>
#include <string>
#include <vector>

#include "bench/latency_histogram.h"
#include "bench/zipf.h"

namespace {

using Clock = std::chrono::steady_clock;

struct Options {
  std::string host = "127.0.0.1";
  int port = 6379;
  int connections = 50;
  int pipeline = 1;
  long requests = 100000;
  long records = 1000000;
  double zipf = 0;  // 0: uniform
  unsigned seed = 1;
  long warmup = 0;
};

struct Connection {
  redisContext* ctx = nullptr;
  std::deque<Clock::time_point> sent_at;  // one per request in flight, oldest first
};

struct Figures {
  long received = 0, errors = 0, nils = 0;
  bench::LatencyHistogram latency;
};

class KeyChooser {
 public:
  explicit KeyChooser(const Options& o)
      : records_(o.records), rng_(o.seed), zipf_(o.records, o.zipf > 0 ? o.zipf : 1.0),
        scatter_(o.records), use_zipf_(o.zipf > 0) {}
  std::string Next() {
    uint64_t i = use_zipf_ ? scatter_(zipf_(rng_) - 1)
                           : std::uniform_int_distribution<uint64_t>(0, records_ - 1)(rng_);
    char buf[32];
    int n = std::snprintf(buf, sizeof buf, "d%012llu.com", static_cast<unsigned long long>(i));
    return std::string(buf, n);
  }

 private:
  uint64_t records_;
  std::mt19937_64 rng_;
  bench::ZipfSampler zipf_;
  bench::RankScatter scatter_;
  bool use_zipf_;
};

bool Flush(redisContext* c) {
  int done = 0;
  while (!done) {
    if (redisBufferWrite(c, &done) != REDIS_OK) return false;
  }
  return true;
}

// Sends `count` GETs over the connections, keeping `pipeline` in flight on each. False on a
// connection or protocol failure.
bool Run(const Options& o, std::vector<Connection>& conns, KeyChooser& keys, long count,
         Figures* fig) {
  long sent = 0;
  std::vector<pollfd> fds(conns.size());
  const auto deadline = Clock::now() + std::chrono::seconds(600);
  while (fig->received < count) {
    for (size_t i = 0; i < conns.size(); ++i) {
      Connection& c = conns[i];
      // Refill a connection's pipeline only once it has drained, as redis-benchmark does: a
      // pipeline of P is written as one batch.
      if (c.sent_at.empty() && sent < count) {
        long batch = std::min<long>(o.pipeline, count - sent);
        for (long k = 0; k < batch; ++k) {
          std::string key = keys.Next();
          redisAppendCommand(c.ctx, "GET %b", key.data(), key.size());
        }
        if (!Flush(c.ctx)) {
          std::fprintf(stderr, "write error: %s\n", c.ctx->errstr);
          return false;
        }
        auto now = Clock::now();
        for (long k = 0; k < batch; ++k) c.sent_at.push_back(now);
        sent += batch;
      }
      fds[i] = {c.ctx->fd, static_cast<short>(c.sent_at.empty() ? 0 : POLLIN), 0};
    }
    if (poll(fds.data(), fds.size(), 1000) < 0) {
      std::perror("poll");
      return false;
    }
    if (Clock::now() > deadline) {
      std::fprintf(stderr, "gave up: %ld of %ld replies after 600 s\n", fig->received, count);
      return false;
    }
    for (size_t i = 0; i < conns.size(); ++i) {
      if (!(fds[i].revents & (POLLIN | POLLHUP | POLLERR))) continue;
      Connection& c = conns[i];
      if (redisBufferRead(c.ctx) != REDIS_OK) {
        std::fprintf(stderr, "read error: %s\n", c.ctx->errstr);
        return false;
      }
      auto now = Clock::now();
      while (!c.sent_at.empty()) {
        void* reply = nullptr;
        if (redisReaderGetReply(c.ctx->reader, &reply) != REDIS_OK) {
          std::fprintf(stderr, "protocol error in a reply\n");
          return false;
        }
        if (reply == nullptr) break;
        auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(now - c.sent_at.front());
        fig->latency.Record(static_cast<uint64_t>(ns.count()));
        c.sent_at.pop_front();
        ++fig->received;
        auto* r = static_cast<redisReply*>(reply);
        if (r->type == REDIS_REPLY_ERROR && ++fig->errors <= 3) {
          std::fprintf(stderr, "error reply: %s\n", r->str);
        }
        if (r->type == REDIS_REPLY_NIL) ++fig->nils;
        freeReplyObject(reply);
      }
    }
  }
  return true;
}

Options Parse(int argc, char** argv) {
  Options o;
  static const option kLong[] = {{"zipf", required_argument, nullptr, 'z'},
                                 {"seed", required_argument, nullptr, 's'},
                                 {"warmup", required_argument, nullptr, 'w'},
                                 {nullptr, 0, nullptr, 0}};
  int c;
  while ((c = getopt_long(argc, argv, "h:p:c:P:n:r:", kLong, nullptr)) != -1) {
    switch (c) {
      case 'h': o.host = optarg; break;
      case 'p': o.port = std::atoi(optarg); break;
      case 'c': o.connections = std::atoi(optarg); break;
      case 'P': o.pipeline = std::atoi(optarg); break;
      case 'n': o.requests = std::atol(optarg); break;
      case 'r': o.records = std::atol(optarg); break;
      case 'z': o.zipf = std::atof(optarg); break;
      case 's': o.seed = static_cast<unsigned>(std::atol(optarg)); break;
      case 'w': o.warmup = std::atol(optarg); break;
      default:
        std::fprintf(stderr,
                     "usage: %s [-h HOST] [-p PORT] [-c CONNECTIONS] [-P PIPELINE] [-n REQUESTS] "
                     "[-r RECORDS] [--zipf S] [--seed N] [--warmup REQUESTS]\n",
                     argv[0]);
        std::exit(2);
    }
  }
  if (o.connections <= 0 || o.pipeline <= 0 || o.requests <= 0 || o.records <= 0 ||
      o.records >= (1L << 32) || o.zipf < 0) {
    std::fprintf(stderr,
                 "CONNECTIONS, PIPELINE, REQUESTS and RECORDS must be positive (RECORDS < 2^32)\n");
    std::exit(2);
  }
  return o;
}

}  // namespace

int main(int argc, char** argv) {
  Options o = Parse(argc, argv);
  std::vector<Connection> conns(o.connections);
  for (auto& c : conns) {
    c.ctx = redisConnect(o.host.c_str(), o.port);
    if (c.ctx == nullptr || c.ctx->err) {
      std::fprintf(stderr, "cannot connect: %s\n", c.ctx ? c.ctx->errstr : "out of memory");
      return 1;
    }
  }
  KeyChooser keys(o);
  if (o.warmup > 0) {
    Figures warm;
    if (!Run(o, conns, keys, o.warmup, &warm)) return 1;
  }
  Figures fig;
  const auto start = Clock::now();
  if (!Run(o, conns, keys, o.requests, &fig)) return 1;
  const double seconds = std::chrono::duration<double>(Clock::now() - start).count();
  for (auto& c : conns) redisFree(c.ctx);
  auto ms = [](uint64_t ns) { return static_cast<double>(ns) / 1e6; };
  std::printf(
      "requests=%ld seconds=%.3f rps=%.0f p50_ms=%.3f p99_ms=%.3f p999_ms=%.3f max_ms=%.3f "
      "errors=%ld nil=%ld\n",
      fig.received, seconds, static_cast<double>(fig.received) / seconds,
      ms(fig.latency.Percentile(0.50)), ms(fig.latency.Percentile(0.99)),
      ms(fig.latency.Percentile(0.999)), ms(fig.latency.max()), fig.errors, fig.nils);
  return fig.errors ? 1 : 0;
}
