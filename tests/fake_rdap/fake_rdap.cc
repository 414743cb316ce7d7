// fake-rdap: an RDAP server (HTTP/1.1, RFC 7480) for tests, on 127.0.0.1 only. It serves fixture
// documents by path and misbehaves on request. See README.md beside this file.
//
//   fake-rdap --port 0 --fixtures DIR [--log FILE] [--mode MODE] [--retry-after N]
//             [--redirect-to BASE] [--oversize-bytes N] [--delay-ms N] [--trickle-ms N]
//             [--max-seconds N]
//
// Prints "READY <port>" once listening. Every request gets one response and the connection is
// closed (Connection: close).
#include <signal.h>
#include <uv.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <string_view>

#include "util/uv_timer.h"

namespace {

constexpr size_t kMaxRequestHead = 16 * 1024;

enum class Mode {
  kNormal,
  kNotFound,
  kRateLimit,
  kRedirect,
  kRedirectLoop,
  kMalformed,
  kOversize,
  kSlow,
  kTrickle
};

std::optional<Mode> ParseMode(std::string_view s) {
  if (s == "normal") return Mode::kNormal;
  if (s == "notfound") return Mode::kNotFound;
  if (s == "ratelimit") return Mode::kRateLimit;
  if (s == "redirect") return Mode::kRedirect;
  if (s == "redirect-loop") return Mode::kRedirectLoop;
  if (s == "malformed") return Mode::kMalformed;
  if (s == "oversize") return Mode::kOversize;
  if (s == "slow") return Mode::kSlow;
  if (s == "trickle") return Mode::kTrickle;
  return std::nullopt;
}

struct Options {
  int port = 0;
  std::string fixtures = ".";
  std::string log_path;
  Mode mode = Mode::kNormal;
  int retry_after = 30;
  std::string redirect_to;  // base URL; empty: this server
  size_t oversize_bytes = size_t{4} << 20;
  int delay_ms = 5000;
  int trickle_ms = 100;
  int max_seconds = 300;
};

Options g_opt;  // set once in main before the loop runs; read-only afterwards
int g_port = 0;
FILE* g_log = nullptr;

int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::string Escape(std::string_view s) {
  if (s.empty()) return "-";
  std::string out;
  for (char c : s) {
    auto u = static_cast<unsigned char>(c);
    if (u <= ' ' || u >= 0x7f || c == '%') {
      char buf[4];
      std::snprintf(buf, sizeof(buf), "%%%02X", u);
      out += buf;
    } else {
      out.push_back(c);
    }
  }
  return out;
}

std::string Base() { return "http://127.0.0.1:" + std::to_string(g_port); }

std::string ReadFile(const std::string& path, bool* ok) {
  std::ifstream in(path, std::ios::binary);
  *ok = static_cast<bool>(in);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::string ReplaceAll(std::string text, std::string_view from, std::string_view to) {
  for (size_t pos = 0; (pos = text.find(from, pos)) != std::string::npos; pos += to.size()) {
    text.replace(pos, from.size(), to);
  }
  return text;
}

bool SafePath(std::string_view path) {
  if (path.empty() || path.front() != '/' || path.find("..") != std::string_view::npos) {
    return false;
  }
  for (char c : path) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '/' || c == '.' || c == '-' || c == '_';
    if (!ok) return false;
  }
  return true;
}

struct Response {
  int status = 200;
  std::string reason = "OK";
  std::string extra_headers;
  std::string body;
  bool slow = false;
  bool trickle = false;
};

Response ErrorDocument(int status, std::string reason, std::string title) {
  Response r;
  r.status = status;
  r.reason = reason;
  r.body = "{\"rdapConformance\":[\"rdap_level_0\"],\"errorCode\":" + std::to_string(status) +
           ",\"title\":\"" + title + "\",\"description\":[\"" + title + "\"]}";
  return r;
}

Response Serve(std::string path) {
  Mode mode = g_opt.mode;
  // "/_mode/<mode>/rest" chooses the mode for this request only.
  if (path.starts_with("/_mode/")) {
    size_t end = path.find('/', 7);
    std::optional<Mode> m = ParseMode(path.substr(7, end == std::string::npos ? end : end - 7));
    if (!m || end == std::string::npos) return ErrorDocument(400, "Bad Request", "unknown mode");
    mode = *m;
    if (mode != Mode::kRedirectLoop) path = path.substr(end);
  }
  std::string lower = path;
  for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  switch (mode) {
    case Mode::kNotFound:
      return ErrorDocument(404, "Not Found", "Object not found");
    case Mode::kRateLimit: {
      Response r = ErrorDocument(429, "Too Many Requests", "Too many requests");
      r.extra_headers = "Retry-After: " + std::to_string(g_opt.retry_after) + "\r\n";
      return r;
    }
    case Mode::kRedirect:
    case Mode::kRedirectLoop: {
      Response r;
      r.status = 302;
      r.reason = "Found";
      std::string target = mode == Mode::kRedirectLoop ? path : lower;
      std::string base = g_opt.redirect_to.empty() ? Base() : g_opt.redirect_to;
      r.extra_headers = "Location: " + base + target + "\r\n";
      return r;
    }
    case Mode::kMalformed: {
      Response r;
      r.body = "{\"objectClassName\":\"domain\",\"ldhName\":\"broken";
      return r;
    }
    case Mode::kOversize: {
      Response r;
      r.body = "{\"objectClassName\":\"domain\",\"pad\":\"" +
               std::string(g_opt.oversize_bytes, 'x') + "\"}";
      return r;
    }
    default:
      break;
  }
  if (!SafePath(lower)) return ErrorDocument(400, "Bad Request", "bad path");
  bool ok = false;
  std::string body = ReadFile(g_opt.fixtures + lower + ".json", &ok);
  if (!ok) return ErrorDocument(404, "Not Found", "Object not found");
  Response r;
  r.body = ReplaceAll(std::move(body), "{BASE}", Base());
  r.slow = mode == Mode::kSlow;
  r.trickle = mode == Mode::kTrickle;
  return r;
}

// One client connection: read the request head, answer, close. Deleted by its socket's close
// callback (the timer closes itself with it).
struct Conn {
  explicit Conn(uv_loop_t* loop) : timer(loop) {}
  uv_tcp_t tcp{};
  util::UvTimer timer;  // the slow answer's delay, the trickle's pace
  std::string in;
  std::string out;  // bytes still to send (trickle) or the whole response
  bool answered = false;
  bool trickle = false;
  bool closing = false;
  std::string client = "-";  // the peer's address
};

void CloseConn(Conn* c) {
  if (c->closing) return;
  c->closing = true;
  c->timer.Stop();
  uv_close(reinterpret_cast<uv_handle_t*>(&c->tcp),
           [](uv_handle_t* h) { delete static_cast<Conn*>(h->data); });
}

void Send(Conn* c, std::string bytes, bool close_after) {
  struct Write {
    uv_write_t req;
    std::string data;
    Conn* conn;
    bool close_after;
  };
  auto* w = new Write{{}, std::move(bytes), c, close_after};
  uv_buf_t buf = uv_buf_init(w->data.data(), static_cast<unsigned>(w->data.size()));
  int rc = uv_write(&w->req, reinterpret_cast<uv_stream_t*>(&c->tcp), &buf, 1,
                    [](uv_write_t* req, int status) {
                      auto* wr = reinterpret_cast<Write*>(req);
                      if (status < 0 || wr->close_after) CloseConn(wr->conn);
                      delete wr;
                    });
  if (rc != 0) {
    delete w;
    CloseConn(c);
  }
}

void TrickleTick(Conn* c) {
  if (c->out.empty()) return;
  std::string one = c->out.substr(0, 1);
  c->out.erase(0, 1);
  bool last = c->out.empty();
  if (last) c->timer.Stop();
  Send(c, std::move(one), last);
}

void Answer(Conn* c, const std::string& path) {
  Response r = Serve(path);
  std::string head = "HTTP/1.1 " + std::to_string(r.status) + " " + r.reason + "\r\n" +
                     "Content-Type: application/rdap+json\r\n" +
                     "Content-Length: " + std::to_string(r.body.size()) + "\r\n" +
                     "Connection: close\r\n" + r.extra_headers + "\r\n";
  if (g_log != nullptr) {
    std::fprintf(g_log, "%lld %s %d %s\n", static_cast<long long>(NowMs()), Escape(path).c_str(),
                 r.status, c->client.c_str());
    std::fflush(g_log);
  }
  c->out = head + r.body;
  if (r.trickle) {
    c->timer.Start(static_cast<uint64_t>(g_opt.trickle_ms), static_cast<uint64_t>(g_opt.trickle_ms),
                   [c] { TrickleTick(c); });
  } else if (r.slow) {
    c->timer.Start(static_cast<uint64_t>(g_opt.delay_ms),
                   [c] { Send(c, std::move(c->out), true); });
  } else {
    Send(c, std::move(c->out), true);
  }
}

void OnRead(uv_stream_t* s, ssize_t n, const uv_buf_t* buf) {
  auto* c = static_cast<Conn*>(s->data);
  if (n > 0 && !c->answered) c->in.append(buf->base, static_cast<size_t>(n));
  delete[] buf->base;
  if (n < 0) {
    CloseConn(c);
    return;
  }
  if (c->answered) return;
  size_t end = c->in.find("\r\n\r\n");
  if (end == std::string::npos) {
    if (c->in.size() > kMaxRequestHead) CloseConn(c);
    return;
  }
  c->answered = true;
  // "GET /path HTTP/1.1"
  std::string line = c->in.substr(0, c->in.find("\r\n"));
  size_t sp1 = line.find(' ');
  size_t sp2 = line.find(' ', sp1 + 1);
  std::string path = sp1 == std::string::npos || sp2 == std::string::npos
                         ? std::string("/")
                         : line.substr(sp1 + 1, sp2 - sp1 - 1);
  if (size_t q = path.find('?'); q != std::string::npos) path.resize(q);
  Answer(c, path);
}

void OnConnection(uv_stream_t* server, int status) {
  if (status < 0) return;
  auto* c = new Conn(server->loop);
  uv_tcp_init(server->loop, &c->tcp);
  c->tcp.data = c;
  if (uv_accept(server, reinterpret_cast<uv_stream_t*>(&c->tcp)) != 0) {
    CloseConn(c);
    return;
  }
  sockaddr_storage peer{};
  int len = sizeof(peer);
  if (uv_tcp_getpeername(&c->tcp, reinterpret_cast<sockaddr*>(&peer), &len) == 0) {
    char name[64] = {};
    if (peer.ss_family == AF_INET) {
      uv_ip4_name(reinterpret_cast<sockaddr_in*>(&peer), name, sizeof(name));
    } else {
      uv_ip6_name(reinterpret_cast<sockaddr_in6*>(&peer), name, sizeof(name));
    }
    c->client = name;
  }
  uv_read_start(
      reinterpret_cast<uv_stream_t*>(&c->tcp),
      [](uv_handle_t*, size_t suggested, uv_buf_t* buf) {
        *buf = uv_buf_init(new char[suggested], static_cast<unsigned>(suggested));
      },
      OnRead);
}

bool ParseArgs(int argc, char** argv) {
  for (int i = 1; i < argc; ++i) {
    std::string_view a = argv[i];
    if (i + 1 >= argc) return false;
    std::string v = argv[++i];
    if (a == "--port") {
      g_opt.port = std::atoi(v.c_str());
    } else if (a == "--fixtures") {
      g_opt.fixtures = v;
    } else if (a == "--log") {
      g_opt.log_path = v;
    } else if (a == "--mode") {
      std::optional<Mode> m = ParseMode(v);
      if (!m) return false;
      g_opt.mode = *m;
    } else if (a == "--retry-after") {
      g_opt.retry_after = std::atoi(v.c_str());
    } else if (a == "--redirect-to") {
      g_opt.redirect_to = v;
    } else if (a == "--oversize-bytes") {
      g_opt.oversize_bytes = static_cast<size_t>(std::atoll(v.c_str()));
    } else if (a == "--delay-ms") {
      g_opt.delay_ms = std::atoi(v.c_str());
    } else if (a == "--trickle-ms") {
      g_opt.trickle_ms = std::atoi(v.c_str());
    } else if (a == "--max-seconds") {
      g_opt.max_seconds = std::atoi(v.c_str());
    } else {
      return false;
    }
  }
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  if (!ParseArgs(argc, argv)) {
    std::fprintf(stderr,
                 "usage: fake-rdap --port N --fixtures DIR [--log FILE] [--mode "
                 "normal|notfound|ratelimit|redirect|redirect-loop|malformed|oversize|slow|"
                 "trickle] [--retry-after N] [--redirect-to BASE] [--oversize-bytes N] "
                 "[--delay-ms N] [--trickle-ms N] [--max-seconds N]\n");
    return 2;
  }
  signal(SIGPIPE, SIG_IGN);
  if (!g_opt.log_path.empty()) g_log = std::fopen(g_opt.log_path.c_str(), "a");
  uv_loop_t* loop = uv_default_loop();
  uv_tcp_t server;
  uv_tcp_init(loop, &server);
  sockaddr_in addr{};
  uv_ip4_addr("127.0.0.1", g_opt.port, &addr);
  if (uv_tcp_bind(&server, reinterpret_cast<const sockaddr*>(&addr), 0) != 0 ||
      uv_listen(reinterpret_cast<uv_stream_t*>(&server), 128, OnConnection) != 0) {
    std::fprintf(stderr, "fake-rdap: cannot listen on 127.0.0.1:%d\n", g_opt.port);
    return 1;
  }
  sockaddr_storage bound{};
  int len = sizeof(bound);
  uv_tcp_getsockname(&server, reinterpret_cast<sockaddr*>(&bound), &len);
  g_port = ntohs(reinterpret_cast<sockaddr_in*>(&bound)->sin_port);
  std::printf("READY %d\n", g_port);
  std::fflush(stdout);

  auto quit = [](uv_signal_t*, int) {
    if (g_log != nullptr) std::fflush(g_log);
    std::_Exit(0);
  };
  uv_signal_t term, intr;
  uv_signal_init(loop, &term);
  uv_signal_start(&term, quit, SIGTERM);
  uv_signal_init(loop, &intr);
  uv_signal_start(&intr, quit, SIGINT);
  // A forgotten server never outlives its test run by much (the listener keeps the loop
  // running until then).
  util::UvTimer limit(loop);
  limit.Start(static_cast<uint64_t>(g_opt.max_seconds) * 1000, [] {
    std::fprintf(stderr, "fake-rdap: --max-seconds reached, exiting\n");
    std::_Exit(0);
  });
  return uv_run(loop, UV_RUN_DEFAULT);
}
