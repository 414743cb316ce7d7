// fake-whois: a WHOIS server (RFC 3912) for tests and benchmarks, on 127.0.0.1 only. It answers
// from a response book, misbehaves on request (hang, reset, garbage, oversize, trickle, close),
// enforces registry-like limits and logs every connection. See README.md beside this file.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <uv.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

#include "registry_limits.h"
#include "response_book.h"
#include "util/uv_timer.h"

namespace fake_whois {
namespace {

constexpr size_t kMaxQueryLine = 4096;
constexpr int kNoQueryTimeoutMs = 30000;  // a client that never sends its line
constexpr size_t kGarbageBytes = 4096;
constexpr size_t kOversizeChunk = size_t{64} * 1024;

enum class Mode { kNormal, kHang, kReset, kGarbage, kOversize, kTrickle, kClose, kResetAfter };

// Each mode's one row: its name (command line, control port) and the outcome its connections log.
struct ModeRow {
  Mode mode;
  std::string_view name;
  std::string_view outcome;
};
constexpr ModeRow kModes[] = {
    {Mode::kNormal, "normal", "served"},       {Mode::kHang, "hang", "hang"},
    {Mode::kReset, "reset", "reset"},          {Mode::kGarbage, "garbage", "garbage"},
    {Mode::kOversize, "oversize", "oversize"}, {Mode::kTrickle, "trickle", "trickle"},
    {Mode::kClose, "close", "close"},          {Mode::kResetAfter, "reset-after", "reset_after"},
};

std::optional<Mode> ParseMode(std::string_view s) {
  for (const ModeRow& row : kModes)
    if (row.name == s) return row.mode;
  return std::nullopt;
}

std::string_view ModeOutcome(Mode m) {
  for (const ModeRow& row : kModes)
    if (row.mode == m) return row.outcome;
  return "served";
}

// What can change while running (command line first, then the control port).
struct Behaviour {
  Mode mode = Mode::kNormal;
  int64_t latency_ms = 0;
  int64_t oversize_bytes = int64_t{30} * 1024 * 1024;
  int64_t trickle_ms = 50;
  std::string refusal_text = "%  Query rate limit exceeded\r\n";
  std::string charset = "utf-8";
  std::string refused_client;  // every query from this client address is refused (banned)
};

struct Options {
  std::vector<int> ports;
  int control_port = -1;  // -1: no control port
  std::string responses;
  std::optional<std::string> response_text;
  std::string log_path;
  int64_t max_seconds = 600;
  Behaviour behaviour;
  LimitSettings limits;
};

bool ParseInt(std::string_view s, int64_t* out) { return ParseDecimal(s, 15, out); }

std::string WithCrlf(std::string text) {
  if (text.empty() || text.back() != '\n') text += "\r\n";
  return text;
}

// Applies one setting by name ("mode", "latency-ms", ...). Used for flags and control
// commands alike. Returns an error message or empty.
std::string ApplySetting(std::string_view name, std::string_view value, Behaviour* b,
                         LimitSettings* limits) {
  int64_t n = 0;
  if (name == "mode") {
    auto m = ParseMode(value);
    if (!m) return "unknown mode '" + std::string(value) + "'";
    b->mode = *m;
  } else if (name == "latency-ms" && ParseInt(value, &n)) {
    b->latency_ms = n;
  } else if (name == "oversize-bytes" && ParseInt(value, &n)) {
    b->oversize_bytes = n;
  } else if (name == "trickle-ms" && ParseInt(value, &n)) {
    b->trickle_ms = n;
  } else if (name == "refusal-text") {
    b->refusal_text = WithCrlf(std::string(value));
  } else if (name == "charset") {
    if (!EncodeFromUtf8("x", value)) return "unknown charset '" + std::string(value) + "'";
    b->charset = std::string(value);
  } else if (name == "limit-concurrency" && ParseInt(value, &n)) {
    limits->concurrency = n;
  } else if (name == "limit-daily" && ParseInt(value, &n)) {
    limits->daily = n;
  } else if (name == "limit-scope") {
    auto scope = ParseScope(value);
    if (!scope) return "bad scope '" + std::string(value) + "' (want all, address or network)";
    limits->scope = *scope;
  } else if (name == "refuse-client") {
    b->refused_client = value == "none" ? std::string() : std::string(value);
  } else if (name == "limit-rate") {
    auto r = ParseRateLimit(value);
    if (!r) return "bad rate '" + std::string(value) + "' (want N/s, N/m, N/h, N/15m or 0)";
    limits->rate = *r;
  } else {
    return "bad setting '" + std::string(name) + "' = '" + std::string(value) + "'";
  }
  return "";
}

// Query bytes as one log token: whitespace, control bytes, '%' and non-ASCII are %XX-escaped;
// an empty query is "-".
std::string LogToken(std::string_view q) {
  if (q.empty()) return "-";
  if (q == "-") return "%2D";
  std::string out;
  for (unsigned char c : q) {
    if (c <= 0x20 || c >= 0x7f || c == '%') {
      char hex[4];
      std::snprintf(hex, sizeof(hex), "%%%02X", c);
      out += hex;
    } else {
      out.push_back(static_cast<char>(c));
    }
  }
  return out;
}

// libuv's alloc callback for both kinds of connection: a malloc'd buffer of the suggested size
// (none if malloc fails, which libuv reports as UV_ENOBUFS); the read callback frees it.
void AllocReadBuffer(uv_handle_t*, size_t suggested, uv_buf_t* buf) {
  buf->base = static_cast<char*>(std::malloc(suggested));
  buf->len = buf->base ? suggested : 0;
}

class Server;

// One client connection. Deleted by its socket's close callback (the timer closes itself with it).
struct Conn {
  Conn(Server* owner, uv_loop_t* loop) : server(owner), timer(loop) {}
  Server* server;
  uv_tcp_t tcp{};
  util::UvTimer timer;  // no query yet, the reply's latency, the trickle's pace
  bool closing = false;
  int port = 0;
  std::string client;      // the peer's address ("127.0.1.1")
  std::string limits_key;  // ClientKey(client) when its query was admitted
  int64_t start_ms = 0;    // accepted
  int64_t arrived_ms = 0;  // the query line arrived (ArrivalMs), 0 until then
  std::string in;
  std::optional<std::string> query;
  std::string outcome = "no_query";
  bool counted = false;  // holds a concurrency slot
  Mode mode = Mode::kNormal;
  std::string payload;  // what to send (normal, garbage, trickle, refusal)
  size_t trickle_pos = 0;
  int64_t oversize_left = 0;
  int64_t trickle_ms = 0;
};

struct WriteReq {
  uv_write_t req{};
  Conn* conn = nullptr;
  std::string data;  // owned bytes (empty for the shared oversize chunk)
  bool last = false;
};

class Server {
 public:
  Server(uv_loop_t* loop, Options options) : loop_(loop), options_(std::move(options)) {
    behaviour_ = options_.behaviour;
    settings_ = options_.limits;
    start_hr_ = uv_hrtime();
    timespec ts{};
    clock_gettime(CLOCK_REALTIME, &ts);
    start_wall_ms_ = static_cast<int64_t>(ts.tv_sec) * 1000 + ts.tv_nsec / 1000000;
    for (size_t i = 0; i < kOversizeChunk; i += 64) {
      char line[65];
      std::snprintf(line, sizeof(line),
                    "%% oversize filler line %08zu .............................\r\n", i / 64);
      oversize_chunk_.append(line, 64);
    }
  }

