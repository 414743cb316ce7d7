#include "server/request_reply_listener.h"

#include <spdlog/spdlog.h>

#include "util/uv_timer.h"

namespace server {

// Deleted by the socket's close callback (the idle timer closes itself with it).
struct RequestReplyListener::Conn {
  Conn(RequestReplyListener* listener, uint64_t conn_id, uv_loop_t* loop)
      : owner(listener), id(conn_id), idle(loop) {}
  RequestReplyListener* owner;
  uint64_t id;
  uv_tcp_t tcp{};
  util::UvTimer idle;
  uv_write_t write_req{};
  std::string in;
  std::string out;
  char read_buf[4096];
  bool requested = false;  // the request is complete: no more reading
  bool finishing = false;
};

RequestReplyListener::RequestReplyListener(uv_loop_t* loop, Options options, Handler handler)
    : loop_(loop), options_(std::move(options)), handler_(std::move(handler)) {}

RequestReplyListener::~RequestReplyListener() { Close(); }

bool RequestReplyListener::Listen(const std::vector<std::string>& bind, int port) {
  return BindListeners(loop_, bind, port, options_.name, this, OnConnection, &listeners_);
}

void RequestReplyListener::Close() {
  CloseListeners(&listeners_);
  std::vector<Conn*> all;
  for (auto& [id, c] : *conns_) all.push_back(c);
  for (Conn* c : all) Finish(c);
}

void RequestReplyListener::OnConnection(uv_stream_t* listener, int status) {
  auto* self = static_cast<RequestReplyListener*>(listener->data);
  if (status < 0) {
    spdlog::warn("{} port: accept error: {}", self->options_.name, uv_strerror(status));
    return;
  }
  self->Accept(listener);
}

void RequestReplyListener::Accept(uv_stream_t* listener) {
  auto* c = new Conn(this, next_id_++, loop_);
  uv_tcp_init(loop_, &c->tcp);
  c->tcp.data = c;
  (*conns_)[c->id] = c;
  if (uv_accept(listener, reinterpret_cast<uv_stream_t*>(&c->tcp)) != 0) return Finish(c);
  ++accepted_;
  if (conns_->size() > options_.max_connections) {
    spdlog::debug("{} port: too many connections ({}), closing a new one", options_.name,
                  conns_->size());
    return Finish(c);
  }
  c->idle.Start(static_cast<uint64_t>(options_.idle_ms), [this, c] { Finish(c); });
  uv_read_start(
      reinterpret_cast<uv_stream_t*>(&c->tcp),
      [](uv_handle_t* h, size_t, uv_buf_t* buf) {
        auto* conn = static_cast<Conn*>(h->data);
        *buf = uv_buf_init(conn->read_buf, sizeof conn->read_buf);
      },
      [](uv_stream_t* s, ssize_t nread, const uv_buf_t* buf) {
        auto* conn = static_cast<Conn*>(s->data);
        if (nread < 0) return conn->owner->Finish(conn);
        if (nread > 0) conn->owner->OnData(conn, std::string_view(buf->base, nread));
      });
}

void RequestReplyListener::OnData(Conn* c, std::string_view data) {
  if (c->requested) return;
  c->in.append(data);
  size_t end = c->in.find(options_.terminator);
  if (end == std::string::npos) {
    if (c->in.size() > options_.max_request) {
      spdlog::debug("{} port: request over {} bytes, closing", options_.name, options_.max_request);
      if (options_.overflow_reply.empty()) return Finish(c);
      c->requested = true;
      return Reply(c->id, options_.overflow_reply);
    }
    return;
  }
  end += options_.terminator.size();
  if (end > options_.max_request + options_.terminator.size()) {
    if (options_.overflow_reply.empty()) return Finish(c);
    c->requested = true;
    return Reply(c->id, options_.overflow_reply);
  }
  c->requested = true;
  c->idle.Stop();
  uv_read_stop(reinterpret_cast<uv_stream_t*>(&c->tcp));
  c->in.resize(end);
  std::weak_ptr<std::unordered_map<uint64_t, Conn*>> conns = conns_;
  uint64_t id = c->id;
  Respond respond = [conns, id](std::string reply) {
    auto map = conns.lock();
    if (!map) return;
    auto it = map->find(id);
    if (it == map->end()) return;
    it->second->owner->Reply(id, std::move(reply));
  };
  handler_(c->in, PeerIp(&c->tcp), std::move(respond));
}

void RequestReplyListener::Reply(uint64_t id, std::string reply) {
  auto it = conns_->find(id);
  if (it == conns_->end()) return;
  Conn* c = it->second;
  if (c->finishing || !c->out.empty()) return;
  c->idle.Stop();
  uv_read_stop(reinterpret_cast<uv_stream_t*>(&c->tcp));
  c->out = std::move(reply);
  if (c->out.empty()) return Finish(c);
  uv_buf_t buf = uv_buf_init(c->out.data(), static_cast<unsigned>(c->out.size()));
  c->write_req.data = c;
  int rc = uv_write(&c->write_req, reinterpret_cast<uv_stream_t*>(&c->tcp), &buf, 1,
                    [](uv_write_t* req, int) {
                      auto* conn = static_cast<Conn*>(req->data);
                      conn->owner->Finish(conn);
                    });
  if (rc != 0) Finish(c);
}

void RequestReplyListener::Finish(Conn* c) {
  if (c->finishing) return;
  c->finishing = true;
  conns_->erase(c->id);
  c->idle.Stop();
  uv_close(reinterpret_cast<uv_handle_t*>(&c->tcp),
           [](uv_handle_t* h) { delete static_cast<Conn*>(h->data); });
}

}  // namespace server
