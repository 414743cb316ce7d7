#include "server/server.h"

#include <netinet/in.h>
#include <spdlog/spdlog.h>
#include <sys/resource.h>
#include <sys/socket.h>

#include <chrono>
#include <cstring>

#include "server/log_level.h"
#include "server/record_service.h"

namespace server {
namespace {

// A pipelining client may have this many replies waiting on storage or upstream before we stop
// parsing its input; each waiting reply holds memory, and a client that floods us with misses
// must not hold unbounded amounts.
constexpr size_t kMaxDeferredReplies = 4096;
// One client's turn: after running commands that consumed this much input or produced this much
// output, the rest of its input waits for the next loop iteration, so that other clients are
// served in between (Redis reads 16 KB per client per event for the same reason; output counts
// too, because a 30-byte GET can produce a megabyte).
constexpr size_t kTurnBytes = 64 * 1024;
// Held input is run in slices of this much time per loop iteration (OnInputTurn): with
// thousands of clients holding input, a round of turns takes seconds, and the loop polls
// between slices so that a client with fresh input (a PING) is not behind all of them.
constexpr uint64_t kInputSliceNs = 5'000'000;
// Likewise for fresh input read in one poll phase: once the phase has run this long, each
// further client gets a turn of one command (a PING is answered at once; the rest of a long
// pipeline waits in the round robin), so a flood of new pipelines does not stall the loop.
constexpr uint64_t kPollSliceNs = 5'000'000;
constexpr size_t kReadChunk = 16 * 1024;
// What a connection keeps between commands: a larger input buffer (grown for a large command)
// is freed once empty, a larger argument table after its command.
constexpr size_t kKeptInputBuffer = 4 * kReadChunk;
constexpr size_t kKeptArgs = 1024;
constexpr int kShutdownGraceMs = 3000;

std::string PeerName(const sockaddr_storage& ss) {
  char host[INET6_ADDRSTRLEN] = {0};
  int port = 0;
  if (ss.ss_family == AF_INET) {
    auto* in = reinterpret_cast<const sockaddr_in*>(&ss);
    uv_ip4_name(in, host, sizeof host);
    port = ntohs(in->sin_port);
  } else if (ss.ss_family == AF_INET6) {
    auto* in6 = reinterpret_cast<const sockaddr_in6*>(&ss);
    uv_ip6_name(in6, host, sizeof host);
    port = ntohs(in6->sin6_port);
  } else {
    return "?:0";
  }
  return std::string(host) + ":" + std::to_string(port);
}

bool IsLoopbackAddress(const std::string& addr) {
  return addr.starts_with("127.") || addr == "::1" || addr == "localhost";
}

}  // namespace

Server::Server(Config config) : config_(std::move(config)) {
  uv_loop_init(&loop_);
  loop_.data = this;
  // LoadConfig has checked each rename against the table, in this order.
  for (const auto& [from, to] : config_.renamed_commands) {
    if (std::string err = commands_.Rename(from, to); !err.empty())
      spdlog::critical("rename-command {}: {}", from, err);
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
  if (!config_.protected_mode || !config_.requirepass.empty()) return true;
  for (const auto& b : config_.bind) {
    if (!IsLoopbackAddress(b)) {
      spdlog::critical(
          "refusing to start: bind {} is not a loopback address and no requirepass is set "
          "(protected mode). Set 'requirepass', or 'protected-mode no' if the network is "
          "trusted.",
          b);
      return false;
    }
  }
  return true;
}

bool Server::Listen() {
  for (const auto& addr : config_.bind) {
    sockaddr_storage ss{};
    bool v6 = addr.find(':') != std::string::npos;
    int rc = v6 ? uv_ip6_addr(addr.c_str(), config_.port, reinterpret_cast<sockaddr_in6*>(&ss))
                : uv_ip4_addr(addr.c_str(), config_.port, reinterpret_cast<sockaddr_in*>(&ss));
    if (rc != 0) {
      spdlog::critical("invalid bind address '{}': {}", addr, uv_strerror(rc));
      return false;
    }
    auto listener = std::make_unique<uv_tcp_t>();
    uv_tcp_init(&loop_, listener.get());
    listener->data = this;
    rc = uv_tcp_bind(listener.get(), reinterpret_cast<sockaddr*>(&ss), v6 ? UV_TCP_IPV6ONLY : 0);
    if (rc == 0) rc = uv_listen(reinterpret_cast<uv_stream_t*>(listener.get()), 511, OnConnection);
    if (rc != 0) {
      uv_close(reinterpret_cast<uv_handle_t*>(listener.release()),
               [](uv_handle_t* h) { delete reinterpret_cast<uv_tcp_t*>(h); });
      // A host without IPv6 (or without that address) cannot bind ::1; like redis-server's
      // optional default address, that is a warning as long as something else listens.
      if (rc == UV_EADDRNOTAVAIL || rc == UV_EAFNOSUPPORT) {
        spdlog::warn("could not bind {}:{}: {}", addr, config_.port, uv_strerror(rc));
        continue;
      }
      spdlog::critical("could not bind {}:{}: {}", addr, config_.port, uv_strerror(rc));
      return false;
    }
    spdlog::info("listening on {}:{}", addr, config_.port);
    listeners_.push_back(std::move(listener));
  }
  if (listeners_.empty()) {
    spdlog::critical("no address could be bound; not starting");
    return false;
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
  std::string err = records_->Open();
  bool ok = err.empty();
  if (!ok) spdlog::critical("{}", err);
  if (ok) ok = Listen();
  if (ok) {
    uv_signal_init(&loop_, &sigint_);
    uv_signal_init(&loop_, &sigterm_);
    sigint_.data = sigterm_.data = this;
    uv_signal_start(&sigint_, OnSignal, SIGINT);
    uv_signal_start(&sigterm_, OnSignal, SIGTERM);
    uv_timer_init(&loop_, &cron_);
    cron_.data = this;
    uv_timer_start(&cron_, OnCron, 1000, 1000);
    uv_timer_init(&loop_, &shutdown_timer_);
    shutdown_timer_.data = this;
    uv_idle_init(&loop_, &input_turn_);
    input_turn_.data = this;
    uv_prepare_init(&loop_, &poll_mark_);
    poll_mark_.data = this;
    uv_prepare_start(&poll_mark_, [](uv_prepare_t* h) {
      static_cast<Server*>(h->data)->poll_started_ns_ = uv_hrtime();
    });
    spdlog::info("whois-proxy ready to accept connections on port {}", config_.port);
    uv_run(&loop_, UV_RUN_DEFAULT);
  } else {
    for (auto& l : listeners_)
      uv_close(reinterpret_cast<uv_handle_t*>(l.release()),
               [](uv_handle_t* h) { delete reinterpret_cast<uv_tcp_t*>(h); });
    listeners_.clear();
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
  for (auto& l : listeners_)
    uv_close(reinterpret_cast<uv_handle_t*>(l.release()),
             [](uv_handle_t* h) { delete reinterpret_cast<uv_tcp_t*>(h); });
  listeners_.clear();
  uv_timer_start(&shutdown_timer_, OnShutdownTick, 0, 20);
}

void Server::OnShutdownTick(uv_timer_t* timer) {
  auto* self = static_cast<Server*>(timer->data);
  bool pending = false;
  for (auto& [id, conn] : self->clients_)
    if (conn->replies.has_pending() || conn->PendingOutput() > 0) pending = true;
  if (pending && self->NowMs() - self->shutdown_started_ms_ < kShutdownGraceMs) return;
  self->FinishShutdown();
}

void Server::FinishShutdown() {
  uv_timer_stop(&shutdown_timer_);
  std::vector<Connection*> all;
  for (auto& [id, conn] : clients_) all.push_back(conn);
  for (Connection* c : all) Close(c);
  // Storage completions for closed clients are dropped by CompleteReply.
  records_->Close();
  executor_->Close();
  uv_close(reinterpret_cast<uv_handle_t*>(&sigint_), nullptr);
  uv_close(reinterpret_cast<uv_handle_t*>(&sigterm_), nullptr);
  uv_close(reinterpret_cast<uv_handle_t*>(&cron_), nullptr);
  uv_close(reinterpret_cast<uv_handle_t*>(&shutdown_timer_), nullptr);
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
    static const char kMsg[] = "-ERR max number of clients reached\r\n";
    uv_buf_t b = uv_buf_init(const_cast<char*>(kMsg), sizeof kMsg - 1);
    uv_try_write(reinterpret_cast<uv_stream_t*>(&conn->tcp), &b, 1);
    conn->closing = true;
    uv_close(reinterpret_cast<uv_handle_t*>(&conn->tcp), OnClose);
    return;
  }
  uv_tcp_nodelay(&conn->tcp, 1);
  if (config_.tcp_keepalive_s > 0) uv_tcp_keepalive(&conn->tcp, 1, config_.tcp_keepalive_s);
  sockaddr_storage ss{};
  int len = sizeof ss;
  if (uv_tcp_getpeername(&conn->tcp, reinterpret_cast<sockaddr*>(&ss), &len) == 0)
    conn->addr = PeerName(ss);
  len = sizeof ss;
  if (uv_tcp_getsockname(&conn->tcp, reinterpret_cast<sockaddr*>(&ss), &len) == 0)
    conn->laddr = PeerName(ss);
  conn->created_ms = conn->last_interaction_ms = NowMs();
  clients_.emplace(conn->id, conn);
  uv_read_start(reinterpret_cast<uv_stream_t*>(&conn->tcp), OnAlloc, OnRead);
}

void Server::OnAlloc(uv_handle_t* handle, size_t, uv_buf_t* buf) {
  auto* conn = static_cast<Connection*>(handle->data);
  Server* self = conn->server;
  if (conn->in_start == conn->in_end) {
    conn->in_start = conn->in_end = 0;
    // A large command grew the buffer; the connection need not keep that much between commands.
    if (conn->in_capacity > kKeptInputBuffer) {
      conn->in.reset();
      conn->in_capacity = 0;
    }
  }
  if (conn->in_capacity - conn->in_end < kReadChunk) {
    size_t used = conn->in_end - conn->in_start;
    if (conn->in_start > 0 && conn->in_capacity - used >= kReadChunk) {
      std::memmove(conn->in.get(), conn->in.get() + conn->in_start, used);
    } else {
      // Doubling, but never far past the query buffer limit: a buffer that full closes the
      // client anyway.
      auto limit = static_cast<size_t>(self->config_.client_query_buffer_limit);
      size_t cap = std::max(std::min(conn->in_capacity * 2, limit + kReadChunk), used + kReadChunk);
      auto grown = std::make_unique_for_overwrite<char[]>(cap);
      if (used) std::memcpy(grown.get(), conn->in.get() + conn->in_start, used);
      conn->in = std::move(grown);
      conn->in_capacity = cap;
    }
    conn->in_start = 0;
    conn->in_end = used;
  }
  *buf = uv_buf_init(conn->in.get() + conn->in_end,
                     static_cast<unsigned>(conn->in_capacity - conn->in_end));
}

void Server::OnRead(uv_stream_t* stream, ssize_t nread, const uv_buf_t*) {
  auto* conn = static_cast<Connection*>(stream->data);
  Server* self = conn->server;
  if (nread < 0) {
    if (nread != UV_EOF) spdlog::debug("client {} read error: {}", conn->addr, uv_strerror(nread));
    self->Close(conn);
    return;
  }
  if (nread == 0) return;
  conn->in_end += static_cast<size_t>(nread);
  self->stats_.net_input_bytes += static_cast<uint64_t>(nread);
  conn->last_interaction_ms = self->NowMs();
  if (static_cast<int64_t>(conn->QueryBufferBytes()) > self->config_.client_query_buffer_limit) {
    spdlog::warn(
        "closing client {} (id {}): query buffer over client-query-buffer-limit ({} bytes)",
        conn->addr, conn->id, self->config_.client_query_buffer_limit);
    self->Close(conn);
    return;
  }
  bool poll_phase_spent = uv_hrtime() - self->poll_started_ns_ > kPollSliceNs;
  self->ProcessInput(conn, poll_phase_spent ? 0 : kTurnBytes);
  self->AfterOutputChange(conn);
}

void Server::ProcessInput(Connection* conn, size_t turn_bytes) {
  conn->input_held = false;
  const size_t output_at_start = conn->PendingOutput();
  size_t consumed = 0, commands = 0;
  while (!conn->closing && !conn->close_after_reply) {
    if (conn->replies.pending() + conn->fanout_ops >= kMaxDeferredReplies) {
      conn->paused_for_replies = true;
      conn->input_held = true;
      break;
    }
    std::string_view input(conn->in.get() + conn->in_start, conn->in_end - conn->in_start);
    if (input.empty()) break;
    // Replies are checked as they are produced, not once the input is used up: a client that
    // does not read its replies stops having its commands run (AfterOutputChange resumes it).
    const size_t output = conn->PendingOutput();
    if (static_cast<int64_t>(output) > config_.client_output_buffer_soft) {
      conn->input_held = true;
      break;
    }
    if (commands > 0 && (consumed >= turn_bytes || output >= output_at_start + turn_bytes)) {
      conn->input_held = true;
      ScheduleInput(conn);
      break;
    }
    resp::ParseStatus st = conn->parser.Parse(input, &conn->args);
    conn->in_start += conn->parser.consumed();
    consumed += conn->parser.consumed();
    if (st == resp::ParseStatus::kNeedMore) break;
    if (st == resp::ParseStatus::kError) {
      ++stats_.protocol_errors;
      spdlog::info("protocol error from client {} (id {}): {}", conn->addr, conn->id,
                   conn->parser.error());
      std::string msg = "-ERR " + conn->parser.error() + "\r\n";
      if (conn->replies.has_pending())
        conn->replies.AppendReady(std::move(msg));
      else
        conn->replies.output() += msg;
      conn->close_after_reply = true;
      break;
    }
    Execute(conn);
    ++commands;
    // A command with many arguments does not leave its table to every later one.
    if (conn->args.capacity() > kKeptArgs) std::vector<std::string_view>().swap(conn->args);
    if (conn->closing) return;
    if (static_cast<int64_t>(conn->PendingOutput()) > config_.client_output_buffer_hard) {
      CloseForOutput(conn);
      return;
    }
  }
  if (conn->in_start == conn->in_end) conn->in_start = conn->in_end = 0;
}

void Server::ScheduleInput(Connection* conn) {
  if (conn->input_scheduled) return;
  conn->input_scheduled = true;
  input_ready_.push_back(conn->id);
  // An idle handle keeps the loop polling without blocking while input waits, so other clients'
  // reads and writes run between two turns of the same client.
  uv_idle_start(&input_turn_, OnInputTurn);
}

void Server::OnInputTurn(uv_idle_t* idle) {
  auto* self = static_cast<Server*>(idle->data);
  // Round robin: each client gets one turn, then goes to the back if it still has input.
  const uint64_t start = uv_hrtime();
  while (!self->input_ready_.empty() && uv_hrtime() - start < kInputSliceNs) {
    uint64_t id = self->input_ready_.front();
    self->input_ready_.pop_front();
    auto it = self->clients_.find(id);
    if (it == self->clients_.end()) continue;
    Connection* conn = it->second;
    conn->input_scheduled = false;
    self->ProcessInput(conn, kTurnBytes);
    self->AfterOutputChange(conn);
  }
  if (self->input_ready_.empty()) uv_idle_stop(idle);
}

void Server::Execute(Connection* conn) {
  ++stats_.commands_processed;
  ++conn->commands;
  bool queued = conn->replies.has_pending();
  std::string* target = queued ? &conn->scratch : &conn->replies.output();
  resp::ReplyWriter writer(target, conn->protocol);
  std::span<const std::string_view> args(conn->args);
  const CommandSpec* spec = commands_.Find(args[0]);
  // As Redis's processCommand: an unknown (sub)command, then the arity, then authentication.
  const SubcommandSpec* sub = nullptr;
  if (spec != nullptr && !spec->subcommands.empty() && args.size() >= 2)
    sub = spec->FindSubcommand(args[1]);
  int arity = sub ? sub->arity : spec ? spec->arity : 0;
  auto n = static_cast<int>(args.size());
  if (spec == nullptr) {
    writer.Error(UnknownCommandError(args[0], args.subspan(1)));
  } else if (!spec->subcommands.empty() && args.size() >= 2 && sub == nullptr) {
    writer.Error(UnknownSubcommandError(args[1], args[0]));
  } else if ((arity > 0 && n != arity) || (arity < 0 && n < -arity)) {
    writer.Error(WrongArityError(sub ? std::string(spec->name) + "|" + std::string(sub->name)
                                     : std::string(spec->name)));
  } else if (!conn->authenticated && !(spec->flags & kCmdNoAuth)) {
    writer.Error("NOAUTH Authentication required.");
  } else {
    conn->last_command = spec->name;
    CommandContext ctx{*this, *conn, args, writer, target};
    conn->executing = true;
    spec->handler(ctx);
    conn->executing = false;
  }
  if (queued && !conn->scratch.empty()) {
    conn->replies.AppendReady(std::move(conn->scratch));
    conn->scratch.clear();
  }
}

ReplyTicket CommandContext::Defer() {
  return ReplyTicket{conn.id, conn.replies.Defer(), conn.protocol};
}

void Server::CompleteReply(const ReplyTicket& ticket, std::string&& bytes) {
  auto it = clients_.find(ticket.client_id);
  if (it == clients_.end()) {
    ++stats_.orphaned_replies;
    return;
  }
  Connection* conn = it->second;
  conn->replies.Complete(ticket.ticket, std::move(bytes));
  if (conn->executing) return;  // answered inside its own handler: the read path flushes
  if (conn->paused_for_replies &&
      conn->replies.pending() + conn->fanout_ops < kMaxDeferredReplies / 2)
    conn->paused_for_replies = false;
  AfterOutputChange(conn);
}

bool Server::ChargeAssembly(const ReplyTicket& ticket, int64_t delta) {
  auto it = clients_.find(ticket.client_id);
  if (it == clients_.end()) return false;
  Connection* conn = it->second;
  conn->assembling = static_cast<size_t>(static_cast<int64_t>(conn->assembling) + delta);
  if (delta > 0 &&
      static_cast<int64_t>(conn->PendingOutput()) > config_.client_output_buffer_hard) {
    CloseForOutput(conn);
    return false;
  }
  return true;
}

bool Server::CountFanoutOp(uint64_t client_id, int delta) {
  auto it = clients_.find(client_id);
  if (it == clients_.end()) return false;
  Connection* conn = it->second;
  conn->fanout_ops = static_cast<size_t>(static_cast<int64_t>(conn->fanout_ops) + delta);
  if (delta < 0 && conn->paused_for_replies && !conn->executing &&
      conn->replies.pending() + conn->fanout_ops < kMaxDeferredReplies / 2) {
    conn->paused_for_replies = false;
    AfterOutputChange(conn);
  }
  return !conn->closing;
}

void Server::CloseForOutput(Connection* conn) {
  ++stats_.clients_closed_for_output;
  spdlog::warn(
      "closing client {} (id {}): {} bytes of unread replies exceed client-output-buffer-hard",
      conn->addr, conn->id, conn->PendingOutput());
  Close(conn);
}

void Server::AfterOutputChange(Connection* conn) {
  if (conn->closing) return;
  Flush(conn);
  if (conn->closing) return;
  size_t pending = conn->PendingOutput();
  if (static_cast<int64_t>(pending) > config_.client_output_buffer_hard) {
    CloseForOutput(conn);
    return;
  }
  bool over_soft = static_cast<int64_t>(pending) > config_.client_output_buffer_soft;
  // Held input runs again once the replies are back under the soft limit, on the next turn.
  if (conn->input_held && !over_soft && !conn->paused_for_replies) ScheduleInput(conn);
  bool want_read =
      !over_soft && !conn->paused_for_replies && !conn->close_after_reply && !conn->input_held;
  // Only replies the client could read count towards client-output-timeout: one waiting behind
  // a slow lookup, or still being assembled, is not the client's doing.
  bool stuck = static_cast<int64_t>(conn->UnsentOutput()) > config_.client_output_buffer_soft;
  if (stuck && conn->output_stuck_since_ms == 0) conn->output_stuck_since_ms = NowMs();
  if (!stuck) conn->output_stuck_since_ms = 0;
  if (want_read != conn->reading) {
    conn->reading = want_read;
    if (want_read)
      uv_read_start(reinterpret_cast<uv_stream_t*>(&conn->tcp), OnAlloc, OnRead);
    else
      uv_read_stop(reinterpret_cast<uv_stream_t*>(&conn->tcp));
  }
}

void Server::Flush(Connection* conn) {
  if (conn->write_in_flight || conn->closing) return;
  std::string& out = conn->replies.output();
  if (out.empty()) {
    if (conn->close_after_reply && !conn->replies.has_pending()) Close(conn);
    return;
  }
  auto* stream = reinterpret_cast<uv_stream_t*>(&conn->tcp);
  uv_buf_t b = uv_buf_init(out.data(), static_cast<unsigned>(out.size()));
  int n = uv_try_write(stream, &b, 1);
  if (n < 0 && n != UV_EAGAIN) {
    spdlog::debug("client {} write error: {}", conn->addr, uv_strerror(n));
    Close(conn);
    return;
  }
  size_t written = n > 0 ? static_cast<size_t>(n) : 0;
  stats_.net_output_bytes += written;
  if (written == out.size()) {
    out.clear();
    if (conn->close_after_reply && !conn->replies.has_pending()) Close(conn);
    return;
  }
  out.erase(0, written);
  conn->writing.swap(out);
  conn->write_in_flight = true;
  conn->write_req.data = conn;
  b = uv_buf_init(conn->writing.data(), static_cast<unsigned>(conn->writing.size()));
  uv_write(&conn->write_req, stream, &b, 1, OnWrite);
}

void Server::OnWrite(uv_write_t* req, int status) {
  auto* conn = static_cast<Connection*>(req->data);
  conn->write_in_flight = false;
  if (conn->closing) return;
  Server* self = conn->server;
  if (status < 0) {
    spdlog::debug("client {} write error: {}", conn->addr, uv_strerror(status));
    self->Close(conn);
    return;
  }
  self->stats_.net_output_bytes += conn->writing.size();
  conn->writing.clear();
  // Progress: a slow reader that keeps draining is not a client that never reads.
  if (conn->output_stuck_since_ms != 0) conn->output_stuck_since_ms = self->NowMs();
  self->AfterOutputChange(conn);
}

void Server::Close(Connection* conn) {
  if (conn->closing) return;
  conn->closing = true;
  clients_.erase(conn->id);
  uv_read_stop(reinterpret_cast<uv_stream_t*>(&conn->tcp));
  uv_close(reinterpret_cast<uv_handle_t*>(&conn->tcp), OnClose);
}

void Server::OnClose(uv_handle_t* handle) { delete static_cast<Connection*>(handle->data); }

bool Server::KillClient(uint64_t id) {
  auto it = clients_.find(id);
  if (it == clients_.end()) return false;
  Connection* conn = it->second;
  if (conn->executing) {
    // Killing oneself answers first (as Redis does with CLIENT KILL on its own connection).
    conn->close_after_reply = true;
    return true;
  }
  Close(conn);
  return true;
}

void Server::OnConfigChanged() {
  // New connections pick up requirepass and the bulk limit; existing ones keep their session.
  spdlog::default_logger()->set_level(LogLevel(config_.loglevel));
}

void Server::OnCron(uv_timer_t* timer) { static_cast<Server*>(timer->data)->Cron(); }

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
