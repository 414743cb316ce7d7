// The server: owns the libuv loop, the listeners, the clients, the command table and the
// modules behind the data commands. Everything here runs on the loop thread; storage workers
// reach it only through the LoopExecutor.
#pragma once

#include <uv.h>

#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "server/command_table.h"
#include "server/config.h"
#include "server/connection.h"
#include "server/latency_monitor.h"
#include "server/loop_executor.h"
#include "server/slow_log.h"
#include "util/uv_timer.h"

namespace server {

class RecordService;
class RequestReplyListener;
class WhoisFrontDoor;

struct ServerStats {
  uint64_t connections_received = 0;
  uint64_t rejected_connections = 0;
  uint64_t commands_processed = 0;
  uint64_t net_input_bytes = 0;
  uint64_t net_output_bytes = 0;
  uint64_t protocol_errors = 0;
  uint64_t clients_closed_for_output = 0;
  uint64_t orphaned_replies = 0;  // deferred replies whose client had gone
};

class Server {
 public:
  explicit Server(Config config);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Opens storage, binds, and runs the loop until SIGINT/SIGTERM or RequestShutdown().
  // Returns the process exit code; start-up failures are logged with their reason.
  int Run();
  void RequestShutdown();
  // What SIGHUP does besides logging it: reopen the log file (set by main when `logfile` is set).
  void set_log_reopener(std::function<void()> reopen) { reopen_log_ = std::move(reopen); }

  // For command handlers (loop thread only).
  Config& config() { return config_; }
  const CommandTable& commands() const { return commands_; }
  ServerStats& stats() { return stats_; }
  SlowLog& slow_log() { return slow_log_; }
  LatencyMonitor& latency() { return latency_; }
  // Null unless whois-port is set.
  const WhoisFrontDoor* whois_front_door() const { return whois_.get(); }
  RecordService& records() { return *records_; }
  uv_loop_t* loop() { return &loop_; }
  const std::unordered_map<uint64_t, Connection*>& clients() const { return clients_; }
  int64_t start_time_ms() const { return start_time_ms_; }
  int64_t NowMs() const { return static_cast<int64_t>(uv_now(&loop_)); }
  int tcp_port() const { return config_.port; }

  // Delivers a deferred reply. If the client is gone the bytes are dropped.
  // Pass the bytes by move: a large reply is then never copied on its way to the socket.
  void CompleteReply(const ReplyTicket& ticket, std::string&& bytes);
  void CompleteReply(const ReplyTicket& ticket, std::string_view bytes) {
    CompleteReply(ticket, std::string(bytes));
  }
  // Counts `delta` bytes of a reply being assembled for the ticket's client (an MGET's pieces)
  // against its output limits. Returns false if the client is gone or has just been closed for
  // passing client-output-buffer-hard: the caller then drops what it assembled.
  bool ChargeAssembly(const ReplyTicket& ticket, int64_t delta);
  // Whether a multi-key command of `client_id` may start one more key operation now (counted
  // until ReleaseFanoutOp): kGo, kWait (too much in flight for the client; `first` — the command
  // has none in flight — always goes), or kGone (the client is gone: start no more).
  enum class FanoutAdmission { kGo, kWait, kGone };
  FanoutAdmission AdmitFanoutOp(uint64_t client_id, bool first);
  // One admitted operation landed. Returns false if the client is gone.
  bool ReleaseFanoutOp(uint64_t client_id);
  // Closes a client (CLIENT KILL): at once, or after its reply if it is the one asking.
  // Returns false if there is no such client.
  bool KillClient(uint64_t id);
  // Applies a runtime configuration change that needs more than the new value (e.g. requirepass).
  void OnConfigChanged();

 private:
  static void OnConnection(uv_stream_t* listener, int status);
  static void OnAlloc(uv_handle_t* handle, size_t suggested, uv_buf_t* buf);
  static void OnRead(uv_stream_t* stream, ssize_t nread, const uv_buf_t* buf);
  static void OnWrite(uv_write_t* req, int status);
  static void OnClose(uv_handle_t* handle);
  static void OnSignal(uv_signal_t* handle, int signum);
  void OnShutdownTick();
  static void OnInputTurn(uv_idle_t* idle);

  // Writes `error` (without -/CRLF) to a just-accepted client and closes it.
  void Refuse(Connection* conn, std::string_view error);
  bool CheckProtectedMode();
  bool Listen();
  // The metrics and WHOIS ports, when configured. False if one could not be bound.
  bool ListenExtraPorts();
  void Accept(uv_stream_t* listener);
  // Runs the client's complete commands until its input is used up or held (see
  // Connection::input_held); after the first command, at most `turn_bytes` of input consumed or
  // of replies produced in this turn.
  void ProcessInput(Connection* conn, size_t turn_bytes);
  void Execute(Connection* conn);
  // Feeds a command's run time to the latency monitor and the slow log.
  void NoteCommandTime(const Connection& conn, const CommandSpec& spec,
                       std::span<const std::string_view> args, uint64_t ns);
  void Flush(Connection* conn);
  void AfterOutputChange(Connection* conn);
  // Runs the client's held input on the next loop iteration, after other clients' I/O.
  void ScheduleInput(Connection* conn);
  // The replies commands read in this poll phase produced are written once the phase ends, for
  // every such client (FlushQueued, from the prepare handle, before the loop polls again), as
  // Redis writes its replies before it sleeps: each client's batch of pipelined commands is
  // answered in the same round, so no client's next batch waits behind another's processing.
  void QueueFlush(Connection* conn);
  void FlushQueued();
  void CloseForOutput(Connection* conn);
  // Whether the client may have one more reply or key operation in flight (see
  // Connection::reply_estimate); when not, its input waits (paused_for_replies).
  bool MayDefer(const Connection& conn) const;
  void Close(Connection* conn);
  void Cron();
  void FinishShutdown();

  Config config_;
  uv_loop_t loop_;
  std::vector<std::unique_ptr<uv_tcp_t>> listeners_;
  std::unordered_map<uint64_t, Connection*> clients_;
  uint64_t next_client_id_ = 1;
  CommandTable commands_;
  ServerStats stats_;
  SlowLog slow_log_;
  LatencyMonitor latency_;
  std::unique_ptr<LoopExecutor> executor_;
  std::unique_ptr<RecordService> records_;
  std::unique_ptr<RequestReplyListener> metrics_;  // metrics-port, when set
  std::unique_ptr<WhoisFrontDoor> whois_;          // whois-port, when set
  uv_signal_t sigint_, sigterm_, sighup_;
  std::function<void()> reopen_log_;
  // Made by Run once the loop serves, closed by FinishShutdown (the loop ends when they are).
  std::unique_ptr<util::UvTimer> cron_, shutdown_timer_;
  // Clients whose held input runs on the next iteration (OnInputTurn), in order.
  uv_idle_t input_turn_;
  std::deque<uint64_t> input_ready_;
  // Clients QueueFlush put aside, in order.
  std::vector<uint64_t> flush_ready_;
  // When the current poll phase began (a prepare handle marks it): reads late in a long poll
  // phase get short turns.
  uv_prepare_t poll_mark_;
  uint64_t poll_started_ns_ = 0;
  bool shutting_down_ = false;
  bool lookups_cancelled_ = false;  // the shutdown's grace ran out (OnShutdownTick)
  int64_t shutdown_started_ms_ = 0;
  int64_t start_time_ms_ = 0;
};

}  // namespace server