  int Run();

  // Wall-clock epoch milliseconds, but advancing with the monotonic clock (no jumps).
  int64_t NowMs() const {
    return start_wall_ms_ + static_cast<int64_t>((uv_hrtime() - start_hr_) / 1000000);
  }

 private:
  static void OnConnection(uv_stream_t* listener, int status);
  static void OnControlConnection(uv_stream_t* listener, int status);
  void OnRead(Conn* c, ssize_t nread, const uv_buf_t* buf);
  void OnQuery(Conn* c);
  int64_t ArrivalMs(Conn* c);
  int64_t ActiveServed() const {
    int64_t n = 0;
    for (const auto& [key, limits] : limits_) n += limits.active();
    return n;
  }
  void Act(Conn* c);
  void Send(Conn* c, std::string data, bool last);
  void SendOversizeChunk(Conn* c);
  void TrickleNext(Conn* c);
  void Shutdown(Conn* c);
  void Close(Conn* c, bool reset = false);
  void LogConn(const Conn* c, int64_t end_ms);
  std::string Control(std::string_view line);
  void Exit(int code);

  uv_loop_t* loop_;
  Options options_;
  Behaviour behaviour_;
  // The limits of one client key (see ClientKey); every key has the same settings.
  RegistryLimits& LimitsFor(const std::string& key) {
    auto it = limits_.try_emplace(key, settings_).first;
    return it->second;
  }

