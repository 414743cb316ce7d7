#include "server/whois_front_door.h"

#include "server/record_service.h"
#include "server/server.h"
#include "server/stale_policy.h"
#include "server/whois_reply_text.h"

namespace server {
namespace {

// The JSON in a GET reply ("$<len>\r\n<json>\r\n"), or nullopt for a null or error reply
// (*error gets an error's text).
std::optional<std::string_view> BulkPayload(std::string_view reply, std::string* error) {
  if (reply.starts_with("-")) {
    *error = reply.substr(1, reply.find("\r\n") - 1);
    return std::nullopt;
  }
  return resp::BulkPayload(reply);
}

}  // namespace

WhoisFrontDoor::WhoisFrontDoor(Server* server) : server_(server) {
  RequestReplyListener::Options o;
  o.name = "whois";
  o.terminator = "\n";
  o.max_request = kMaxLine;
  o.idle_ms = kIdleMs;
  o.max_connections = 1024;
  o.overflow_reply = WhoisCommentLine("query line longer than 1024 bytes; closing");
  listener_ = std::make_unique<RequestReplyListener>(
      server->loop(), std::move(o),
      [this](std::string_view line, const std::string& peer_ip,
             RequestReplyListener::Respond respond) { Query(line, peer_ip, std::move(respond)); });
}

bool WhoisFrontDoor::Listen(const std::vector<std::string>& bind, int port) {
  return listener_->Listen(bind, port);
}

void WhoisFrontDoor::Query(std::string_view line, const std::string& peer_ip,
                           RequestReplyListener::Respond respond) {
  ++figures_.queries;
  std::string name = WhoisQueryName(line);
  if (name.empty()) return respond(WhoisCommentLine("empty query: send one domain name per line"));
  const int limit = server_->config().whois_port_limit;
  if (!limiter_.Allow(peer_ip, limit, server_->NowMs())) {
    ++figures_.limited;
    return respond(WhoisCommentLine("query rate limit exceeded for " + peer_ip + " (" +
                                    std::to_string(limit) + " per second); try again later"));
  }
  RecordService& records = server_->records();
  records.Get(name, 2, [&records, respond = std::move(respond)](std::string reply) {
    std::string error;
    auto json = BulkPayload(reply, &error);
    if (!json) {
      return respond(WhoisCommentLine(error.empty() ? "the server is shutting down; try again later"
                                                    : "error: " + error));
    }
    auto parsed = whois::RecordFromJson(*json);
    if (!parsed.ok())
      return respond(WhoisCommentLine("error: unreadable record: " + parsed.status().message()));
    auto record = std::make_shared<whois::WhoisRecord>(std::move(parsed).value());
    if (std::string no_data = WhoisNoDataLine(*record); !no_data.empty())
      return respond(std::move(no_data));
    const bool stale = json->ends_with(StaleJson("{}").substr(1));
    // The chain is read after the GET's answer: a lookup's record was written before its
    // waiters were answered, and the store runs one key's operations in order.
    records.Chain(record->domain, [record, stale, respond = std::move(respond)](
                                      std::vector<storage::RawReply> chain) {
      respond(WhoisRecordReply(*record, chain, stale));
    });
  });
}

}  // namespace server
