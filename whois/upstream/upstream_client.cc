#include "whois/upstream/upstream_client.h"

#include <netinet/in.h>
#include <spdlog/spdlog.h>
#include <sys/socket.h>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <memory>
#include <utility>
#include <vector>

#include "util/enum_names.h"
#include "util/host_port.h"
#include "util/uv_timer.h"
#include "whois/upstream/address_policy.h"
#include "whois/upstream/charset.h"

namespace whois {

std::string_view UpstreamFailureName(UpstreamFailure f) {
  static constexpr util::EnumNames<UpstreamFailure::kCancelled> kNames(
      {"none", "refused", "reset", "timed_out", "empty_reply", "unreachable", "forbidden_address",
       "invalid_query", "cancelled"},
      "unknown");
  return kNames.Name(f);
}

util::Status CheckWhoisQuery(std::string_view query) {
  if (query.empty()) return util::Status::InvalidArgument("empty WHOIS query");
  if (query.size() > kMaxQueryBytes) {
    return util::Status::InvalidArgument("WHOIS query of " + std::to_string(query.size()) +
                                         " bytes exceeds the limit of " +
                                         std::to_string(kMaxQueryBytes));
  }
  for (size_t i = 0; i < query.size(); ++i) {
    auto c = static_cast<unsigned char>(query[i]);
    if (c < 0x20 || c == 0x7f) {
      char hex[8];
      std::snprintf(hex, sizeof(hex), "0x%02X", c);
      return util::Status::InvalidArgument(
          std::string("WHOIS query contains control character ") + hex + " at offset " +
          std::to_string(i) + " (CR, LF and other control bytes would let it inject lines)");
    }
  }
  return util::Status::OK();
}

namespace {

// Reads are done into a fixed buffer of this size, so a reply never costs more than
// max_reply_bytes plus one buffer.
constexpr size_t kReadChunk = size_t{64} * 1024;

struct Address {
  IpAddress ip;
  uint16_t port = 0;
  sockaddr_storage storage{};
};

Address MakeAddress(const IpAddress& ip, uint16_t port) {
  Address a;
  a.ip = ip;
  a.port = port;
  if (ip.family == IpAddress::Family::kV4) {
    auto* in = reinterpret_cast<sockaddr_in*>(&a.storage);
    in->sin_family = AF_INET;
    in->sin_port = htons(port);
    std::memcpy(&in->sin_addr, ip.bytes.data(), 4);
  } else {
    auto* in6 = reinterpret_cast<sockaddr_in6*>(&a.storage);
    in6->sin6_family = AF_INET6;
    in6->sin6_port = htons(port);
    std::memcpy(&in6->sin6_addr, ip.bytes.data(), 16);
  }
  return a;
}

// An `upstream-address` (util::SplitAddressPort's spellings); the host's port when none is given.
std::optional<Address> ParsePinned(std::string_view text, uint16_t default_port) {
  std::optional<util::AddressPort> split = util::SplitAddressPort(text);
  if (!split) return std::nullopt;
  std::optional<IpAddress> ip = IpAddress::Parse(split->address);
  if (!ip) return std::nullopt;
  const uint16_t port = split->port != 0 ? split->port : default_port;
  return MakeAddress(*ip, port);
}

// Host names come from referrals in untrusted WHOIS text ("whois://x/y", "whois.godaddy ",
// "host:43"); only a plain DNS name or IP literal goes to the resolver.
std::optional<std::string> CheckHostName(std::string_view host) {
  if (host.empty()) return "empty upstream host name";
  if (host.size() > 253) return "upstream host name longer than 253 characters";
  for (char c : host) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '.' || c == '-' || c == '_' || c == ':';
    if (!ok) {
      std::string shown;
      for (char d : host.substr(0, 64)) shown.push_back(d >= 0x20 && d < 0x7f ? d : '?');
      return "upstream host name '" + shown + "' is not a DNS name or IP address";
    }
  }
  return std::nullopt;
}

// How one connect attempt ended.
enum class AttemptOutcome { kRefused, kTimedOut, kOther };

}  // namespace

