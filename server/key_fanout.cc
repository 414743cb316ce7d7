#include "server/key_fanout.h"

#include "server/server.h"

namespace server {

void KeyFanout::Run(Server& server, const ReplyTicket& ticket,
                    std::span<const std::string_view> keys, Start start,
                    std::function<void()> done) {
  std::shared_ptr<KeyFanout> fanout(
      new KeyFanout(server, ticket, keys, std::move(start), std::move(done)));
  fanout->Pump();
}

KeyFanout::KeyFanout(Server& server, const ReplyTicket& ticket,
                     std::span<const std::string_view> keys, Start start,
                     std::function<void()> done)
    : server_(server), ticket_(ticket), start_(std::move(start)), done_(std::move(done)) {
  size_t total = 0;
  for (std::string_view k : keys) total += k.size();
  key_bytes_.reserve(total);
  ends_.reserve(keys.size());
  for (std::string_view k : keys) {
    key_bytes_.append(k);
    ends_.push_back(key_bytes_.size());
  }
}

std::string_view KeyFanout::Key(size_t i) const {
  size_t begin = i == 0 ? 0 : ends_[i - 1];
  return std::string_view(key_bytes_).substr(begin, ends_[i] - begin);
}

void KeyFanout::Pump() {
  // Operations that land at once (hot-set hits, invalid names) call Landed() from inside
  // start_: the loop below carries on instead of recursing once per key.
  if (pumping_) return;
  pumping_ = true;
  std::shared_ptr<KeyFanout> self = shared_from_this();
  while (!abandoned_ && next_ < ends_.size() && in_flight_ < kKeyFanoutWindow) {
    // One operation always goes, so the command progresses; more as the client's budget allows.
    Server::FanoutAdmission admission = server_.AdmitFanoutOp(ticket_.client_id, in_flight_ == 0);
    if (admission == Server::FanoutAdmission::kGone) {
      abandoned_ = true;
      break;
    }
    if (admission == Server::FanoutAdmission::kWait) break;  // our next landing resumes
    size_t i = next_++;
    ++in_flight_;
    start_(i, Key(i), [self] { self->Landed(); });
  }
  if (next_ == ends_.size() || abandoned_) {
    std::string().swap(key_bytes_);  // every key has started (or never will)
    std::vector<size_t>().swap(ends_);
  }
  pumping_ = false;
  if (!abandoned_ && !finished_ && landed_ == next_ && ends_.empty()) {
    finished_ = true;
    std::function<void()> done = std::move(done_);
    done();
  }
}

void KeyFanout::Landed() {
  --in_flight_;
  ++landed_;
  if (!server_.ReleaseFanoutOp(ticket_.client_id)) abandoned_ = true;
  Pump();
}

}  // namespace server
