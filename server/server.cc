// The server: its loop, listeners, start-up, signals, cron and shutdown. Its clients (reading,
// running commands, replies and their limits) are in client_io.cc.
#include "server/server.h"

#include <netinet/in.h>
#include <spdlog/spdlog.h>
#include <sys/resource.h>
#include <sys/socket.h>

#include "resp/reply_writer.h"
#include "server/log_level.h"
#include "server/metrics_http.h"
#include "server/metrics_report.h"
#include "server/protected_mode.h"
#include "server/record_service.h"
#include "server/request_reply_listener.h"
#include "server/tcp_listeners.h"
#include "server/whois_front_door.h"

namespace server {
namespace {

// How long shutdown waits for in-flight work (lookups, replies) before it cancels the lookups
// still running, and then for their fallback replies to be written.
constexpr int kShutdownGraceMs = 3000;
constexpr int kShutdownFlushMs = 1000;

}  // namespace

Server::Server(Config config) : config_(std::move(config)) {
  uv_loop_init(&loop_);
  loop_.data = this;
  // LoadConfig has checked each rename against the table, in this order.
  for (const auto& [from, to] : config_.renamed_commands) {
    if (util::Status st = commands_.Rename(from, to); !st.ok())
      spdlog::critical("rename-command {}: {}", from, st.message());
    else if (to.empty())
      spdlog::info("command {} disabled (rename-command)", from);
    else
      spdlog::info("command {} renamed (rename-command)", from);
  }
}

Server::~Server() {
  // Run() leaves the loop with no handles; closing it here frees libuv's own resources.
  uv_loop_close(&loop_);
}

bool Server::CheckProtectedMode() {
  const std::string public_bind = PublicBindWhileProtected(config_);
  if (public_bind.empty()) return true;
  spdlog::critical(
      "refusing to start: bind {} is not a loopback address and no requirepass is set "
      "(protected mode). Set 'requirepass', or 'protected-mode no' if the network is "
      "trusted.",
      public_bind);
  return false;
}

bool Server::Listen() {
  return BindListeners(&loop_, config_.bind, config_.port, "redis protocol", this, OnConnection,
                       &listeners_) &&
         ListenExtraPorts();
}

bool Server::ListenExtraPorts() {
  if (config_.metrics_port > 0) {
    RequestReplyListener::Options o;
    o.name = "metrics";
    o.terminator = "\r\n\r\n";
    metrics_ = std::make_unique<RequestReplyListener>(
        &loop_, std::move(o),
        [this](std::string_view request, const std::string&,
               RequestReplyListener::Respond respond) {
          respond(MetricsHttpReply(request, [this] { return BuildMetrics(*this); }));
        });
    if (!metrics_->Listen(config_.bind, config_.metrics_port)) return false;
  }
  if (config_.whois_port > 0) {
    whois_ = std::make_unique<WhoisFrontDoor>(this);
    if (!whois_->Listen(config_.bind, config_.whois_port)) return false;
  }
  return true;
}

namespace {

// Descriptors the process needs besides its clients: LevelDB's open table files (the store caps
// them at 256), upstream connections in flight, listeners, logs. As Redis does, the soft limit
// is raised to fit `maxclients` plus these; if the hard limit does not allow it, clients beyond
// what fits would be dropped silently, so the operator is told.
constexpr rlim_t kReservedFds = 32 + 256 + 512;

void RaiseOpenFilesLimit(int maxclients) {
  rlimit lim{};
  if (getrlimit(RLIMIT_NOFILE, &lim) != 0) return;
  rlim_t want = static_cast<rlim_t>(maxclients) + kReservedFds;
  if (lim.rlim_cur >= want) return;
  rlim_t target = lim.rlim_max == RLIM_INFINITY ? want : std::min(want, lim.rlim_max);
  if (target > lim.rlim_cur) {
    rlimit raised = lim;
    raised.rlim_cur = target;
    if (setrlimit(RLIMIT_NOFILE, &raised) == 0) lim.rlim_cur = target;
  }
  if (lim.rlim_cur < want) {
    spdlog::warn(
        "maxclients {} needs {} open files, but the limit is {} (hard limit {}): at most about "
        "{} clients can connect; raise the hard limit (ulimit -Hn) or lower maxclients",
        maxclients, want, lim.rlim_cur, lim.rlim_max,
        lim.rlim_cur > kReservedFds ? lim.rlim_cur - kReservedFds : 0);
  } else {
    spdlog::info("open files limit raised to {} for maxclients {}", lim.rlim_cur, maxclients);
  }
}

}  // namespace

int Server::Run() {
  start_time_ms_ = NowMs();
  if (!CheckProtectedMode()) return 1;
  RaiseOpenFilesLimit(config_.maxclients);
  executor_ = std::make_unique<LoopExecutor>(&loop_);
  records_ = std::make_unique<RecordService>(this, executor_.get());
  util::Status opened = records_->Open();
  bool ok = opened.ok();
  if (!ok) spdlog::critical("{}", opened.message());
  if (ok) ok = Listen();
  if (ok) {
    uv_signal_init(&loop_, &sigint_);
    uv_signal_init(&loop_, &sigterm_);
    sigint_.data = sigterm_.data = this;
    uv_signal_start(&sigint_, OnSignal, SIGINT);
    uv_signal_start(&sigterm_, OnSignal, SIGTERM);
    uv_signal_init(&loop_, &sighup_);
    sighup_.data = this;
    uv_signal_start(
        &sighup_,
        [](uv_signal_t* h, int) {
          auto* self = static_cast<Server*>(h->data);
          spdlog::info("received SIGHUP{}", self->reopen_log_ ? ", reopening the log file" : "");
          if (self->reopen_log_) self->reopen_log_();
        },
        SIGHUP);
    cron_ = std::make_unique<util::UvTimer>(&loop_);
    cron_->Start(1000, 1000, [this] { Cron(); });
    shutdown_timer_ = std::make_unique<util::UvTimer>(&loop_);
    uv_idle_init(&loop_, &input_turn_);
    input_turn_.data = this;
    uv_prepare_init(&loop_, &poll_mark_);
    poll_mark_.data = this;
    uv_prepare_start(&poll_mark_, [](uv_prepare_t* h) {
      auto* self = static_cast<Server*>(h->data);
      self->FlushQueued();
      self->poll_started_ns_ = uv_hrtime();
    });
    spdlog::info("whois-proxy ready to accept connections on port {}", config_.port);
    uv_run(&loop_, UV_RUN_DEFAULT);
  } else {
    CloseListeners(&listeners_);
    if (metrics_) metrics_->Close();
    if (whois_) whois_->Close();
    records_->Close();
    records_.reset();
    executor_->Close();
    uv_run(&loop_, UV_RUN_DEFAULT);
  }
  return ok ? 0 : 1;
}

void Server::RequestShutdown() {
  if (shutting_down_) return;
  shutting_down_ = true;
  shutdown_started_ms_ = NowMs();
  spdlog::info("shutting down: no new connections; finishing in-flight work");
  CloseListeners(&listeners_);
  if (metrics_) metrics_->StopListening();
  if (whois_) whois_->StopListening();
  if (shutdown_timer_) shutdown_timer_->Start(0, 20, [this] { OnShutdownTick(); });
}

void Server::OnShutdownTick() {
  bool pending = false;
  for (auto& [id, conn] : clients_)
    if (conn->replies.has_pending() || conn->PendingOutput() > 0) pending = true;
  // WHOIS port queries being answered count too (idle ones are closed by their own timer).
  if (whois_ && whois_->connections() > 0) pending = true;
  const int64_t elapsed = NowMs() - shutdown_started_ms_;
  if (!pending || elapsed >= kShutdownGraceMs + kShutdownFlushMs) return FinishShutdown();
  if (elapsed < kShutdownGraceMs || lookups_cancelled_) return;
  // The grace is over: lookups still running end now, and the clients waiting for them get
  // fallback records (nothing is stored), written before the clients are closed.
  lookups_cancelled_ = true;
  spdlog::info("shutting down: cancelling the lookups still running");
  records_->CancelLookups();
}

void Server::FinishShutdown() {
  // Runs inside the shutdown timer's callback, which UvTimer allows to destroy it.
  shutdown_timer_.reset();
  cron_.reset();
  std::vector<Connection*> all;
  for (auto& [id, conn] : clients_) all.push_back(conn);
  for (Connection* c : all) Close(c);
  if (metrics_) metrics_->Close();
  // Storage completions for closed clients are dropped by CompleteReply.
  records_->Close();
  spdlog::info("record store closed");
  if (whois_) whois_->Close();
  executor_->Close();
  uv_close(reinterpret_cast<uv_handle_t*>(&sigint_), nullptr);
  uv_close(reinterpret_cast<uv_handle_t*>(&sigterm_), nullptr);
  uv_close(reinterpret_cast<uv_handle_t*>(&sighup_), nullptr);
  uv_close(reinterpret_cast<uv_handle_t*>(&input_turn_), nullptr);
  uv_close(reinterpret_cast<uv_handle_t*>(&poll_mark_), nullptr);
  input_ready_.clear();
  spdlog::info("whois-proxy is now ready to exit, bye bye...");
}

void Server::OnSignal(uv_signal_t* handle, int signum) {
  auto* self = static_cast<Server*>(handle->data);
  spdlog::warn("received {}, scheduling shutdown", signum == SIGINT ? "SIGINT" : "SIGTERM");
  self->RequestShutdown();
}

void Server::OnConnection(uv_stream_t* listener, int status) {
  auto* self = static_cast<Server*>(listener->data);
  if (status < 0) {
    spdlog::warn("accept error: {}", uv_strerror(status));
    return;
  }
  self->Accept(listener);
}

void Server::Refuse(Connection* conn, std::string_view error) {
  // One try, never waiting: a client refused at the door gets the reason if its socket takes it.
  std::string msg = resp::ErrorReply(error);
  uv_buf_t b = uv_buf_init(msg.data(), static_cast<unsigned int>(msg.size()));
  uv_try_write(reinterpret_cast<uv_stream_t*>(&conn->tcp), &b, 1);
  conn->closing = true;
  uv_close(reinterpret_cast<uv_handle_t*>(&conn->tcp), OnClose);
}

void Server::Accept(uv_stream_t* listener) {
  resp::ParserLimits limits;
  limits.max_bulk_length = config_.proto_max_bulk_len;
  limits.authenticated = config_.requirepass.empty();
  auto* conn = new Connection(this, next_client_id_++, limits);
  conn->authenticated = limits.authenticated;
  uv_tcp_init(&loop_, &conn->tcp);
  if (uv_accept(listener, reinterpret_cast<uv_stream_t*>(&conn->tcp)) != 0) {
    conn->closing = true;
    uv_close(reinterpret_cast<uv_handle_t*>(&conn->tcp), OnClose);
    return;
  }
  ++stats_.connections_received;
  if (clients_.size() >= static_cast<size_t>(config_.maxclients) || shutting_down_) {
    ++stats_.rejected_connections;
    return Refuse(conn, "ERR max number of clients reached");
  }
  // Read per connection: CONFIG SET protected-mode and requirepass apply to the next client.
  if (std::string ip = PeerIp(&conn->tcp); ProtectedModeRefuses(config_, ip)) {
    spdlog::debug("refused connection from {} (protected mode)", ip);
    return Refuse(conn, ProtectedModeDenied());
  }
  uv_tcp_nodelay(&conn->tcp, 1);
  if (config_.tcp_keepalive_s > 0) uv_tcp_keepalive(&conn->tcp, 1, config_.tcp_keepalive_s);
  sockaddr_storage ss{};
  int len = sizeof ss;
  if (uv_tcp_getpeername(&conn->tcp, reinterpret_cast<sockaddr*>(&ss), &len) == 0)
    conn->addr = SocketAddressName(ss);
  len = sizeof ss;
  if (uv_tcp_getsockname(&conn->tcp, reinterpret_cast<sockaddr*>(&ss), &len) == 0)
    conn->laddr = SocketAddressName(ss);
  conn->created_ms = conn->last_interaction_ms = NowMs();
  clients_.emplace(conn->id, conn);
  uv_read_start(reinterpret_cast<uv_stream_t*>(&conn->tcp), OnAlloc, OnRead);
}

void Server::OnConfigChanged() {
  // New connections pick up requirepass and the bulk limit; existing ones keep their session.
  spdlog::default_logger()->set_level(LogLevel(config_.loglevel));
  slow_log_.Trim(static_cast<size_t>(config_.slowlog_max_len));
}

void Server::Cron() {
  int64_t now = NowMs();
  std::vector<Connection*> to_close;
  for (auto& [id, conn] : clients_) {
    if (config_.timeout_s > 0 && !conn->replies.has_pending() && conn->PendingOutput() == 0 &&
        now - conn->last_interaction_ms > config_.timeout_s * 1000ll) {
      spdlog::debug("closing idle client {} (id {})", conn->addr, conn->id);
      to_close.push_back(conn);
    } else if (conn->output_stuck_since_ms != 0 &&
               now - conn->output_stuck_since_ms > config_.client_output_timeout_s * 1000ll) {
      ++stats_.clients_closed_for_output;
      spdlog::warn("closing client {} (id {}): it has not read {} bytes of replies for {} s",
                   conn->addr, conn->id, conn->PendingOutput(), config_.client_output_timeout_s);
      to_close.push_back(conn);
    }
  }
  for (Connection* c : to_close) Close(c);
}

}  // namespace server