// One query's state. Owns itself: deleted once the query has finished and libuv has released
// every handle and request (see MaybeDelete).
class UpstreamClient::Call {
 public:
  Call(UpstreamClient* client, uv_loop_t* loop, UpstreamTarget target, std::string query,
       UpstreamOptions options, Callback done)
      : client_(client),
        loop_(loop),
        target_(std::move(target)),
        query_(std::move(query)),
        options_(std::move(options)),
        done_(std::move(done)),
        start_ns_(uv_hrtime()),
        overall_timer_(loop),
        connect_timer_(loop),
        read_buf_(client->read_buf_) {}

  void Start();
  // Ends the query now with `failure` and runs the callback. No-op if already finished.
  void Finish(UpstreamFailure failure, std::string error);
  // Called by CancelAll: the client's pending set is being emptied by the caller.
  void Detach() { client_ = nullptr; }

 private:
  void FailSoon(UpstreamFailure failure, std::string error);
  void Resolve();
  void OnResolved(int status, addrinfo* res);
  void TryNextAddress();
  void OnConnected(int status);
  void OnConnectTimeout();
  void EndAttempt(AttemptOutcome outcome, std::string detail);
  void OnRead(ssize_t nread);
  void CloseTcp();
  void MaybeDelete();
  std::string Host() const { return target_.host; }

  UpstreamClient* client_;  // null once finished or detached
  uv_loop_t* loop_;
  UpstreamTarget target_;
  std::string query_;
  UpstreamOptions options_;
  Callback done_;
  uint64_t start_ns_;

  // libuv objects. `open_handles_` counts initialised handles not yet closed (the socket; the
  // timers close themselves with this object); `gai_pending_` is true while a name lookup may
  // still call back; `reap_pending_` from Finish until the loop's next timer phase, so this
  // object outlives the user callback. Memory stays until all three are clear.
  util::UvTimer overall_timer_;
  util::UvTimer connect_timer_;
  uv_tcp_t tcp_{};
  uv_getaddrinfo_t gai_{};
  uv_connect_t connect_req_{};
  uv_write_t write_req_{};
  int open_handles_ = 0;
  bool gai_pending_ = false;
  bool reap_pending_ = false;
  bool tcp_open_ = false;
  bool tcp_closing_ = false;
  bool finished_ = false;

  std::optional<std::pair<UpstreamFailure, std::string>> deferred_failure_;
  std::vector<Address> addresses_;
  size_t next_address_ = 0;
  std::string address_used_;
  bool any_refused_ = false;
  bool any_timed_out_ = false;
  std::string attempt_errors_;  // "addr: why; addr: why"

  std::string request_;  // query + CRLF, alive until the write completes
  std::string raw_;
  bool truncated_ = false;
  bool peer_closed_ = false;          // read EOF: the server has closed its side
  std::shared_ptr<char[]> read_buf_;  // the client's read buffer (kReadChunk bytes)
};

