// The server's side of its clients, as Redis's networking.c: reading, running commands in
// bounded turns, deferred replies, the output limits checked as replies are produced, writing
// and closing. The loop, listeners, start-up and shutdown are in server.cc.
#include <spdlog/spdlog.h>

#include <cstring>
#include <ctime>

#include "resp/reply_writer.h"
#include "server/server.h"

namespace server {
namespace {

// A pipelining client may have at most this many replies waiting on storage or upstream before
// we stop parsing its input (fewer when they are large, see MayDefer); each waiting reply holds
// memory, and a client that floods us with misses must not hold unbounded amounts.
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

}  // namespace

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
  const uint64_t commands_before = conn->commands;
  self->ProcessInput(conn, poll_phase_spent ? 0 : kTurnBytes);
  // A pipeline's replies are written when the poll phase ends (FlushQueued); a lone command's
  // at once, so that a client waiting for one reply can send its next command while the loop
  // serves the others (bench/hit_path.sh at -P 1).
  if (conn->commands - commands_before > 1)
    self->QueueFlush(conn);
  else
    self->AfterOutputChange(conn);
}

void Server::QueueFlush(Connection* conn) {
  if (conn->flush_queued) return;
  conn->flush_queued = true;
  flush_ready_.push_back(conn->id);
}

void Server::FlushQueued() {
  // AfterOutputChange never queues (only OnRead does), so the list is walked in place, and its
  // memory is kept for the next round.
  for (uint64_t id : flush_ready_) {
    auto it = clients_.find(id);
    if (it == clients_.end()) continue;
    it->second->flush_queued = false;
    AfterOutputChange(it->second);
  }
  flush_ready_.clear();
}

void Server::ProcessInput(Connection* conn, size_t turn_bytes) {
  conn->input_held = false;
  const size_t output_at_start = conn->PendingOutput();
  size_t consumed = 0, commands = 0;
  while (!conn->closing && !conn->close_after_reply) {
    if (!MayDefer(*conn)) {
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
      std::string msg = resp::ErrorReply("ERR " + conn->parser.error());
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
    const uint64_t started_ns = uv_hrtime();
    (sub != nullptr ? sub->handler : spec->handler)(ctx);
    NoteCommandTime(*conn, *spec, args, uv_hrtime() - started_ns);
    conn->executing = false;
  }
  if (queued && !conn->scratch.empty()) {
    conn->replies.AppendReady(std::move(conn->scratch));
    conn->scratch.clear();
  }
}

void Server::NoteCommandTime(const Connection& conn, const CommandSpec& spec,
                             std::span<const std::string_view> args, uint64_t ns) {
  const int64_t unix_s = static_cast<int64_t>(time(nullptr));
  latency_.RecordCommand(spec.name, (spec.flags & kCmdFast) != 0, ns, unix_s,
                         config_.latency_monitor_threshold_ms);
  // AUTH and HELLO carry passwords: as Redis does for commands whose arguments are secret, they
  // are not logged.
  if (spec.flags & kCmdNoAuth) return;
  slow_log_.Record(args, static_cast<int64_t>(ns / 1000), unix_s, conn.addr, conn.name,
                   config_.slowlog_log_slower_than_us,
                   static_cast<size_t>(config_.slowlog_max_len));
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
  conn->NoteDeferredReply(bytes.size());
  conn->replies.Complete(ticket.ticket, std::move(bytes));
  if (conn->executing) return;  // answered inside its own handler: the read path flushes
  if (conn->paused_for_replies && MayDefer(*conn)) conn->paused_for_replies = false;
  AfterOutputChange(conn);
}

bool Server::MayDefer(const Connection& conn) const {
  // Replies in flight get a soft limit's worth of their own, at the size they have had; what has
  // landed is bounded by the output limits themselves.
  size_t n = conn.Deferred();
  return n < kMaxDeferredReplies &&
         n * conn.reply_estimate <= static_cast<size_t>(config_.client_output_buffer_soft);
}

bool Server::ChargeAssembly(const ReplyTicket& ticket, int64_t delta) {
  auto it = clients_.find(ticket.client_id);
  if (it == clients_.end()) return false;
  Connection* conn = it->second;
  if (delta > 0) conn->NoteDeferredReply(static_cast<size_t>(delta));
  conn->assembling = static_cast<size_t>(static_cast<int64_t>(conn->assembling) + delta);
  if (delta > 0 &&
      static_cast<int64_t>(conn->PendingOutput()) > config_.client_output_buffer_hard) {
    CloseForOutput(conn);
    return false;
  }
  return true;
}

Server::FanoutAdmission Server::AdmitFanoutOp(uint64_t client_id, bool first) {
  auto it = clients_.find(client_id);
  if (it == clients_.end()) return FanoutAdmission::kGone;
  Connection* conn = it->second;
  if (!first && !MayDefer(*conn)) return FanoutAdmission::kWait;
  ++conn->fanout_ops;
  return FanoutAdmission::kGo;
}

bool Server::ReleaseFanoutOp(uint64_t client_id) {
  auto it = clients_.find(client_id);
  if (it == clients_.end()) return false;
  Connection* conn = it->second;
  --conn->fanout_ops;
  if (conn->paused_for_replies && !conn->executing && MayDefer(*conn)) {
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

}  // namespace server
