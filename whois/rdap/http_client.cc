#include "whois/rdap/http_client.h"

#include <curl/curl.h>
#include <sys/socket.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <ctime>
#include <utility>

#include "util/enum_names.h"
#include "util/host_port.h"
#include "whois/rdap/rdap_url.h"
#include "whois/rdap/retry_after.h"
#include "whois/upstream/address_policy.h"

namespace whois::rdap {

std::string_view HttpFailureName(HttpFailure f) {
  static constexpr util::EnumNames<HttpFailure::kOther> kNames(
      {"none", "timeout", "refused", "unreachable", "tls", "too_large", "too_many_redirects",
       "forbidden_url", "forbidden_address", "cancelled", "other"},
      "other");
  return kNames.Name(f);
}

std::string HttpClient::GlobalInit() {
  CURLcode rc = curl_global_init(CURL_GLOBAL_DEFAULT);
  return rc == CURLE_OK ? "" : std::string("curl_global_init: ") + curl_easy_strerror(rc);
}

void HttpClient::GlobalCleanup() { curl_global_cleanup(); }

// One socket curl asked us to watch.
struct HttpClient::Socket {
  uv_poll_t poll;
  curl_socket_t fd;
  HttpClient* client;
};

class HttpClient::Call {
 public:
  uint64_t id = 0;
  HttpClient* client = nullptr;
  CURL* easy = nullptr;
  curl_slist* headers = nullptr;
  curl_slist* connect_to = nullptr;
  Callback done;
  HttpResult result;
  uint64_t start_ns = 0;
  size_t max_body = 0;
  bool too_large = false;
  bool allow_private = false;
  std::optional<IpAddress> pinned_ip;
  int refused_addresses = 0;  // connections the address policy stopped
  std::string retry_after_raw;
  std::string interface;          // "host!ADDR" for CURLOPT_INTERFACE (curl keeps the pointer)
  std::function<void()> on_sent;  // emptied once called
  char errbuf[CURL_ERROR_SIZE] = {};

  ~Call() {
    if (headers != nullptr) curl_slist_free_all(headers);
    if (connect_to != nullptr) curl_slist_free_all(connect_to);
  }

  static size_t OnBody(char* data, size_t size, size_t n, void* userdata) {
    auto* c = static_cast<Call*>(userdata);
    size_t bytes = size * n;
    size_t room = c->max_body - std::min(c->max_body, c->result.body.size());
    if (bytes > room) {
      c->result.body.append(data, room);
      c->too_large = true;
      return 0;  // aborts the transfer with CURLE_WRITE_ERROR
    }
    c->result.body.append(data, bytes);
    return bytes;
  }

  static size_t OnHeader(char* data, size_t size, size_t n, void* userdata) {
    auto* c = static_cast<Call*>(userdata);
    std::string_view line(data, size * n);
    if (line.starts_with("HTTP/")) {  // a new response (after a redirect): forget the last one's
      c->retry_after_raw.clear();
      c->result.content_type.clear();
      return size * n;
    }
    size_t colon = line.find(':');
    if (colon == std::string_view::npos) return size * n;
    std::string name(line.substr(0, colon));
    for (char& ch : name) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    std::string_view value = line.substr(colon + 1);
    while (!value.empty() && (value.front() == ' ' || value.front() == '\t'))
      value.remove_prefix(1);
    while (!value.empty() &&
           (value.back() == '\r' || value.back() == '\n' || value.back() == ' ')) {
      value.remove_suffix(1);
    }
    if (name == "retry-after") c->retry_after_raw = std::string(value.substr(0, 128));
    if (name == "content-type") c->result.content_type = std::string(value.substr(0, 256));
    return size * n;
  }

  // Just before a request goes out on an established connection: what the server counts.
  static int OnPrereq(void* clientp, char*, char*, int, int) {
    auto* c = static_cast<Call*>(clientp);
    if (c->on_sent) {
      std::function<void()> on_sent = std::move(c->on_sent);
      c->on_sent = nullptr;
      on_sent();
    }
    return CURL_PREREQFUNC_OK;
  }

