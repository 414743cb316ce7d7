// whois-proxy-cli prefetch: names in, WHOIS.PREFETCH in batches, then WHOIS.QUEUE followed to
// the end. A full queue (prefetch-queue-max) is waited out when following, an error otherwise.
#include <algorithm>
#include <chrono>
#include <istream>
#include <map>
#include <optional>
#include <ostream>
#include <string>
#include <thread>
#include <vector>

#include "cli/commands.h"
#include "cli/name_lines.h"
#include "cli/progress.h"

namespace cli {
namespace {

using Clock = std::chrono::steady_clock;

int64_t MonotonicMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now().time_since_epoch())
      .count();
}

struct QueueState {
  uint64_t queued = 0, in_flight = 0, done = 0, failed = 0;
  std::optional<int64_t> drain_s;  // the slowest host's estimate
};

std::optional<QueueState> ReadQueue(RedisClient& redis) {
  Reply r = redis.Command({"WHOIS.QUEUE"});
  if (!r || r->type != REDIS_REPLY_ARRAY) return std::nullopt;
  QueueState q;
  for (size_t i = 0; i + 1 < r->elements; i += 2) {
    std::string key = ReplyText(r->element[i]);
    const redisReply* v = r->element[i + 1];
    if (key == "queued") q.queued = static_cast<uint64_t>(v->integer);
    if (key == "in_flight") q.in_flight = static_cast<uint64_t>(v->integer);
    if (key == "done") q.done = static_cast<uint64_t>(v->integer);
    if (key == "failed") q.failed = static_cast<uint64_t>(v->integer);
    if (key != "hosts" || v->type != REDIS_REPLY_ARRAY) continue;
    for (size_t h = 1; h < v->elements; h += 2) {
      const redisReply* m = v->element[h];
      for (size_t f = 0; f + 1 < m->elements; f += 2) {
        if (ReplyText(m->element[f]) != "drain_seconds" ||
            m->element[f + 1]->type != REDIS_REPLY_INTEGER)
          continue;
        q.drain_s = std::max<int64_t>(q.drain_s.value_or(0), m->element[f + 1]->integer);
      }
    }
  }
  return q;
}

bool IsQueueFull(const redisReply* r) {
  return r->type == REDIS_REPLY_ERROR &&
         ReplyText(r).find("prefetch-queue-max") != std::string::npos;
}

class Follower {
 public:
  Follower(RedisClient& redis, std::ostream& out, const PrefetchOptions& options,
           const QueueState& start)
      : redis_(redis), out_(out), options_(options), start_(start) {}

  // Reads the queue and shows it (a redrawn bar, or a line every few seconds). False if the
  // queue cannot be read.
  bool Show(bool final) {
    std::optional<QueueState> q = ReadQueue(redis_);
    if (!q) return false;
    last_ = *q;
    ProgressFigures f;
    f.done = q->done >= start_.done ? q->done - start_.done : 0;
    f.failed = q->failed >= start_.failed ? q->failed - start_.failed : 0;
    f.queued = q->queued + q->in_flight;
    int64_t now = MonotonicMs();
    rate_.Add(now, f.done + f.failed);
    f.rate = rate_.PerSecond();
    f.seconds_left = SecondsLeft(f.queued, f.rate, q->drain_s);
    if (options_.terminal) {
      out_ << "\r" << ProgressBar(f, options_.width) << (final ? "\n" : "") << std::flush;
    } else if (final || now - last_line_ms_ >= kPlainLineMs) {
      last_line_ms_ = now;
      out_ << ProgressLine(f) << "\n" << std::flush;
    }
    return true;
  }
  bool drained() const { return last_.queued == 0 && last_.in_flight == 0; }

 private:
  static constexpr int64_t kPlainLineMs = 5000;
  RedisClient& redis_;
  std::ostream& out_;
  const PrefetchOptions& options_;
  QueueState start_, last_;
  RateMeter rate_;
  int64_t last_line_ms_ = 0;
};

constexpr auto kPoll = std::chrono::milliseconds(500);

}  // namespace

int RunPrefetch(RedisClient& redis, std::istream& in, std::ostream& out, std::ostream& err,
                const PrefetchOptions& options) {
  auto opened = whois::DomainNormalizer::Open(WP_PSL_FILE);
  if (!opened.ok()) {
    err << "whois-proxy-cli: cannot load the Public Suffix List: " << opened.status().message()
        << "\n";
    return kExitFailed;
  }
  std::unique_ptr<whois::DomainNormalizer> names = std::move(opened).value();
  std::optional<QueueState> start = ReadQueue(redis);
  if (!start) {
    err << "whois-proxy-cli: WHOIS.QUEUE failed: " << redis.error() << "\n";
    return kExitFailed;
  }
  Follower follow(redis, out, options, *start);
  uint64_t lines = 0, bad = 0, names_sent = 0, queued = 0;
  std::vector<std::string> batch = {"WHOIS.PREFETCH"};
  // Sends the batch; waits out a full queue when following. False on an error already reported.
  auto flush = [&]() {
    if (batch.size() == 1) return true;
    for (bool told = false;;) {
      Reply r = redis.Command(batch);
      if (!r) {
        err << "whois-proxy-cli: connection lost: " << redis.error() << "\n";
        return false;
      }
      if (r->type == REDIS_REPLY_INTEGER) {
        queued += static_cast<uint64_t>(r->integer);
        names_sent += batch.size() - 1;
        batch.resize(1);
        return true;
      }
      if (!options.wait || !IsQueueFull(r.get())) {
        err << "whois-proxy-cli: WHOIS.PREFETCH: " << ReplyText(r.get()) << "\n";
        return false;
      }
      if (!told) err << "whois-proxy-cli: " << ReplyText(r.get()) << "; waiting for room\n";
      told = true;
      // Try again once the queue has moved on (the batch goes in whole or not at all).
      std::this_thread::sleep_for(kPoll);
      if (!follow.Show(false)) {
        err << "whois-proxy-cli: WHOIS.QUEUE failed: " << redis.error() << "\n";
        return false;
      }
    }
  };
  std::string text;
  while (std::getline(in, text)) {
    ++lines;
    NameLine line = ParseNameLine(text, *names);
    if (line.kind == NameLine::Kind::kBlank) continue;
    if (line.kind == NameLine::Kind::kBad) {
      ++bad;
      err << "line " << lines << ": " << line.reason << "\n";
      continue;
    }
    batch.push_back(std::move(line.name));
    if (batch.size() > options.batch && !flush()) return kExitFailed;
  }
  if (!flush()) return kExitFailed;
  err << "queued " << queued << " of " << names_sent << " names (the others are fresh or queued "
      << "already)" << (bad ? ", " + std::to_string(bad) + " bad lines skipped" : "") << "\n";
  if (options.wait) {
    for (;;) {
      if (!follow.Show(false)) {
        err << "whois-proxy-cli: WHOIS.QUEUE failed: " << redis.error() << "\n";
        return kExitFailed;
      }
      if (follow.drained()) break;
      std::this_thread::sleep_for(kPoll);
    }
    follow.Show(true);
  }
  return bad == 0 ? kExitOk : kExitSomeLinesBad;
}

}  // namespace cli
