#include "cli/redis_client.h"

namespace cli {

util::StatusOr<std::unique_ptr<RedisClient>> RedisClient::Connect(const std::string& host, int port,
                                                                  const std::string& password) {
  redisContext* c = redisConnect(host.c_str(), port);
  if (c == nullptr || c->err) {
    util::Status st =
        util::Status::Unavailable("cannot connect to " + host + ":" + std::to_string(port) + ": " +
                                  (c ? c->errstr : "out of memory"));
    if (c) redisFree(c);
    return st;
  }
  std::unique_ptr<RedisClient> client(new RedisClient(c));
  if (!password.empty()) {
    Reply r = client->Command({"AUTH", password});
    if (!r || r->type == REDIS_REPLY_ERROR)
      return util::Status::InvalidArgument("AUTH failed: " +
                                           (r ? ReplyText(r.get()) : client->error()));
  }
  return client;
}

RedisClient::~RedisClient() { redisFree(c_); }

namespace {

void ToArgv(const std::vector<std::string>& argv, std::vector<const char*>* ptrs,
            std::vector<size_t>* lens) {
  for (const auto& a : argv) {
    ptrs->push_back(a.data());
    lens->push_back(a.size());
  }
}

}  // namespace

Reply RedisClient::Command(const std::vector<std::string>& argv) {
  std::vector<const char*> ptrs;
  std::vector<size_t> lens;
  ToArgv(argv, &ptrs, &lens);
  return Reply(static_cast<redisReply*>(
      redisCommandArgv(c_, static_cast<int>(argv.size()), ptrs.data(), lens.data())));
}

void RedisClient::Append(const std::vector<std::string>& argv) {
  std::vector<const char*> ptrs;
  std::vector<size_t> lens;
  ToArgv(argv, &ptrs, &lens);
  redisAppendCommandArgv(c_, static_cast<int>(argv.size()), ptrs.data(), lens.data());
}

Reply RedisClient::Read() {
  void* r = nullptr;
  if (redisGetReply(c_, &r) != REDIS_OK) return nullptr;
  return Reply(static_cast<redisReply*>(r));
}

std::string RedisClient::error() const { return c_->err ? c_->errstr : "no reply"; }

std::string ReplyText(const redisReply* r) {
  if (r == nullptr || r->str == nullptr) return {};
  if (r->type != REDIS_REPLY_STRING && r->type != REDIS_REPLY_STATUS &&
      r->type != REDIS_REPLY_ERROR)
    return {};
  return std::string(r->str, r->len);
}

}  // namespace cli