  // Every connection curl opens passes through here, so the address policy holds for redirects
  // and for every address a name resolves to.
  static curl_socket_t OnOpenSocket(void* clientp, curlsocktype purpose, curl_sockaddr* addr) {
    auto* c = static_cast<Call*>(clientp);
    if (purpose != CURLSOCKTYPE_IPCXN) return CURL_SOCKET_BAD;
    std::optional<IpAddress> ip = IpAddress::FromSockaddr(&addr->addr);
    if (!ip) return CURL_SOCKET_BAD;
    bool pinned = c->pinned_ip && *c->pinned_ip == *ip;
    if (!pinned && !c->allow_private && ClassifyAddress(*ip) != AddressClass::kPublic) {
      ++c->refused_addresses;
      return CURL_SOCKET_BAD;
    }
    return socket(addr->family, addr->socktype | SOCK_CLOEXEC, addr->protocol);
  }
};

namespace {

// An `upstream-address` (util::SplitAddressPort's spellings) -> (ip, port or 0).
std::optional<std::pair<IpAddress, int>> ParsePinned(std::string_view text) {
  std::optional<util::AddressPort> split = util::SplitAddressPort(text);
  if (!split) return std::nullopt;
  std::optional<IpAddress> ip = IpAddress::Parse(split->address);
  if (!ip) return std::nullopt;
  return std::make_pair(*ip, static_cast<int>(split->port));
}

std::string Bracketed(const IpAddress& ip) {
  return ip.family == IpAddress::Family::kV6 ? "[" + ip.ToString() + "]" : ip.ToString();
}

bool IsTlsError(CURLcode rc) {
  switch (rc) {
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CERTPROBLEM:
    case CURLE_SSL_CIPHER:
    case CURLE_SSL_CACERT_BADFILE:
    case CURLE_SSL_ISSUER_ERROR:
    case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
    case CURLE_SSL_INVALIDCERTSTATUS:
    case CURLE_SSL_ENGINE_NOTFOUND:
    case CURLE_SSL_ENGINE_SETFAILED:
    case CURLE_SSL_ENGINE_INITFAILED:
    case CURLE_SSL_CRL_BADFILE:
    case CURLE_SSL_SHUTDOWN_FAILED:
    case CURLE_USE_SSL_FAILED:
      return true;
    default:
      return false;
  }
}

}  // namespace

HttpClient::HttpClient(uv_loop_t* loop) : loop_(loop), curl_timer_(loop), defer_timer_(loop) {
  multi_ = curl_multi_init();
  curl_multi_setopt(multi_, CURLMOPT_SOCKETFUNCTION, &HttpClient::OnCurlSocket);
  curl_multi_setopt(multi_, CURLMOPT_SOCKETDATA, this);
  curl_multi_setopt(multi_, CURLMOPT_TIMERFUNCTION, &HttpClient::OnCurlTimer);
  curl_multi_setopt(multi_, CURLMOPT_TIMERDATA, this);
}

HttpClient::~HttpClient() {
  // Callbacks run by CancelAll may start new requests; those are cancelled too.
  for (int round = 0; round < 100 && !pending_.empty(); ++round) CancelAll();
  *alive_ = false;
  if (multi_ != nullptr) curl_multi_cleanup(multi_);  // may close sockets through OnCurlSocket
  multi_ = nullptr;
  for (Socket* s : sockets_) {
    uv_poll_stop(&s->poll);
    uv_close(reinterpret_cast<uv_handle_t*>(&s->poll),
             [](uv_handle_t* h) { delete static_cast<Socket*>(h->data); });
  }
  sockets_.clear();
}

void HttpClient::Get(std::string url, const HttpRequestOptions& o, Callback done) {
  auto* c = new Call;
  c->id = next_id_++;
  c->client = this;
  c->done = std::move(done);
  c->start_ns = uv_hrtime();
  c->max_body = o.max_body_bytes;
  c->allow_private = o.allow_private;
  c->result.effective_url = url;
  pending_.emplace(c->id, c);

  auto refuse = [&](HttpFailure f, std::string why) {
    c->result.failure = f;
    c->result.error = std::move(why);
    Defer(c);
  };
  auto parsed = ParseRdapUrl(url);
  if (!parsed.ok()) return refuse(HttpFailure::kForbiddenUrl, parsed.status().message());
  const RdapUrl& u = parsed.value();
  std::optional<std::pair<IpAddress, int>> pin;
  if (o.pinned_address) {
    pin = ParsePinned(*o.pinned_address);
    if (!pin) {
      return refuse(HttpFailure::kForbiddenUrl,
                    "pinned address '" + *o.pinned_address + "' is not IP, IP:PORT or [IPv6]:PORT");
    }
    c->pinned_ip = pin->first;
  }
  bool http_ok = o.allow_http || pin.has_value() || IsLoopbackLiteral(u.host);
  if (u.scheme == "http" && !http_ok) {
    return refuse(HttpFailure::kForbiddenUrl,
                  "plain http is not allowed for " + u.host +
                      " (only https, unless the operator configured or pinned the URL)");
  }
  c->easy = curl_easy_init();
  if (c->easy == nullptr) return refuse(HttpFailure::kOther, "curl_easy_init failed");
  CURL* e = c->easy;
  curl_easy_setopt(e, CURLOPT_URL, url.c_str());
  curl_easy_setopt(e, CURLOPT_PRIVATE, c);
  curl_easy_setopt(e, CURLOPT_ERRORBUFFER, c->errbuf);
  curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(e, CURLOPT_HTTPGET, 1L);
  const char* protocols = http_ok ? "http,https" : "https";
  curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, protocols);
  curl_easy_setopt(e, CURLOPT_REDIR_PROTOCOLS_STR, protocols);
  curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, 1L);
  curl_easy_setopt(e, CURLOPT_MAXREDIRS, kMaxRedirects);
  curl_easy_setopt(e, CURLOPT_SSL_VERIFYPEER, 1L);
  curl_easy_setopt(e, CURLOPT_SSL_VERIFYHOST, 2L);
  if (!o.ca_file.empty()) curl_easy_setopt(e, CURLOPT_CAINFO, o.ca_file.c_str());
  curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS,
                   static_cast<long>(std::max(1, o.connect_timeout_ms)));
  curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, static_cast<long>(std::max(1, o.total_timeout_ms)));
  curl_easy_setopt(e, CURLOPT_MAXFILESIZE_LARGE, static_cast<curl_off_t>(o.max_body_bytes));
  curl_easy_setopt(e, CURLOPT_ACCEPT_ENCODING, "");
  curl_easy_setopt(e, CURLOPT_PROXY, "");
  curl_easy_setopt(e, CURLOPT_NOPROXY, "*");
  curl_easy_setopt(e, CURLOPT_USERAGENT, o.user_agent.c_str());
  c->headers = curl_slist_append(nullptr, "Accept: application/rdap+json");
  curl_easy_setopt(e, CURLOPT_HTTPHEADER, c->headers);
  curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, &Call::OnBody);
  curl_easy_setopt(e, CURLOPT_WRITEDATA, c);
  curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, &Call::OnHeader);
  curl_easy_setopt(e, CURLOPT_HEADERDATA, c);
  curl_easy_setopt(e, CURLOPT_OPENSOCKETFUNCTION, &Call::OnOpenSocket);
  curl_easy_setopt(e, CURLOPT_OPENSOCKETDATA, c);
  c->on_sent = o.on_sent;
  curl_easy_setopt(e, CURLOPT_PREREQFUNCTION, &Call::OnPrereq);
  curl_easy_setopt(e, CURLOPT_PREREQDATA, c);
  if (!o.source_address.empty()) {
    // libcurl's documented form for binding a local IP address rather than an interface name.
    c->interface = "host!" + o.source_address;
    curl_easy_setopt(e, CURLOPT_INTERFACE, c->interface.c_str());
    curl_easy_setopt(
        e, CURLOPT_IPRESOLVE,
        o.source_address.find(':') != std::string::npos ? CURL_IPRESOLVE_V6 : CURL_IPRESOLVE_V4);
  }
  if (pin) {
    int url_port = u.port != 0 ? u.port : (u.scheme == "https" ? 443 : 80);
    std::string host = u.host.find(':') != std::string::npos ? "[" + u.host + "]" : u.host;
    std::string rule = host + ":" + std::to_string(url_port) + ":" + Bracketed(pin->first) + ":" +
                       std::to_string(pin->second != 0 ? pin->second : url_port);
    c->connect_to = curl_slist_append(nullptr, rule.c_str());
    curl_easy_setopt(e, CURLOPT_CONNECT_TO, c->connect_to);
  }
  CURLMcode rc = curl_multi_add_handle(multi_, e);
  if (rc != CURLM_OK) {
    curl_easy_cleanup(e);
    c->easy = nullptr;
    return refuse(HttpFailure::kOther,
                  std::string("curl_multi_add_handle: ") + curl_multi_strerror(rc));
  }
}