  LimitSettings settings_;
  std::map<std::string, RegistryLimits, std::less<>> limits_;
  ResponseBook book_;
  FILE* log_ = nullptr;
  uint64_t start_hr_ = 0;
  int64_t start_wall_ms_ = 0;
  int64_t last_arrival_ms_ = 0;  // ArrivalMs() never goes back
  std::string oversize_chunk_;
  std::vector<std::unique_ptr<uv_tcp_t>> listeners_;
  std::vector<int> bound_ports_;
  std::unordered_set<Conn*> conns_;
  uv_signal_t sigterm_{}, sigint_{};
  std::optional<util::UvTimer> max_timer_;
  // Counters for `stats`.
  int64_t connections_ = 0;
  std::map<std::string, int64_t, std::less<>> outcomes_;
};

int Server::Run() {
  if (auto err = book_.Load(options_.responses)) {
    std::fprintf(stderr, "fake-whois: %s\n", err->c_str());
    return 2;
  }
  if (options_.response_text) book_.set_default_template(*options_.response_text);
  log_ = std::fopen(options_.log_path.c_str(), "a");
  if (log_ == nullptr) {
    std::fprintf(stderr, "fake-whois: cannot open log %s: %s\n", options_.log_path.c_str(),
                 std::strerror(errno));
    return 2;
  }

  auto listen_on = [&](int port, uv_connection_cb cb) -> int {
    auto tcp = std::make_unique<uv_tcp_t>();
    uv_tcp_init(loop_, tcp.get());
    tcp->data = this;
    sockaddr_in addr{};
    uv_ip4_addr("127.0.0.1", port, &addr);
    int rc = uv_tcp_bind(tcp.get(), reinterpret_cast<const sockaddr*>(&addr), 0);
    if (rc == 0) rc = uv_listen(reinterpret_cast<uv_stream_t*>(tcp.get()), 1024, cb);
    if (rc != 0) {
      std::fprintf(stderr, "fake-whois: cannot listen on 127.0.0.1:%d: %s\n", port,
                   uv_strerror(rc));
      return -1;
    }
    sockaddr_storage bound{};
    int len = sizeof(bound);
    uv_tcp_getsockname(tcp.get(), reinterpret_cast<sockaddr*>(&bound), &len);
    int actual = ntohs(reinterpret_cast<sockaddr_in*>(&bound)->sin_port);
    listeners_.push_back(std::move(tcp));
    return actual;
  };

  for (int port : options_.ports) {
    int actual = listen_on(port, OnConnection);
    if (actual < 0) return 2;
    bound_ports_.push_back(actual);
  }
  if (options_.control_port >= 0) {
    int actual = listen_on(options_.control_port, OnControlConnection);
    if (actual < 0) return 2;
    std::printf("CONTROL %d\n", actual);
  }
  std::printf("READY");
  for (int p : bound_ports_) std::printf(" %d", p);
  std::printf("\n");
  std::fflush(stdout);

  uv_signal_init(loop_, &sigterm_);
  sigterm_.data = this;
  uv_signal_start(
      &sigterm_, [](uv_signal_t* s, int) { static_cast<Server*>(s->data)->Exit(0); }, SIGTERM);
  uv_signal_init(loop_, &sigint_);
  sigint_.data = this;
  uv_signal_start(
      &sigint_, [](uv_signal_t* s, int) { static_cast<Server*>(s->data)->Exit(0); }, SIGINT);
  max_timer_.emplace(loop_);
  max_timer_->Start(static_cast<uint64_t>(options_.max_seconds) * 1000, [this] {
    std::fprintf(stderr, "fake-whois: --max-seconds reached, exiting\n");
    Exit(0);
  });
  return uv_run(loop_, UV_RUN_DEFAULT);
}

void Server::Exit(int code) {
  // Connections still open are logged as they stand, so a test reading the log after stopping
  // the server sees every connection.
  int64_t now = NowMs();
  for (Conn* c : conns_) LogConn(c, now);
  std::fflush(log_);
  std::fflush(stdout);
  std::_Exit(code);
}

void Server::LogConn(const Conn* c, int64_t end_ms) {
  std::string q = c->query ? LogToken(*c->query) : "-";
  std::fprintf(log_, "%lld %lld %s %s %d %lld %s\n", static_cast<long long>(c->start_ms),
               static_cast<long long>(end_ms), q.c_str(), c->outcome.c_str(), c->port,
               static_cast<long long>(c->arrived_ms != 0 ? c->arrived_ms : c->start_ms),
               c->client.empty() ? "-" : c->client.c_str());
  std::fflush(log_);
}

void Server::OnConnection(uv_stream_t* listener, int status) {
  auto* self = static_cast<Server*>(listener->data);
  if (status < 0) return;
  auto* c = new Conn(self, self->loop_);
  uv_tcp_init(self->loop_, &c->tcp);
  c->tcp.data = c;
  if (uv_accept(listener, reinterpret_cast<uv_stream_t*>(&c->tcp)) != 0) {
    c->closing = true;
    uv_close(reinterpret_cast<uv_handle_t*>(&c->tcp),
             [](uv_handle_t* h) { delete static_cast<Conn*>(h->data); });
    return;
  }
  ++self->connections_;
  self->conns_.insert(c);
  c->start_ms = self->NowMs();
  sockaddr_storage local{};
  int len = sizeof(local);
  uv_tcp_getsockname(&c->tcp, reinterpret_cast<sockaddr*>(&local), &len);
  c->port = ntohs(reinterpret_cast<sockaddr_in*>(&local)->sin_port);
  sockaddr_storage peer{};
  len = sizeof(peer);
  if (uv_tcp_getpeername(&c->tcp, reinterpret_cast<sockaddr*>(&peer), &len) == 0) {
    char name[INET6_ADDRSTRLEN] = {};
    if (peer.ss_family == AF_INET) {
      uv_ip4_name(reinterpret_cast<sockaddr_in*>(&peer), name, sizeof(name));
    } else {
      uv_ip6_name(reinterpret_cast<sockaddr_in6*>(&peer), name, sizeof(name));
    }
    c->client = name;
  }
  c->timer.Start(kNoQueryTimeoutMs, [self, c] { self->Close(c); });
  uv_read_start(reinterpret_cast<uv_stream_t*>(&c->tcp), AllocReadBuffer,
                [](uv_stream_t* s, ssize_t nread, const uv_buf_t* buf) {
                  auto* conn = static_cast<Conn*>(s->data);
                  conn->server->OnRead(conn, nread, buf);
                  std::free(buf->base);
                });
}

void Server::OnRead(Conn* c, ssize_t nread, const uv_buf_t* buf) {
  if (c->closing) return;
  if (nread < 0) {
    // The client went away (or half-closed). Before the query, or while we hang, that ends the
    // connection; otherwise we finish sending what we have and find out on write.
    uv_read_stop(reinterpret_cast<uv_stream_t*>(&c->tcp));
    if (!c->query || c->mode == Mode::kHang) Close(c);
    return;
  }
  if (c->query) return;  // bytes after the query line are ignored
  c->in.append(buf->base, static_cast<size_t>(nread));
  size_t nl = c->in.find('\n');
  if (nl == std::string::npos) {
    if (c->in.size() > kMaxQueryLine) {
      c->outcome = "bad_query";
      Close(c);
    }
    return;
  }
  std::string line = c->in.substr(0, nl);
  if (!line.empty() && line.back() == '\r') line.pop_back();
  c->query = std::move(line);
  c->in.clear();
  c->timer.Stop();
  OnQuery(c);
}

// When the query arrived, by the kernel's clock (TCP_INFO: milliseconds since the last data came
// in). On a busy machine this process may read queries late, and queries read in one go would
// look like a burst that a real server, reading as they come, never sees. Never earlier than an
// arrival already counted, so the limit's window stays in order.
int64_t Server::ArrivalMs(Conn* c) {
  int64_t at = NowMs();
  uv_os_fd_t fd;
  tcp_info info{};
  socklen_t len = sizeof(info);
  if (uv_fileno(reinterpret_cast<uv_handle_t*>(&c->tcp), &fd) == 0 &&
      getsockopt(fd, IPPROTO_TCP, TCP_INFO, &info, &len) == 0) {
    at -= info.tcpi_last_data_recv;
  }
  last_arrival_ms_ = std::max(last_arrival_ms_, at);
  return last_arrival_ms_;
}

void Server::OnQuery(Conn* c) {
  c->arrived_ms = ArrivalMs(c);
  if (!behaviour_.refused_client.empty() && c->client == behaviour_.refused_client) {
    c->outcome = "refused_client";
    Send(c, *EncodeFromUtf8(behaviour_.refusal_text, behaviour_.charset), true);
    return;
  }
  c->limits_key = ClientKey(c->client, settings_.scope);
  Decision d = LimitsFor(c->limits_key).Admit(c->arrived_ms);
  c->outcome = std::string(DecisionOutcome(d));
  if (d != Decision::kServe) {
    // Real registries refuse at once, without the latency of a lookup.
    Send(c, *EncodeFromUtf8(behaviour_.refusal_text, behaviour_.charset), true);
    return;
  }
  c->counted = true;
  c->mode = behaviour_.mode;
  c->outcome = std::string(ModeOutcome(c->mode));
  if (behaviour_.latency_ms > 0) {
    c->timer.Start(static_cast<uint64_t>(behaviour_.latency_ms), [this, c] { Act(c); });
    return;
  }
  Act(c);
}

void Server::Act(Conn* c) {
  if (c->closing) return;
  switch (c->mode) {
    case Mode::kNormal: {
      std::string text = book_.Answer(*c->query);
      Send(c, *EncodeFromUtf8(text, behaviour_.charset), true);
      return;
    }
    case Mode::kHang:
      return;  // until the client gives up (or we are stopped)
    case Mode::kReset:
      Close(c, /*reset=*/true);
      return;
    case Mode::kGarbage: {
      // Deterministic bytes of every value, NUL and invalid UTF-8 included.
      std::string g = "garbage:";
      uint32_t x = 2463534242u;
      while (g.size() < kGarbageBytes) {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        g.push_back(static_cast<char>(x & 0xff));
      }
      Send(c, std::move(g), true);
      return;
    }
    case Mode::kOversize:
      c->oversize_left = behaviour_.oversize_bytes;
      SendOversizeChunk(c);
      return;
    case Mode::kTrickle:
      c->payload = *EncodeFromUtf8(book_.Answer(*c->query), behaviour_.charset);
      c->trickle_ms = behaviour_.trickle_ms;
      TrickleNext(c);
      return;
    case Mode::kClose:
      Shutdown(c);
      return;
    case Mode::kResetAfter:
      // The answer, then RST instead of FIN (as servers that close with unread input do).
      Send(c, *EncodeFromUtf8(book_.Answer(*c->query), behaviour_.charset), true);
      return;
  }
}

void Server::Send(Conn* c, std::string data, bool last) {
  auto* w = new WriteReq;
  w->conn = c;
  w->data = std::move(data);
  w->last = last;
  w->req.data = w;
  uv_buf_t buf = uv_buf_init(w->data.data(), static_cast<unsigned>(w->data.size()));
  int rc = uv_write(&w->req, reinterpret_cast<uv_stream_t*>(&c->tcp), &buf, 1,
                    [](uv_write_t* req, int status) {
                      auto* wr = static_cast<WriteReq*>(req->data);
                      Conn* conn = wr->conn;
                      bool last_write = wr->last;
                      delete wr;
                      if (conn->closing) return;
                      if (status < 0) {
                        conn->server->Close(conn);
                      } else if (last_write && conn->mode == Mode::kResetAfter) {
                        conn->server->Close(conn, /*reset=*/true);
                      } else if (last_write) {
                        conn->server->Shutdown(conn);
                      }
                    });
  if (rc < 0) {
    delete w;
    Close(c);
  }
}

void Server::SendOversizeChunk(Conn* c) {
  if (c->oversize_left <= 0) {
    Shutdown(c);
    return;
  }
  size_t n = static_cast<size_t>(std::min<int64_t>(c->oversize_left, kOversizeChunk));
  c->oversize_left -= static_cast<int64_t>(n);
  auto* req = new uv_write_t;
  req->data = c;
  // The chunk is shared and lives as long as the server; one write in flight per connection
  // keeps memory flat however large the reply.
  uv_buf_t buf = uv_buf_init(oversize_chunk_.data(), static_cast<unsigned>(n));
  int rc = uv_write(req, reinterpret_cast<uv_stream_t*>(&c->tcp), &buf, 1,
                    [](uv_write_t* r, int status) {
                      auto* conn = static_cast<Conn*>(r->data);
                      delete r;
                      if (conn->closing) return;
                      if (status < 0) {
                        conn->server->Close(conn);
                      } else {
                        conn->server->SendOversizeChunk(conn);
                      }
                    });
  if (rc < 0) {
    delete req;
    Close(c);
  }
}

void Server::TrickleNext(Conn* c) {
  if (c->closing) return;
  if (c->trickle_pos >= c->payload.size()) {
    Shutdown(c);
    return;
  }
  Send(c, c->payload.substr(c->trickle_pos++, 1), false);
  c->timer.Start(static_cast<uint64_t>(c->trickle_ms), [this, c] { TrickleNext(c); });
}

void Server::Shutdown(Conn* c) {
  if (c->closing) return;
  auto* req = new uv_shutdown_t;
  req->data = c;
  int rc = uv_shutdown(req, reinterpret_cast<uv_stream_t*>(&c->tcp), [](uv_shutdown_t* r, int) {
    auto* conn = static_cast<Conn*>(r->data);
    delete r;
    conn->server->Close(conn);
  });
  if (rc < 0) {
    delete req;
    Close(c);
  }
}

void Server::Close(Conn* c, bool reset) {
  if (c->closing) return;
  c->closing = true;
  LogConn(c, NowMs());
  ++outcomes_[c->outcome];
  if (c->counted) LimitsFor(c->limits_key).Finished();
  conns_.erase(c);
  c->timer.Stop();
  auto closed = [](uv_handle_t* h) { delete static_cast<Conn*>(h->data); };
  if (reset) {
    uv_tcp_close_reset(&c->tcp, closed);
  } else {
    uv_close(reinterpret_cast<uv_handle_t*>(&c->tcp), closed);
  }
}

// --- control port: one command per line, answered "OK ..." or "ERR ..." ---

struct ControlConn {
  uv_tcp_t tcp{};
  Server* server = nullptr;
  std::string in;
};

std::string Server::Control(std::string_view line) {
  size_t sp = line.find(' ');
  std::string_view cmd = line.substr(0, sp);
  std::string_view arg = sp == std::string_view::npos ? "" : line.substr(sp + 1);
  if (cmd == "ping") return "OK pong";
  if (cmd == "stats") {
    std::string s = "OK connections=" + std::to_string(connections_) +
                    " active=" + std::to_string(conns_.size()) +
                    " active_served=" + std::to_string(ActiveServed());
    for (const auto& [k, v] : outcomes_) s += " " + k + "=" + std::to_string(v);
    return s;
  }
  if (cmd == "reset-limits") {
    for (auto& [key, limits] : limits_) limits.Reset();
    return "OK";
  }
  LimitSettings settings = settings_;
  std::string err = ApplySetting(cmd, arg, &behaviour_, &settings);
  if (!err.empty()) return "ERR " + err;
  if (settings.scope != settings_.scope) {
    // Regrouped: the counts start afresh, but open connections keep their slots.
    std::map<std::string, RegistryLimits, std::less<>> regrouped;
    for (Conn* conn : conns_) {
      if (!conn->counted) continue;
      conn->limits_key = ClientKey(conn->client, settings.scope);
      auto& limits = regrouped.try_emplace(conn->limits_key, settings).first->second;
      limits.Admit(NowMs());
    }
    limits_ = std::move(regrouped);
  }
  settings_ = settings;
  for (auto& [key, limits] : limits_) limits.set_settings(settings_);
  return "OK";
}

void Server::OnControlConnection(uv_stream_t* listener, int status) {
  auto* self = static_cast<Server*>(listener->data);
  if (status < 0) return;
  auto* cc = new ControlConn;
  cc->server = self;
  uv_tcp_init(self->loop_, &cc->tcp);
  cc->tcp.data = cc;
  auto closed = [](uv_handle_t* h) { delete static_cast<ControlConn*>(h->data); };
  if (uv_accept(listener, reinterpret_cast<uv_stream_t*>(&cc->tcp)) != 0) {
    uv_close(reinterpret_cast<uv_handle_t*>(&cc->tcp), closed);
    return;
  }
  uv_read_start(reinterpret_cast<uv_stream_t*>(&cc->tcp), AllocReadBuffer,
                [](uv_stream_t* s, ssize_t nread, const uv_buf_t* buf) {
                  auto* conn = static_cast<ControlConn*>(s->data);
                  if (nread < 0) {
                    std::free(buf->base);
                    uv_close(reinterpret_cast<uv_handle_t*>(s),
                             [](uv_handle_t* h) { delete static_cast<ControlConn*>(h->data); });
                    return;
                  }
                  conn->in.append(buf->base, static_cast<size_t>(nread));
                  std::free(buf->base);
                  size_t nl;
                  while ((nl = conn->in.find('\n')) != std::string::npos) {
                    std::string line = conn->in.substr(0, nl);
                    conn->in.erase(0, nl + 1);
                    if (!line.empty() && line.back() == '\r') line.pop_back();
                    auto* reply = new std::string(conn->server->Control(line) + "\n");
                    auto* req = new uv_write_t;
                    req->data = reply;
                    uv_buf_t out = uv_buf_init(reply->data(), static_cast<unsigned>(reply->size()));
                    if (uv_write(req, s, &out, 1, [](uv_write_t* r, int) {
                          delete static_cast<std::string*>(r->data);
                          delete r;
                        }) < 0) {
                      delete reply;
                      delete req;
                    }
                  }
                });
}

// --- command line ---

void Usage() {
  std::fprintf(stderr,
               "usage: fake-whois --port N [--port N2 ...] --log FILE\n"
               "       [--responses DIR_OR_FILE] [--response-text TEMPLATE]\n"
               "       [--mode normal|hang|reset|reset-after|garbage|oversize|trickle|close]\n"
               "       [--latency-ms N] [--oversize-bytes N] [--trickle-ms N]\n"
               "       [--limit-concurrency N] [--limit-rate N/<s|m|h>] [--limit-daily N]\n"
               "       [--limit-scope all|address|network] [--refuse-client ADDR]\n"
               "       [--refusal-text TEXT] [--charset NAME] [--control-port N]\n"
               "       [--bind 127.0.0.1] [--max-seconds N]\n"
               "Port 0 picks a free port; the ports are printed as 'READY p1 p2 ...'.\n");
}

int Main(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    std::string_view flag = argv[i];
    if (flag == "--help" || flag == "-h") {
      Usage();
      return 0;
    }
    if (i + 1 >= argc || flag.substr(0, 2) != "--") {
      std::fprintf(stderr, "fake-whois: bad argument '%s'\n", argv[i]);
      Usage();
      return 2;
    }
    std::string_view value = argv[++i];
    std::string_view name = flag.substr(2);
    int64_t n = 0;
    if (name == "port" && ParseInt(value, &n) && n <= 65535) {
      o.ports.push_back(static_cast<int>(n));
    } else if (name == "control-port" && ParseInt(value, &n) && n <= 65535) {
      o.control_port = static_cast<int>(n);
    } else if (name == "responses") {
      o.responses = value;
    } else if (name == "response-text") {
      o.response_text = std::string(value);
    } else if (name == "log") {
      o.log_path = value;
    } else if (name == "max-seconds" && ParseInt(value, &n) && n > 0) {
      o.max_seconds = n;
    } else if (name == "bind") {
      // Tests must never expose a misbehaving server beyond this machine.
      if (value != "127.0.0.1") {
        std::fprintf(stderr, "fake-whois: refusing to bind %s: only 127.0.0.1 is allowed\n",
                     argv[i]);
        return 2;
      }
    } else {
      std::string err = ApplySetting(name, value, &o.behaviour, &o.limits);
      if (!err.empty()) {
        std::fprintf(stderr, "fake-whois: %s\n", err.c_str());
        return 2;
      }
    }
  }
  if (o.ports.empty() || o.log_path.empty()) {
    std::fprintf(stderr, "fake-whois: --port and --log are required\n");
    Usage();
    return 2;
  }
  signal(SIGPIPE, SIG_IGN);
  uv_loop_t loop;
  uv_loop_init(&loop);
  Server server(&loop, std::move(o));
  return server.Run();
}

}  // namespace
}  // namespace fake_whois

int main(int argc, char** argv) { return fake_whois::Main(argc, argv); }
