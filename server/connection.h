// One client connection: its socket, the bytes read but not yet parsed, its parser, its
// ordered replies and the bytes being written. The Server drives it; Connection holds state.
#pragma once

#include <uv.h>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "resp/request_parser.h"
#include "server/reply_queue.h"

namespace server {

class Server;

// Identifies a deferred reply: survives the connection (the client may be gone when it lands).
struct ReplyTicket {
  uint64_t client_id = 0;
  uint64_t ticket = 0;
  int protocol = 2;  // the protocol in force when the command was read
};

struct Connection {
  explicit Connection(Server* s, uint64_t client_id, resp::ParserLimits limits)
      : server(s), id(client_id), parser(limits) {
    tcp.data = this;
  }
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  uv_tcp_t tcp;
  uv_write_t write_req;
  Server* server;
  uint64_t id;

  // Identity and session state (CLIENT LIST / HELLO / AUTH).
  std::string addr, laddr, name, lib_name, lib_ver;
  int protocol = 2;
  bool authenticated = false;
  int64_t created_ms = 0;
  int64_t last_interaction_ms = 0;
  std::string last_command = "NULL";
  uint64_t commands = 0;

  // Input: bytes in [in_start, in_end) of `in` are read and not yet consumed.
  std::unique_ptr<char[]> in;
  size_t in_capacity = 0, in_start = 0, in_end = 0;
  resp::RequestParser parser;
  std::vector<std::string_view> args;  // reused across commands

  // Output.
  ReplyQueue replies;
  std::string scratch;  // immediate reply while an earlier one is deferred
  std::string writing;  // bytes handed to uv_write, alive until its callback
  bool write_in_flight = false;
  int64_t output_stuck_since_ms = 0;  // when unsent output first passed the soft limit
  // Bytes of replies being assembled outside the queue (an MGET's pieces so far): they count
  // against the output limits while they are built, not only once complete.
  size_t assembling = 0;
  // Key operations of this client's multi-key commands in flight (KeyFanout): they count with
  // the deferred replies (Server::MayDefer).
  size_t fanout_ops = 0;
  // The size this client's deferred replies have had lately (it follows a larger one at once and
  // a smaller one slowly): a deferred reply is built on a worker before it lands, so how many
  // may be in flight is bounded by what they would weigh. Starts at kInitialReplyEstimate.
  size_t reply_estimate = kInitialReplyEstimate;
  static constexpr size_t kInitialReplyEstimate = 32 * 1024;
  void NoteDeferredReply(size_t bytes) {
    reply_estimate =
        bytes >= reply_estimate ? bytes : reply_estimate - (reply_estimate - bytes) / 8;
  }
  size_t Deferred() const { return replies.pending() + fanout_ops; }

  bool executing = false;  // inside Execute: completions must not re-enter input processing
  bool reading = true;
  bool paused_for_replies = false;  // too many deferred replies: stop parsing until they land
  // Complete commands may wait in the input buffer: the client's turn was used up, its replies
  // are over the soft limit, or too many are deferred. Not read meanwhile.
  bool input_held = false;
  bool input_scheduled = false;    // in the server's list for the next loop iteration
  bool flush_queued = false;       // in the server's list of replies to write before polling
  bool close_after_reply = false;  // QUIT or protocol error: close once output is flushed
  bool closing = false;

  // Replies the client could read now: queued for the socket or being written.
  size_t UnsentOutput() const { return replies.output().size() + writing.size(); }
  // Every reply byte held for the client: the output limits bound this.
  size_t PendingOutput() const { return UnsentOutput() + replies.held() + assembling; }
  // What client-query-buffer-limit bounds: input not yet consumed, and what parsing it holds.
  size_t QueryBufferBytes() const { return in_end - in_start + ArgumentBytes(); }
  // The parser's own memory and the argument table of the command being run.
  size_t ArgumentBytes() const {
    return parser.memory() + args.capacity() * sizeof(std::string_view);
  }
};

}  // namespace server