void HttpClient::Defer(Call* call) {
  deferred_.push_back(call->id);
  defer_timer_.Start(0, [this] { OnDeferred(); });
}

void HttpClient::OnDeferred() {
  while (!deferred_.empty()) {
    uint64_t id = deferred_.front();
    deferred_.erase(deferred_.begin());
    auto it = pending_.find(id);
    if (it == pending_.end()) continue;
    if (!Finish(it->second)) return;
  }
}

void HttpClient::CancelAll() {
  uint64_t last = next_id_ - 1;  // requests started by the callbacks below are left alone
  std::shared_ptr<bool> alive = alive_;
  while (!pending_.empty() && pending_.begin()->first <= last) {
    Call* c = pending_.begin()->second;
    c->result.failure = HttpFailure::kCancelled;
    c->result.error = "request cancelled";
    c->result.body.clear();
    c->result.status = 0;
    if (!Finish(c)) return;
  }
}

bool HttpClient::Finish(Call* c) {
  pending_.erase(c->id);
  std::erase(deferred_, c->id);
  if (c->easy != nullptr) {
    curl_multi_remove_handle(multi_, c->easy);
    curl_easy_cleanup(c->easy);
    c->easy = nullptr;
  }
  c->result.elapsed_ms = static_cast<int64_t>((uv_hrtime() - c->start_ns) / 1000000);
  Callback done = std::move(c->done);
  HttpResult result = std::move(c->result);
  delete c;
  std::shared_ptr<bool> alive = alive_;
  if (done) done(std::move(result));
  return *alive;
}