void UpstreamClient::Call::Start() {
  // The loop's cached time may be stale (Query() is often called after other work in the same
  // iteration); timeouts count from now.
  uv_update_time(loop_);
  // The overall timer bounds everything from here on, DNS included.
  overall_timer_.Start(static_cast<uint64_t>(std::max(options_.query_timeout_ms, 0)), [this] {
    std::string error = "no complete reply from " + Host() + " within " +
                        std::to_string(options_.query_timeout_ms) + " ms";
    if (!raw_.empty()) {
      error += " (" + std::to_string(raw_.size()) + " bytes received)";
    } else if (!attempt_errors_.empty()) {
      error += " (" + attempt_errors_ + ")";
    }
    Finish(UpstreamFailure::kTimedOut, std::move(error));
  });

  if (util::Status st = CheckWhoisQuery(query_); !st.ok()) {
    FailSoon(UpstreamFailure::kInvalidQuery, st.message());
    return;
  }
  if (target_.pinned_address) {
    std::optional<Address> pinned = ParsePinned(*target_.pinned_address, target_.port);
    if (!pinned) {
      FailSoon(UpstreamFailure::kUnreachable, "pinned address '" + *target_.pinned_address +
                                                  "' for " + Host() +
                                                  " is not IP, IP:PORT or [IPv6]:PORT");
      return;
    }
    addresses_.push_back(*pinned);
    TryNextAddress();
    return;
  }
  if (auto bad_host = CheckHostName(target_.host)) {
    FailSoon(UpstreamFailure::kUnreachable, *bad_host);
    return;
  }
  if (std::optional<IpAddress> literal = IpAddress::Parse(target_.host)) {
    // An address literal from a referral is as untrusted as a DNS answer.
    if (!IsAllowedUpstreamAddress(*literal, options_.allow_private)) {
      FailSoon(UpstreamFailure::kForbiddenAddress,
               "upstream " + Host() + " is a " +
                   std::string(AddressClassName(ClassifyAddress(*literal))) +
                   " address; only public addresses are allowed unless pinned");
      return;
    }
    addresses_.push_back(MakeAddress(*literal, target_.port));
    TryNextAddress();
    return;
  }
  Resolve();
}

void UpstreamClient::Call::FailSoon(UpstreamFailure failure, std::string error) {
  // Reuses the overall timer with a zero timeout so the callback never runs inside Query().
  deferred_failure_.emplace(failure, std::move(error));
  overall_timer_.Start(0, [this] {
    auto [f, e] = std::move(*deferred_failure_);
    Finish(f, std::move(e));
  });
}

void UpstreamClient::Call::Resolve() {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_protocol = IPPROTO_TCP;
  gai_.data = this;
  int rc = uv_getaddrinfo(
      loop_, &gai_,
      [](uv_getaddrinfo_t* req, int status, addrinfo* res) {
        static_cast<Call*>(req->data)->OnResolved(status, res);
      },
      target_.host.c_str(), nullptr, &hints);
  if (rc < 0) {
    FailSoon(UpstreamFailure::kUnreachable,
             "cannot resolve " + Host() + ": " + std::string(uv_strerror(rc)));
    return;
  }
  gai_pending_ = true;
}

void UpstreamClient::Call::OnResolved(int status, addrinfo* res) {
  gai_pending_ = false;
  std::unique_ptr<addrinfo, void (*)(addrinfo*)> owned(res, uv_freeaddrinfo);
  if (finished_) {
    MaybeDelete();
    return;
  }
  if (status < 0) {
    Finish(UpstreamFailure::kUnreachable,
           "cannot resolve " + Host() + ": " + std::string(uv_strerror(status)));
    return;
  }
  std::string forbidden;
  std::vector<IpAddress> seen;  // getaddrinfo repeats an address per protocol/socktype
  for (addrinfo* ai = res; ai != nullptr; ai = ai->ai_next) {
    std::optional<IpAddress> ip = IpAddress::FromSockaddr(ai->ai_addr);
    if (!ip || std::find(seen.begin(), seen.end(), *ip) != seen.end()) continue;
    seen.push_back(*ip);
    if (!IsAllowedUpstreamAddress(*ip, options_.allow_private)) {
      if (!forbidden.empty()) forbidden += ", ";
      forbidden +=
          ip->ToString() + " (" + std::string(AddressClassName(ClassifyAddress(*ip))) + ")";
      continue;
    }
    addresses_.push_back(MakeAddress(*ip, target_.port));
  }
  if (addresses_.empty()) {
    if (!forbidden.empty()) {
      Finish(UpstreamFailure::kForbiddenAddress,
             Host() + " resolves only to addresses the proxy may not contact: " + forbidden +
                 "; pin it with upstream-address or enable private upstreams");
    } else {
      Finish(UpstreamFailure::kUnreachable, Host() + " has no IPv4 or IPv6 address");
    }
    return;
  }
  TryNextAddress();
}

