// whois-proxy-cli import: JSON Lines back in, one pipelined SET per record, at most kWindow
// unanswered at a time. Each reply is matched to its line, so a rejected record is reported with
// its line number and the server's reason while the rest go in.
#include <chrono>
#include <deque>
#include <istream>
#include <optional>
#include <ostream>
#include <string>

#include "cli/commands.h"
#include "cli/import_lines.h"

namespace cli {
namespace {

constexpr size_t kWindow = 1000;

int64_t WallMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// The server's TTLs (CONFIG GET), so an imported record keeps its age.
std::optional<Ttls> ReadTtls(RedisClient& redis, std::string* error) {
  Ttls t;
  for (auto [name, field] :
       {std::pair{"ttl-registered", &t.registered_ms}, std::pair{"ttl-not-found", &t.not_found_ms},
        std::pair{"ttl-fallback", &t.fallback_ms}}) {
    Reply r = redis.Command({"CONFIG", "GET", name});
    if (!r || r->type != REDIS_REPLY_ARRAY || r->elements != 2) {
      *error = std::string("CONFIG GET ") + name +
               " failed: " + (r ? ReplyText(r.get()) : redis.error());
      return std::nullopt;
    }
    *field = std::stoll(ReplyText(r->element[1])) * 1000;
  }
  return t;
}

}  // namespace

int RunImport(RedisClient& redis, std::istream& in, std::ostream& err,
              const ImportOptions& options) {
  std::optional<Ttls> ttls;
  if (options.keep_age) {
    std::string error;
    ttls = ReadTtls(redis, &error);
    if (!ttls) {
      err << "whois-proxy-cli: " << error << "\n";
      return kExitFailed;
    }
  }
  uint64_t imported = 0, rejected = 0, line_number = 0;
  std::deque<uint64_t> in_flight;  // line numbers of the SETs not yet answered, oldest first
  auto last_report = std::chrono::steady_clock::now();
  auto report = [&](bool final) {
    auto now = std::chrono::steady_clock::now();
    if (!final && now - last_report < std::chrono::seconds(options.terminal ? 1 : 5)) return;
    last_report = now;
    if (options.terminal) err << "\r";
    err << "imported " << imported << ", rejected " << rejected;
    if (!options.terminal || final) err << "\n";
    err.flush();
  };
  // Reads the oldest reply; false on a connection error.
  auto read_one = [&]() {
    Reply r = redis.Read();
    if (!r) return false;
    uint64_t line = in_flight.front();
    in_flight.pop_front();
    if (r->type == REDIS_REPLY_ERROR) {
      ++rejected;
      if (options.terminal) err << "\r";
      err << "line " << line << ": " << ReplyText(r.get()) << "\n";
    } else {
      ++imported;
    }
    return true;
  };
  std::string text;
  while (std::getline(in, text)) {
    ++line_number;
    ImportLine line = ParseImportLine(text, ttls, WallMs());
    if (line.kind == ImportLine::Kind::kBlank) continue;
    if (line.kind == ImportLine::Kind::kBad) {
      ++rejected;
      if (options.terminal) err << "\r";
      err << "line " << line_number << ": " << line.reason << "\n";
      continue;
    }
    std::vector<std::string> argv = {"SET", line.domain, line.json};
    if (line.px_ms) {
      argv.push_back("PX");
      argv.push_back(std::to_string(*line.px_ms));
    }
    redis.Append(argv);
    in_flight.push_back(line_number);
    while (in_flight.size() >= kWindow) {
      if (!read_one()) {
        err << "\nwhois-proxy-cli: connection lost: " << redis.error() << "\n";
        return kExitFailed;
      }
    }
    report(false);
  }
  while (!in_flight.empty()) {
    if (!read_one()) {
      err << "\nwhois-proxy-cli: connection lost: " << redis.error() << "\n";
      return kExitFailed;
    }
  }
  report(true);
  return rejected == 0 ? kExitOk : kExitSomeLinesBad;
}

}  // namespace cli