void HttpClient::ProcessDone() {
  std::shared_ptr<bool> alive = alive_;
  int left = 0;
  while (CURLMsg* msg = curl_multi_info_read(multi_, &left)) {
    if (msg->msg != CURLMSG_DONE) continue;
    CURL* e = msg->easy_handle;
    CURLcode rc = msg->data.result;
    Call* c = nullptr;
    curl_easy_getinfo(e, CURLINFO_PRIVATE, reinterpret_cast<char**>(&c));
    if (c == nullptr) continue;
    HttpResult& r = c->result;
    curl_easy_getinfo(e, CURLINFO_RESPONSE_CODE, &r.status);
    curl_easy_getinfo(e, CURLINFO_REDIRECT_COUNT, &r.redirects);
    char* eff = nullptr;
    if (curl_easy_getinfo(e, CURLINFO_EFFECTIVE_URL, &eff) == CURLE_OK && eff != nullptr) {
      r.effective_url = eff;
    }
    if (!c->retry_after_raw.empty()) {
      r.retry_after_s =
          ParseRetryAfter(c->retry_after_raw, static_cast<int64_t>(std::time(nullptr)));
    }
    long os_errno = 0;
    curl_easy_getinfo(e, CURLINFO_OS_ERRNO, &os_errno);
    std::string detail = c->errbuf[0] != '\0' ? c->errbuf : curl_easy_strerror(rc);
    if (rc == CURLE_OK) {
      r.failure = HttpFailure::kNone;
    } else if ((rc == CURLE_WRITE_ERROR && c->too_large) || rc == CURLE_FILESIZE_EXCEEDED) {
      r.failure = HttpFailure::kTooLarge;
      r.truncated = true;
      r.error = "response body exceeds the limit of " + std::to_string(c->max_body) + " bytes";
    } else if (rc == CURLE_OPERATION_TIMEDOUT) {
      r.failure = HttpFailure::kTimeout;
    } else if (rc == CURLE_COULDNT_RESOLVE_HOST) {
      r.failure = HttpFailure::kUnreachable;
    } else if (rc == CURLE_COULDNT_CONNECT) {
      r.failure = c->refused_addresses > 0 && os_errno == 0 ? HttpFailure::kForbiddenAddress
                  : os_errno == ECONNREFUSED                ? HttpFailure::kRefused
                                                            : HttpFailure::kUnreachable;
      if (r.failure == HttpFailure::kForbiddenAddress) {
        detail = "every address is loopback/private/reserved and not allowed (" + detail + ")";
      }
    } else if (IsTlsError(rc)) {
      r.failure = HttpFailure::kTls;
    } else if (rc == CURLE_TOO_MANY_REDIRECTS) {
      r.failure = HttpFailure::kTooManyRedirects;
    } else if (rc == CURLE_UNSUPPORTED_PROTOCOL) {
      r.failure = HttpFailure::kForbiddenUrl;
    } else {
      r.failure = HttpFailure::kOther;
    }
    if (r.failure != HttpFailure::kNone && r.error.empty()) r.error = detail;
    if (!Finish(c) || !*alive) return;
  }
}