void UpstreamClient::Call::TryNextAddress() {
  if (finished_) return;
  if (next_address_ >= addresses_.size()) {
    UpstreamFailure failure = any_refused_     ? UpstreamFailure::kRefused
                              : any_timed_out_ ? UpstreamFailure::kTimedOut
                                               : UpstreamFailure::kUnreachable;
    Finish(failure, "cannot connect to " + Host() + ": " + attempt_errors_);
    return;
  }
  const Address& addr = addresses_[next_address_++];
  address_used_ = addr.ip.ToStringWithPort(addr.port);
  std::optional<Address> source;
  if (!options_.source_address.empty()) {
    std::optional<IpAddress> ip = IpAddress::Parse(options_.source_address);
    if (!ip) {
      Finish(UpstreamFailure::kUnreachable,
             "source address '" + options_.source_address + "' is not an IP address");
      return;
    }
    if (ip->family != addr.ip.family) {
      // A socket bound to an IPv4 address cannot reach an IPv6 one (and the other way round).
      if (!attempt_errors_.empty()) attempt_errors_ += "; ";
      attempt_errors_ +=
          address_used_ + " skipped: not the family of source address " + options_.source_address;
      TryNextAddress();
      return;
    }
    source = MakeAddress(*ip, 0);
  }
  uv_tcp_init(loop_, &tcp_);
  tcp_.data = this;
  ++open_handles_;
  tcp_open_ = true;
  tcp_closing_ = false;
  if (source) {
    // Bound before connecting, port 0: the kernel picks a free port on that address.
    int bound = uv_tcp_bind(&tcp_, reinterpret_cast<const sockaddr*>(&source->storage), 0);
    if (bound < 0) {
      EndAttempt(AttemptOutcome::kOther, "cannot bind source address " + options_.source_address +
                                             ": " + uv_strerror(bound));
      return;
    }
  }
  connect_req_.data = this;
  int rc = uv_tcp_connect(
      &connect_req_, &tcp_, reinterpret_cast<const sockaddr*>(&addr.storage),
      [](uv_connect_t* req, int status) { static_cast<Call*>(req->data)->OnConnected(status); });
  if (rc < 0) {
    // Failed synchronously (e.g. no IPv6 on this host): no callback will come.
    EndAttempt(rc == UV_ECONNREFUSED ? AttemptOutcome::kRefused : AttemptOutcome::kOther,
               uv_strerror(rc));
    return;
  }
  connect_timer_.Start(static_cast<uint64_t>(std::max(options_.connect_timeout_ms, 0)),
                       [this] { OnConnectTimeout(); });
}

void UpstreamClient::Call::OnConnectTimeout() {
  EndAttempt(AttemptOutcome::kTimedOut,
             "connect timed out after " + std::to_string(options_.connect_timeout_ms) + " ms");
}

void UpstreamClient::Call::EndAttempt(AttemptOutcome outcome, std::string detail) {
  connect_timer_.Stop();
  if (outcome == AttemptOutcome::kRefused) any_refused_ = true;
  if (outcome == AttemptOutcome::kTimedOut) any_timed_out_ = true;
  if (!attempt_errors_.empty()) attempt_errors_ += "; ";
  attempt_errors_ += address_used_ + " " + detail;
  // The next address is tried from the close callback, once tcp_ may be initialised again.
  CloseTcp();
}

