#include "server/config_file_text.h"

#include <array>

#include "server/config.h"
#include "whois/resolver/lookup_order.h"

namespace server {
namespace {

std::string LookupOrderHelp() { return whois::LookupOrderNames(" or ") + "."; }

constexpr std::array kDocs = {
    DirectiveDoc{"port", "TCP port of the Redis protocol (GET <domain> and the other commands)."},
    DirectiveDoc{"bind", "Addresses every port listens on (IPv4 and IPv6, space separated)."},
    DirectiveDoc{"protected-mode",
                 "Without requirepass: serve only loopback clients, refuse a public bind."},
    DirectiveDoc{"tcp-keepalive", "Seconds between TCP keepalive probes to clients (0: off)."},
    DirectiveDoc{"timeout", "Close Redis-protocol clients idle this many seconds (0: never)."},
    DirectiveDoc{"maxclients", "Most Redis-protocol clients connected at once."},
    DirectiveDoc{"requirepass", "Password clients must AUTH with (empty: none)."},
    DirectiveDoc{"metrics-port", "Port of Prometheus's /metrics over HTTP (0: off)."},
    DirectiveDoc{"whois-port", "Port of the RFC 3912 WHOIS server (0: off; 43 is WHOIS's own)."},
    DirectiveDoc{"whois-port-limit", "WHOIS port queries per second from one client address."},
    DirectiveDoc{"client-query-buffer-limit", "Most unparsed input held for one client."},
    DirectiveDoc{"proto-max-bulk-len", "Largest bulk argument a client may send."},
    DirectiveDoc{"client-output-buffer-soft",
                 "A client's pending replies above this pause reading its commands."},
    DirectiveDoc{"client-output-buffer-hard",
                 "A client whose pending replies pass this is closed."},
    DirectiveDoc{"client-output-timeout",
                 "Seconds a client may stay above the soft output limit before it is closed."},
    DirectiveDoc{"dir", "Directory of the record store (LevelDB)."},
    DirectiveDoc{"ttl-registered", "Seconds a registered domain's record stays fresh."},
    DirectiveDoc{"ttl-not-found", "Seconds a not-found answer stays fresh."},
    DirectiveDoc{"ttl-fallback", "Seconds a fallback (no answer) record stays fresh."},
    DirectiveDoc{"serve-stale", "Answer a stale record at once while it is refreshed."},
    DirectiveDoc{"max-stale", "Seconds a record may be served stale before GET waits instead."},
    DirectiveDoc{"history-max-versions", "Earlier versions kept per domain (WHOIS.HISTORY)."},
    DirectiveDoc{"prefetch-queue-max", "Most names the durable prefetch queue may hold."},
    DirectiveDoc{"hot-set-size", "Memory for the hot set of records served without the store."},
    DirectiveDoc{"block-cache-size", "LevelDB's block cache."},
    DirectiveDoc{"write-buffer-size", "LevelDB's write buffer (memtable) size."},
    DirectiveDoc{"storage-threads", "Worker threads of the record store."},
    DirectiveDoc{"storage-sync", "Sync every record write to disk (slower, survives power loss)."},
    DirectiveDoc{"head-mirror",
                 "Keep a copy of every record head read with one pread (no: LevelDB)."},
    DirectiveDoc{"flush-enabled", "Allow FLUSHDB and FLUSHALL."},
    DirectiveDoc{"iana-server", "Where unknown TLDs' WHOIS servers are learned."},
    DirectiveDoc{"bundled-directory",
                 "Start from the bundled TLD directory (no: learn from IANA)."},
    DirectiveDoc{"tld-server", "A TLD's WHOIS server, overriding the directory (repeatable).",
                 "TLD HOST[:PORT] [FORMAT]"},
    DirectiveDoc{"upstream-address", "Connect to HOST at this address instead of resolving it.",
                 "HOST IP[:PORT]"},
    DirectiveDoc{"allow-private-upstreams",
                 "Allow upstream servers on private and loopback addresses."},
    DirectiveDoc{"lookup-order", {}, {}, LookupOrderHelp},
    DirectiveDoc{"rdap-bootstrap-url", "Where the RDAP bootstrap registry is refreshed from."},
    DirectiveDoc{"rdap-bootstrap-refresh", "Seconds between RDAP bootstrap refreshes (0: never)."},
    DirectiveDoc{"rdap-server", "A TLD's RDAP base URL, overriding the bootstrap (repeatable).",
                 "TLD URL"},
    DirectiveDoc{"upstream-source-address",
                 "Addresses upstream queries go out from (repeatable; none: the kernel's choice).",
                 "ADDR [ADDR ...]"},
    DirectiveDoc{"upstream-limit", "Limits for one upstream host (repeatable).",
                 "HOST [concurrency N] [rate N/s|N/m|N/h] [daily N] [scope ...] ..."},
    DirectiveDoc{"default-upstream-limit", "Limits for upstream hosts without their own."},
    DirectiveDoc{"lookup-timeout",
                 "Milliseconds a GET waits for a live lookup before a fallback answer."},
    DirectiveDoc{"fleet-redis",
                 "Redis server or Cluster nodes the fleet shares records through (none: no fleet).",
                 "HOST:PORT [HOST:PORT ...]"},
    DirectiveDoc{"fleet-password", "Password the fleet's Redis wants (AUTH; empty: none)."},
    DirectiveDoc{"fleet-prefix",
                 "Prefix of the fleet's keys, so several fleets can share a Redis."},
    DirectiveDoc{"fleet-node-name", "This proxy's name in the fleet (empty: host name:port)."},
    DirectiveDoc{"fleet-timeout", "Milliseconds each Redis command of the fleet may take."},
    DirectiveDoc{"fleet-max-ttl", "Longest a record is kept in the fleet's Redis."},
    DirectiveDoc{"max-referral-hops", "Referrals followed after the registry's reply."},
    DirectiveDoc{"directory-max-age", "Seconds a TLD server learned from IANA is trusted."},
    DirectiveDoc{"upstream-connect-timeout", "Milliseconds to connect to an upstream server."},
    DirectiveDoc{"upstream-timeout", "Milliseconds an upstream query may take in all."},
    DirectiveDoc{"upstream-max-reply", "Largest upstream reply read."},
    DirectiveDoc{"slowlog-log-slower-than",
                 "Microseconds from which a command goes to the slow log (-1: none, 0: all)."},
    DirectiveDoc{"slowlog-max-len", "Entries the slow log keeps."},
    DirectiveDoc{"latency-monitor-threshold",
                 "Milliseconds from which a command is a LATENCY event (0: off)."},
    DirectiveDoc{"loglevel", "debug, verbose, notice, warning or nothing."},
    DirectiveDoc{"logfile", "Log file (empty: standard output); SIGHUP reopens it."},
    DirectiveDoc{"rename-command", "Rename a command, or disable it with \"\" (repeatable).",
                 "NAME NEWNAME"},
};

}  // namespace

const DirectiveDoc* FindDirectiveDoc(std::string_view name) {
  for (const DirectiveDoc& d : kDocs)
    if (d.name == name) return &d;
  return nullptr;
}

std::string ConfigFileText() {
  std::string out =
      "# whois-proxy configuration: every directive with its default value.\n"
      "#\n"
      "# Generated from the directive table by `whois-proxy --print-config`; do not edit the\n"
      "# copy in the repository by hand (a test compares the two). Copy it, change what you\n"
      "# need, and check it with `whois-proxy --test-config FILE`.\n"
      "#\n"
      "# One directive per line with its values, as in redis.conf; quotes group words, '#'\n"
      "# starts a comment. Every directive is also a command-line flag (--port 7043), which\n"
      "# overrides the file. Sizes take kb/mb/gb, durations s/m/h/d.\n";
  Config defaults;
  ForEachDirectiveValue(defaults, [&](std::string_view name, std::string value) {
    const DirectiveDoc* doc = FindDirectiveDoc(name);
    out += "\n# ";
    out += doc ? doc->Help() : "(undocumented)";
    out += "\n";
    if (doc && !doc->usage.empty()) {
      out += "# " + std::string(name) + " " + std::string(doc->usage) + "\n";
      return;
    }
    out += std::string(name) + " " + (value.empty() ? "\"\"" : value) + "\n";
  });
  return out;
}

}  // namespace server