int HttpClient::OnCurlSocket(void* /*easy*/, int fd, int action, void* userp, void* socketp) {
  auto* self = static_cast<HttpClient*>(userp);
  auto* s = static_cast<Socket*>(socketp);
  if (action == CURL_POLL_REMOVE) {
    if (s != nullptr) {
      uv_poll_stop(&s->poll);
      std::erase(self->sockets_, s);
      uv_close(reinterpret_cast<uv_handle_t*>(&s->poll),
               [](uv_handle_t* h) { delete static_cast<Socket*>(h->data); });
      curl_multi_assign(self->multi_, fd, nullptr);
    }
    return 0;
  }
  if (s == nullptr) {
    s = new Socket;
    s->fd = fd;
    s->client = self;
    if (uv_poll_init_socket(self->loop_, &s->poll, fd) != 0) {
      delete s;
      return -1;
    }
    s->poll.data = s;
    self->sockets_.push_back(s);
    curl_multi_assign(self->multi_, fd, s);
  }
  int events = 0;
  if (action == CURL_POLL_IN || action == CURL_POLL_INOUT) events |= UV_READABLE;
  if (action == CURL_POLL_OUT || action == CURL_POLL_INOUT) events |= UV_WRITABLE;
  uv_poll_start(&s->poll, events, &HttpClient::OnPoll);
  return 0;
}

int HttpClient::OnCurlTimer(void* /*multi*/, long timeout_ms, void* userp) {
  auto* self = static_cast<HttpClient*>(userp);
  if (timeout_ms < 0) {
    self->curl_timer_.Stop();
  } else {
    // Even a 0 ms timeout goes through the loop: curl must not be re-entered from its callback.
    self->curl_timer_.Start(static_cast<uint64_t>(timeout_ms), [self] { self->OnTimeout(); });
  }
  return 0;
}

void HttpClient::OnPoll(uv_poll_t* handle, int status, int events) {
  auto* s = static_cast<Socket*>(handle->data);
  HttpClient* self = s->client;
  int flags = 0;
  if (status < 0) {
    flags = CURL_CSELECT_ERR;
  } else {
    if (events & UV_READABLE) flags |= CURL_CSELECT_IN;
    if (events & UV_WRITABLE) flags |= CURL_CSELECT_OUT;
  }
  int running = 0;
  curl_multi_socket_action(self->multi_, s->fd, flags, &running);  // may free `s`
  self->ProcessDone();
}

void HttpClient::OnTimeout() {
  int running = 0;
  curl_multi_socket_action(multi_, CURL_SOCKET_TIMEOUT, 0, &running);
  ProcessDone();  // may destroy this client
}

}  // namespace whois::rdap