void UpstreamClient::Call::OnConnected(int status) {
  if (tcp_closing_ || finished_) return;  // UV_ECANCELED from our own close
  if (status < 0) {
    AttemptOutcome outcome = status == UV_ECONNREFUSED ? AttemptOutcome::kRefused
                             : status == UV_ETIMEDOUT  ? AttemptOutcome::kTimedOut
                                                       : AttemptOutcome::kOther;
    EndAttempt(outcome, uv_strerror(status));
    return;
  }
  connect_timer_.Stop();
  // No TCP_NODELAY: the query is one write on a fresh connection, which Nagle never delays, and
  // the setsockopt would be a syscall per query for nothing.
  request_ = query_ + "\r\n";
  uv_buf_t buf = uv_buf_init(request_.data(), static_cast<unsigned>(request_.size()));
  write_req_.data = this;
  int rc = uv_write(
      &write_req_, reinterpret_cast<uv_stream_t*>(&tcp_), &buf, 1, [](uv_write_t* req, int st) {
        auto* self = static_cast<Call*>(req->data);
        // A server that answers and closes before reading the query makes the
        // write fail with EPIPE/ECONNRESET while the reply is still readable, so
        // only other errors end the query; reads report resets themselves.
        if (st < 0 && st != UV_ECANCELED && st != UV_EPIPE && st != UV_ECONNRESET &&
            !self->finished_) {
          self->Finish(
              UpstreamFailure::kUnreachable,
              "sending the query to " + self->address_used_ + " failed: " + uv_strerror(st));
        }
      });
  if (rc < 0) {
    Finish(UpstreamFailure::kUnreachable,
           "sending the query to " + address_used_ + " failed: " + uv_strerror(rc));
    return;
  }
  // The bytes are with the kernel (uv_write writes at once on a fresh connection): the server
  // counts the query from now.
  if (options_.on_sent) {
    std::function<void()> on_sent = std::move(options_.on_sent);
    options_.on_sent = nullptr;
    on_sent();
  }
  uv_read_start(
      reinterpret_cast<uv_stream_t*>(&tcp_),
      [](uv_handle_t* h, size_t, uv_buf_t* out) {
        auto* self = static_cast<Call*>(h->data);
        // Enough to notice a reply longer than the cap without reading much beyond it.
        size_t size = std::min(kReadChunk, self->options_.max_reply_bytes + 1);
        *out = uv_buf_init(self->read_buf_.get(), static_cast<unsigned>(size));
      },
      [](uv_stream_t* s, ssize_t nread, const uv_buf_t*) {
        static_cast<Call*>(s->data)->OnRead(nread);
      });
}

void UpstreamClient::Call::OnRead(ssize_t nread) {
  if (finished_) return;
  if (nread > 0) {
    size_t room = options_.max_reply_bytes - raw_.size();
    size_t n = static_cast<size_t>(nread);
    if (n > room) {
      // Cut here and stop reading: a server streaming without end must not cost more memory.
      raw_.append(read_buf_.get(), room);
      truncated_ = true;
      Finish(UpstreamFailure::kNone, "");
      return;
    }
    raw_.append(read_buf_.get(), n);
    return;
  }
  if (nread == 0) return;  // EAGAIN
  if (nread == UV_EOF) {
    peer_closed_ = true;
    if (raw_.empty()) {
      Finish(UpstreamFailure::kEmptyReply,
             Host() + " (" + address_used_ + ") closed the connection without replying");
    } else {
      Finish(UpstreamFailure::kNone, "");
    }
    return;
  }
  if (!raw_.empty()) {
    // Servers that close with unread input send RST after their reply; the reply is complete.
    Finish(UpstreamFailure::kNone, "");
    return;
  }
  if (nread == UV_ECONNRESET) {
    Finish(UpstreamFailure::kReset,
           Host() + " (" + address_used_ + ") reset the connection before replying");
    return;
  }
  Finish(UpstreamFailure::kUnreachable, "reading from " + Host() + " (" + address_used_ +
                                            ") failed: " + uv_strerror(static_cast<int>(nread)));
}

