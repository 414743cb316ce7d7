// whois-proxy-cli export: SCAN the keyspace, read each batch's records as stored (WHOIS.CACHED:
// no lookups, no refreshes, no stale marks) and write them as JSON Lines.
#include <ostream>
#include <string>
#include <vector>

#include "cli/commands.h"

namespace cli {

int RunExport(RedisClient& redis, const std::string& pattern, std::ostream& out,
              std::ostream& err) {
  std::string cursor = "0";
  uint64_t written = 0;
  do {
    Reply scan = redis.Command({"SCAN", cursor, "MATCH", pattern, "COUNT", "1000"});
    if (!scan || scan->type != REDIS_REPLY_ARRAY || scan->elements != 2) {
      err << "whois-proxy-cli: SCAN failed: " << (scan ? ReplyText(scan.get()) : redis.error())
          << "\n";
      return kExitFailed;
    }
    cursor = ReplyText(scan->element[0]);
    const redisReply* keys = scan->element[1];
    if (keys->elements == 0) continue;
    std::vector<std::string> argv = {"WHOIS.CACHED"};
    for (size_t i = 0; i < keys->elements; ++i) argv.push_back(ReplyText(keys->element[i]));
    Reply records = redis.Command(argv);
    if (!records || records->type != REDIS_REPLY_ARRAY) {
      err << "whois-proxy-cli: WHOIS.CACHED failed: "
          << (records ? ReplyText(records.get()) : redis.error()) << "\n";
      return kExitFailed;
    }
    for (size_t i = 0; i < records->elements; ++i) {
      const redisReply* r = records->element[i];
      if (r->type != REDIS_REPLY_STRING) continue;  // deleted since the SCAN step
      out.write(r->str, static_cast<std::streamsize>(r->len));
      out.put('\n');
      ++written;
    }
    if (!out) {
      err << "whois-proxy-cli: cannot write the output\n";
      return kExitFailed;
    }
  } while (cursor != "0");
  out.flush();
  err << "exported " << written << " records\n";
  return kExitOk;
}

}  // namespace cli
