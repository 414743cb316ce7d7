#include "storage/fleet/fleet_client.h"

#include <hiredis/async.h>
#include <hiredis/hiredis.h>

#include <algorithm>

#include "storage/fleet/redirect.h"
#include "util/uv_timer.h"

// hiredis's libuv adapter is a header of static C functions.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wold-style-cast"
#pragma GCC diagnostic ignored "-Wunused-function"
#include <hiredis/adapters/libuv.h>
#pragma GCC diagnostic pop

namespace storage::fleet {
namespace {

// A redirection chain longer than this is a cluster in flux: the command fails rather than loop.
constexpr int kMaxRedirects = 5;
// A command's timer that fires this much after it was due says the loop was busy (libuv runs
// timers late when a turn runs long)...
constexpr uint64_t kLateTimerMs = 10;
// ...and such a command gets this much more time, again at each late firing: the loop may not
// even have written it until its timer fired, nor read the socket since. (A pipelined import
// through a proxy had 81-84% of its Redis writes counted as timed out, and the fleet flapping
// unreachable, although every one arrived.)
constexpr uint64_t kBusyLoopGraceMs = 50;
// A loop that stays busy does not keep a command waiting more than this past its timeout.
constexpr uint64_t kMaxBusyLoopGraceMs = 1000;

// The adapter's poll callback ignores a poll error (hiredis 0.14's redisLibuvPoll returns when
// status != 0), and libuv reports a refused connect as one (POLLERR): hiredis would never learn
// that the connection failed and every command would wait for its timeout. hiredis 1.0 fixed it
// the same way: on an error, let hiredis handle the events it waits for, so that it reads the
// socket's error. These replace the adapter's event hooks after redisLibuvAttach.
void PollFixed(uv_poll_t* handle, int status, int events) {
  auto* p = static_cast<redisLibuvEvents*>(handle->data);
  int ev = status != 0 ? p->events : events;
  if (p->context != nullptr && (ev & UV_READABLE)) redisAsyncHandleRead(p->context);
  if (p->context != nullptr && (ev & UV_WRITABLE)) redisAsyncHandleWrite(p->context);
}
// The adapter's four event hooks (addRead, delRead, addWrite, delWrite): wait for `kEvent`, or
// stop waiting for it, and poll for what is left.
template <int kEvent, bool kWait>
void WaitFor(void* privdata) {
  auto* p = static_cast<redisLibuvEvents*>(privdata);
  if constexpr (kWait) {
    p->events |= kEvent;
  } else {
    p->events &= ~kEvent;
  }
  if (p->events) {
    uv_poll_start(&p->handle, p->events, PollFixed);
  } else {
    uv_poll_stop(&p->handle);
  }
}

Reply Copy(const redisReply* r) {
  Reply out;
  switch (r->type) {
    case REDIS_REPLY_STRING:
    case REDIS_REPLY_STATUS:
    case REDIS_REPLY_ERROR:
      out.type = r->type == REDIS_REPLY_STRING   ? Reply::Type::kString
                 : r->type == REDIS_REPLY_STATUS ? Reply::Type::kStatus
                                                 : Reply::Type::kError;
      out.str.assign(r->str, r->len);
      break;
    case REDIS_REPLY_INTEGER:
      out.type = Reply::Type::kInteger;
      out.integer = r->integer;
      break;
    case REDIS_REPLY_ARRAY:
      out.type = Reply::Type::kArray;
      out.elements.reserve(r->elements);
      for (size_t i = 0; i < r->elements; ++i) out.elements.push_back(Copy(r->element[i]));
      break;
    default:
      break;  // nil
  }
  return out;
}

}  // namespace

// One command: owned by its timer (until it finishes) and by each hiredis callback it is waiting
// for, so a late reply after the timeout finds it still allocated.
struct FleetClient::Request {
  FleetClient* client = nullptr;
  std::vector<std::string> argv;
  Callback done;
  std::optional<util::UvTimer> timer;
  int refs = 1;  // the timer's, until the request finishes
  bool finished = false;
  int redirects = 0;
  std::optional<NodeAddress> target;   // set: not routed by key
  std::optional<NodeAddress> sent_to;  // the node it was last sent to
  uint64_t due_at = 0;                 // uv_now at which its timer is due
  uint64_t give_up_at = 0;             // uv_now after which no grace is given
  Status early;                        // FailSoon's status, delivered by a 0 ms timer
};

FleetClient::FleetClient(uv_loop_t* loop, ClientOptions options)
    : loop_(loop), options_(std::move(options)) {}

FleetClient::~FleetClient() { Close(); }

FleetClient::Request* FleetClient::NewRequest(std::vector<std::string> argv, Callback done) {
  auto* req = new Request;
  req->client = this;
  req->argv = std::move(argv);
  req->done = std::move(done);
  req->timer.emplace(loop_);
  // The loop's clock is cached per iteration: if the caller blocked since (a test, a long
  // start-up step), a timer started from it would fire that much early, before the command
  // could even be written.
  uv_update_time(loop_);
  pending_.insert(req);
  ++stats_.commands;
  uint64_t timeout = static_cast<uint64_t>(std::max<int64_t>(1, options_.timeout_ms));
  req->due_at = uv_now(loop_) + timeout;
  req->give_up_at = req->due_at + kMaxBusyLoopGraceMs;
  req->timer->Start(timeout, [req] { OnTimer(req); });
  return req;
}

void FleetClient::OnTimer(Request* req) {
  FleetClient* self = req->client;
  if (!req->early.ok()) return self->Finish(req, req->early, {});
  // libuv runs timers before it polls: after a long turn the reply may be waiting in the
  // socket, or the command still in hiredis's buffer. Neither is Redis's slowness.
  if (self->ServiceConnection(req)) return;
  uint64_t now = uv_now(self->loop_);
  if (now > req->due_at + kLateTimerMs && now < req->give_up_at) {
    req->due_at = now + kBusyLoopGraceMs;
    req->timer->Start(kBusyLoopGraceMs, [req] { OnTimer(req); });
    return;
  }
  ++self->stats_.timeouts;
  self->Finish(req,
               Status::IOError("Redis did not answer " + req->argv[0] + " within " +
                               std::to_string(self->options_.timeout_ms) + " ms"),
               {});
}

void FleetClient::Command(std::vector<std::string> argv, Callback done) {
  Request* req = NewRequest(std::move(argv), std::move(done));
  if (closed_) return FailSoon(req, Status::IOError("the fleet client is closed"));
  Dispatch(req);
}

void FleetClient::CommandTo(const NodeAddress& node, std::vector<std::string> argv, Callback done) {
  Request* req = NewRequest(std::move(argv), std::move(done));
  req->target = node;
  if (closed_) return FailSoon(req, Status::IOError("the fleet client is closed"));
  SendTo(req, node);
}

void FleetClient::FailSoon(Request* req, Status status) {
  req->early = std::move(status);
  req->timer->Start(0, [req] { OnTimer(req); });
}

bool FleetClient::ServiceConnection(Request* req) {
  if (!req->sent_to) return false;
  auto it = nodes_.find(req->sent_to->ToString());
  if (it == nodes_.end()) return false;
  Node* node = it->second.get();
  // Only an established connection: hiredis 0.14 would take one still connecting for
  // connected.
  if (!node->ctx || !(node->ctx->c.flags & REDIS_CONNECTED)) return false;
  ++req->refs;  // its reply's callback may finish it meanwhile
  redisAsyncHandleWrite(node->ctx);
  // A write error disconnects (node->ctx is then cleared); reading never blocks.
  if (node->ctx && !req->finished) redisAsyncHandleRead(node->ctx);
  bool finished = req->finished;
  Release(req);
  return finished;
}

void FleetClient::Finish(Request* req, Status status, Reply reply) {
  if (req->finished) return;
  req->finished = true;
  pending_.erase(req);
  // A request that timed out while it waited for discovery is no longer anyone's: its memory
  // goes below, not after a later close callback, so no list may keep it.
  std::erase(waiting_, req);
  if (!status.ok()) {
    ++stats_.failed;
    if (!closed_) SetReachable(false, status.message());
  }
  Callback done = std::move(req->done);
  req->timer.reset();  // may be inside its own callback, which UvTimer allows
  Release(req);        // the timer's reference: every caller of Finish is done with `req`
  done(std::move(status), std::move(reply));
}

void FleetClient::SetReachable(bool up, const std::string& why) {
  if (up == reachable_) return;
  reachable_ = up;
  if (options_.on_state_change) options_.on_state_change(up, why);
}

void FleetClient::Release(Request* req) {
  if (--req->refs == 0) delete req;
}

void FleetClient::Start() {
  if (closed_ || mode_ != Mode::kUnknown || discovering_) return;
  Discover(0, {});
}

void FleetClient::Dispatch(Request* req) {
  if (req->target) return SendTo(req, *req->target);
  if (mode_ == Mode::kSingle) return SendTo(req, single_);
  if (mode_ == Mode::kCluster) {
    if (map_stale_) RefreshMap();
    const NodeAddress* node = nullptr;
    if (std::string_view key = RoutingKey(req->argv); !key.empty()) {
      node = map_.NodeFor(KeySlot(key));
    } else if (!map_.nodes().empty()) {
      node = &map_.nodes().front();
    }
    if (!node) {
      map_stale_ = true;
      return FailSoon(req, Status::IOError("no Redis Cluster master serves the slot of '" +
                                           std::string(RoutingKey(req->argv)) + "'"));
    }
    return SendTo(req, *node);
  }
  waiting_.push_back(req);
  if (discovering_) return;
  uint64_t now = uv_now(loop_);
  if (now < rediscover_at_) {
    waiting_.pop_back();
    return FailSoon(req, Status::IOError("no fleet Redis reachable; next attempt in " +
                                         std::to_string(rediscover_at_ - now) + " ms"));
  }
  Discover(0, {});
}

void FleetClient::Discover(size_t seed_index, Status last_error) {
  if (closed_) return;
  if (seed_index >= options_.seeds.size())
    return DiscoveryFailed(
        Status::IOError("no fleet Redis seed answered (last: " + last_error.message() + ")"));
  discovering_ = true;
  const NodeAddress seed = options_.seeds[seed_index];
  CommandTo(seed, {"INFO", "cluster"}, [this, seed, seed_index](Status st, Reply reply) {
    if (closed_) return;
    if (st.ok() && reply.is_error()) st = Status::IOError(seed.ToString() + ": " + reply.str);
    if (!st.ok()) return Discover(seed_index + 1, st);
    if (reply.str.find("cluster_enabled:1") == std::string::npos) {
      mode_ = Mode::kSingle;
      single_ = seed;
      discovering_ = false;
      discovery_failures_ = 0;
      return FlushWaiting();
    }
    CommandTo(seed, {"CLUSTER", "SLOTS"}, [this, seed, seed_index](Status st2, Reply slots) {
      if (closed_) return;
      if (st2.ok() && slots.is_error()) st2 = Status::IOError(seed.ToString() + ": " + slots.str);
      if (st2.ok()) st2 = map_.Parse(slots, seed.host);
      if (!st2.ok()) return Discover(seed_index + 1, st2);
      ++stats_.map_refreshes;
      mode_ = Mode::kCluster;
      discovering_ = false;
      discovery_failures_ = 0;
      FlushWaiting();
    });
  });
}

void FleetClient::DiscoveryFailed(const Status& why) {
  discovering_ = false;
  ++discovery_failures_;
  jitter_seed_ = jitter_seed_ * 6364136223846793005ULL + 1442695040888963407ULL;
  double jitter = static_cast<double>(jitter_seed_ >> 11) / static_cast<double>(1ULL << 53);
  rediscover_at_ =
      uv_now(loop_) + static_cast<uint64_t>(options_.backoff.DelayMs(discovery_failures_, jitter));
  std::vector<Request*> waiting = std::move(waiting_);
  waiting_.clear();
  for (Request* req : waiting) FailSoon(req, why);
}

void FleetClient::FlushWaiting() {
  std::vector<Request*> waiting = std::move(waiting_);
  waiting_.clear();
  for (Request* req : waiting)
    if (!req->finished) Dispatch(req);
}

void FleetClient::RefreshMap() {
  if (refreshing_ || closed_) return;
  map_stale_ = false;
  // Ask a master the map names, else a seed.
  std::vector<NodeAddress> candidates = map_.nodes();
  for (const NodeAddress& seed : options_.seeds) candidates.push_back(seed);
  uint64_t now = uv_now(loop_);
  const NodeAddress* pick = nullptr;
  for (const NodeAddress& c : candidates) {
    auto it = nodes_.find(c.ToString());
    if (it == nodes_.end() || it->second->ctx || it->second->retry_at <= now) {
      pick = &c;
      break;
    }
  }
  if (!pick) {
    map_stale_ = true;
    return;
  }
  refreshing_ = true;
  NodeAddress from = *pick;
  CommandTo(from, {"CLUSTER", "SLOTS"}, [this, from](Status st, Reply slots) {
    refreshing_ = false;
    if (closed_) return;
    if (st.ok() && !slots.is_error() && map_.Parse(slots, from.host).ok()) {
      ++stats_.map_refreshes;
    } else {
      map_stale_ = true;  // the next command tries again (another node if this one is down)
    }
  });
}

FleetClient::Node* FleetClient::Connection(const NodeAddress& address, Status* error) {
  std::unique_ptr<Node>& slot = nodes_[address.ToString()];
  if (!slot) {
    slot = std::make_unique<Node>();
    slot->client = this;
    slot->address = address;
  }
  Node* node = slot.get();
  if (node->ctx) return node;
  uint64_t now = uv_now(loop_);
  if (now < node->retry_at) {
    *error = Status::IOError("Redis at " + address.ToString() + " unreachable; next attempt in " +
                             std::to_string(node->retry_at - now) + " ms");
    return nullptr;
  }
  ++stats_.connects;
  redisAsyncContext* ac = redisAsyncConnect(address.host.c_str(), address.port);
  if (ac == nullptr || ac->err || redisLibuvAttach(ac, loop_) != REDIS_OK) {
    std::string why = ac && ac->err ? ac->errstr : "cannot create a connection";
    if (ac) redisAsyncFree(ac);
    NodeLost(node, why);
    *error = Status::IOError("cannot connect to Redis at " + address.ToString() + ": " + why);
    return nullptr;
  }
  ac->ev.addRead = WaitFor<UV_READABLE, true>;
  ac->ev.delRead = WaitFor<UV_READABLE, false>;
  ac->ev.addWrite = WaitFor<UV_WRITABLE, true>;
  ac->ev.delWrite = WaitFor<UV_WRITABLE, false>;
  ac->data = node;
  node->ctx = ac;
  redisAsyncSetConnectCallback(ac, &FleetClient::OnConnect);
  redisAsyncSetDisconnectCallback(ac, &FleetClient::OnDisconnect);
  // hiredis buffers commands until the connection is up: AUTH goes first.
  if (!options_.password.empty()) {
    const char* argv[] = {"AUTH", options_.password.c_str()};
    const size_t lens[] = {4, options_.password.size()};
    redisAsyncCommandArgv(ac, nullptr, nullptr, 2, argv, lens);
  }
  return node;
}

void FleetClient::NodeLost(Node* node, const std::string& why) {
  (void)why;
  node->ctx = nullptr;
  ++node->failures;
  ++stats_.connect_failures;
  jitter_seed_ = jitter_seed_ * 6364136223846793005ULL + 1442695040888963407ULL;
  double jitter = static_cast<double>(jitter_seed_ >> 11) / static_cast<double>(1ULL << 53);
  node->retry_at =
      uv_now(loop_) + static_cast<uint64_t>(options_.backoff.DelayMs(node->failures, jitter));
  // A master gone may have been failed over: read the map again before trusting it.
  if (mode_ == Mode::kCluster) map_stale_ = true;
}

void FleetClient::SendTo(Request* req, const NodeAddress& address, bool asking) {
  Status error;
  Node* node = Connection(address, &error);
  if (!node) return FailSoon(req, std::move(error));
  if (asking) redisAsyncCommand(node->ctx, nullptr, nullptr, "ASKING");
  std::vector<const char*> argv;
  std::vector<size_t> lens;
  for (const std::string& a : req->argv) {
    argv.push_back(a.data());
    lens.push_back(a.size());
  }
  if (redisAsyncCommandArgv(node->ctx, &FleetClient::OnReply, req, static_cast<int>(argv.size()),
                            argv.data(), lens.data()) != REDIS_OK)
    return FailSoon(req, Status::IOError("Redis at " + address.ToString() + " is disconnecting"));
  ++req->refs;
  req->sent_to = address;
}

void FleetClient::OnReply(redisAsyncContext* ac, void* reply, void* privdata) {
  auto* req = static_cast<Request*>(privdata);
  auto* node = static_cast<Node*>(ac->data);
  auto* r = static_cast<redisReply*>(reply);
  if (req->finished || node == nullptr) {
    Release(req);
    return;
  }
  FleetClient* self = req->client;
  Release(req);  // the timer still holds it: it is not finished
  if (r == nullptr) {
    std::string why = ac->errstr[0] ? ac->errstr : "connection closed";
    return self->Finish(req, Status::IOError("Redis at " + node->address.ToString() + ": " + why),
                        {});
  }
  node->failures = 0;
  self->SetReachable(true, node->address.ToString());
  if (r->type == REDIS_REPLY_ERROR) {
    auto redirect = ParseRedirect(std::string_view(r->str, r->len), node->address.host);
    if (redirect) {
      if (++req->redirects > kMaxRedirects) return self->Finish(req, Status::OK(), Copy(r));
      if (redirect->kind == Redirect::Kind::kMoved) {
        ++self->stats_.moved;
        self->map_.Assign(redirect->slot, redirect->node);
        self->map_stale_ = true;
        return self->SendTo(req, redirect->node);
      }
      ++self->stats_.asked;
      return self->SendTo(req, redirect->node, /*asking=*/true);
    }
  }
  self->Finish(req, Status::OK(), Copy(r));
}

void FleetClient::OnConnect(const redisAsyncContext* ac, int status) {
  auto* node = static_cast<Node*>(ac->data);
  if (status == REDIS_OK || node == nullptr) return;
  // hiredis frees the context after this callback.
  node->client->NodeLost(node, ac->errstr);
}

void FleetClient::OnDisconnect(const redisAsyncContext* ac, int status) {
  auto* node = static_cast<Node*>(ac->data);
  if (node == nullptr) return;
  (void)status;
  node->client->NodeLost(node, ac->errstr);
}

void FleetClient::Close() {
  if (closed_) return;
  closed_ = true;
  std::vector<Request*> pending(pending_.begin(), pending_.end());
  for (Request* req : pending) Finish(req, Status::IOError("the fleet client is closed"), {});
  waiting_.clear();
  for (auto& [name, node] : nodes_) {
    if (!node->ctx) continue;
    redisAsyncContext* ac = node->ctx;
    node->ctx = nullptr;
    ac->data = nullptr;
    redisAsyncFree(ac);
  }
}

Status ParseSeeds(const std::vector<std::string>& words, std::vector<NodeAddress>* out) {
  out->clear();
  for (const std::string& w : words) {
    auto node = ParseNodeAddress(w);
    if (!node) return Status::InvalidArgument("'" + w + "' is not HOST:PORT");
    out->push_back(std::move(*node));
  }
  if (out->empty()) return Status::InvalidArgument("no HOST:PORT given");
  return Status::OK();
}

}  // namespace storage::fleet