void UpstreamClient::Call::CloseTcp() {
  if (!tcp_open_ || tcp_closing_) return;
  tcp_closing_ = true;
  auto on_closed = [](uv_handle_t* h) {
    auto* self = static_cast<Call*>(h->data);
    self->tcp_open_ = false;
    self->tcp_closing_ = false;
    --self->open_handles_;
    if (self->finished_) {
      self->MaybeDelete();
    } else {
      self->TryNextAddress();
    }
  };
  // Once the server has closed its side (the reply is complete) or we cut a reply short, end
  // with a reset: nothing is left to deliver either way, and it spares both ends the FIN/ACK
  // exchange and the server a TIME_WAIT socket (a quarter of the kernel time a lookup cost on
  // loopback, bench/miss_path.sh).
  if ((peer_closed_ || truncated_) && uv_tcp_close_reset(&tcp_, on_closed) == 0) {
    return;
  }
  uv_close(reinterpret_cast<uv_handle_t*>(&tcp_), on_closed);
}

void UpstreamClient::Call::MaybeDelete() {
  if (finished_ && open_handles_ == 0 && !gai_pending_ && !reap_pending_) delete this;
}

void UpstreamClient::Call::Finish(UpstreamFailure failure, std::string error) {
  if (finished_) return;
  finished_ = true;
  if (client_ != nullptr) {
    client_->pending_.erase(this);
    client_ = nullptr;
  }

  UpstreamResult result;
  result.failure = failure;
  result.error = std::move(error);
  result.address_used = address_used_;
  result.raw_bytes = raw_.size();
  result.truncated = truncated_;
  if (!raw_.empty() &&
      (failure == UpstreamFailure::kNone || failure == UpstreamFailure::kTimedOut)) {
    DecodedText decoded = DecodeToUtf8(raw_, options_.charset);
    result.text = std::move(decoded.utf8);
    result.charset_warning = std::move(decoded.warning);
  }
  result.elapsed_ms = static_cast<int64_t>((uv_hrtime() - start_ns_) / 1000000);
  std::string().swap(raw_);

  // Release libuv resources first. The socket's close callback runs on a later loop iteration,
  // and so does the reap (the overall timer, now with nothing left to time), so `this` stays
  // valid through the user callback below, and is deleted by the last of them.
  if (gai_pending_) uv_cancel(reinterpret_cast<uv_req_t*>(&gai_));
  connect_timer_.Stop();
  reap_pending_ = true;
  overall_timer_.Start(0, [this] {
    reap_pending_ = false;
    MaybeDelete();
  });
  CloseTcp();

  spdlog::debug("whois {} via {}: {} in {} ms, {} bytes{}{}{}", target_.host,
                result.address_used.empty() ? "-" : result.address_used,
                UpstreamFailureName(failure), result.elapsed_ms, result.raw_bytes,
                result.truncated ? " (truncated)" : "", result.error.empty() ? "" : ": ",
                result.error);

  Callback done = std::move(done_);
  done_ = nullptr;
  // Nothing after this line may touch the client: the callback may have destroyed it.
  if (done) done(std::move(result));
}

UpstreamClient::UpstreamClient(uv_loop_t* loop)
    : loop_(loop), read_buf_(std::make_shared_for_overwrite<char[]>(kReadChunk)) {}

UpstreamClient::~UpstreamClient() { CancelAll(); }

void UpstreamClient::Query(const UpstreamTarget& target, std::string query,
                           const UpstreamOptions& options, Callback done) {
  auto* call = new Call(this, loop_, target, std::move(query), options, std::move(done));
  pending_.insert(call);
  call->Start();
}

void UpstreamClient::CancelAll() {
  std::unordered_set<Call*> calls;
  calls.swap(pending_);
  // Detach all first: a callback may destroy this client while we are still iterating.
  for (Call* call : calls) call->Detach();
  for (Call* call : calls) {
    call->Finish(UpstreamFailure::kCancelled, "cancelled: the proxy is shutting down");
  }
}

}  // namespace whois
