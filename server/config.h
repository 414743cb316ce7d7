// Server configuration: a plain value built from a Redis-style config file and command-line
// flags (`whois-proxy [config-file] [--directive value ...]`). Every directive is one row in
// the table in config.cc; the same table serves CONFIG GET and CONFIG SET.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "util/status.h"

namespace server {

struct Config {
  // Network.
  int port = 7043;
  std::vector<std::string> bind = {"127.0.0.1", "::1"};
  bool protected_mode = true;  // refuse a public bind without requirepass
  int tcp_keepalive_s = 300;
  int timeout_s = 0;  // close idle clients after this many seconds; 0 = never
  int maxclients = 10000;
  std::string requirepass;
  // Prometheus's /metrics over HTTP on the bind addresses (0: off).
  int metrics_port = 0;
  // An RFC 3912 WHOIS server on the bind addresses (0: off), answering at most
  // whois_port_limit queries per second from one client address.
  int whois_port = 0;
  int whois_port_limit = 10;

  // Client buffers. A client whose pending output passes the soft limit stops being read until
  // it drains; one that stays above it for client-output-timeout, or passes the hard limit, is
  // closed (a client that never reads would otherwise hold memory forever).
  int64_t client_query_buffer_limit = 32ll << 20;
  int64_t proto_max_bulk_len = 8ll << 20;
  int64_t client_output_buffer_soft = 1ll << 20;
  int64_t client_output_buffer_hard = 64ll << 20;
  int client_output_timeout_s = 30;

  // Storage.
  std::string dir = "./data";
  int64_t ttl_registered_s = 30ll * 24 * 3600;
  int64_t ttl_not_found_s = 24ll * 3600;
  int64_t ttl_fallback_s = 600;
  // Stale-while-revalidate: a stale registered/not_found record is answered at once (marked
  // "stale": true) while one background refresh runs, until it has been stale for max_stale_s.
  bool serve_stale = true;
  int64_t max_stale_s = 365ll * 24 * 3600;
  int history_max_versions = 8;       // earlier versions kept per domain (WHOIS.HISTORY)
  int prefetch_queue_max = 10000000;  // names the durable prefetch queue may hold
  int64_t hot_set_size = 64ll << 20;
  int64_t block_cache_size = 32ll << 20;
  // 16 MiB rather than LevelDB's 4: fewer, larger level-0 files, so less rewriting of level 1
  // per record resolved (bench/miss_path.sh), for at most 2 x 12 MiB more memory.
  int64_t write_buffer_size = 16ll << 20;
  int storage_threads = 2;
  bool storage_sync = false;
  // A copy of every record head beside the database, read with one pread on a cold hit
  // (storage/head_mirror.h; bench/RESULTS.md, "Head mirror").
  bool head_mirror = true;
  bool flush_enabled = false;  // FLUSHDB/FLUSHALL refuse unless this is yes

  // Live resolution (WHOIS).
  std::string iana_server = "whois.iana.org";
  bool bundled_directory = true;  // no: start with an empty directory and learn from IANA
  struct TldServer {
    std::string tld, host;  // host: a name or an IPv4 literal, given as HOST[:PORT]
    int port = 43;
    std::string format;  // empty: the host's own query format
  };
  std::vector<TldServer> tld_servers;  // `tld-server TLD HOST [FORMAT]`, repeatable
  struct PinnedAddress {
    std::string host, address;  // address: "IP", "IP:PORT" or "[IPv6]:PORT"
  };
  std::vector<PinnedAddress> upstream_addresses;  // `upstream-address HOST IP:PORT`, repeatable
  // `upstream-source-address ADDR [ADDR ...]` (repeatable): the local addresses upstream WHOIS
  // and RDAP connections go out from, canonical IP literals, each once; empty: the kernel
  // chooses. Checked by binding at start-up (LookupService::Open).
  std::vector<std::string> upstream_source_addresses;
  bool allow_private_upstreams = false;
  // RDAP: `lookup-order rdap-first|whois-first|rdap-only|whois-only`, and `rdap-server TLD URL`
  // (repeatable) overrides of the bundled bootstrap registry (http:// allowed there).
  std::string lookup_order = "rdap-first";
  // Where and how often the RDAP bootstrap registry is refreshed (0: never; the bundled or
  // stored copy is used).
  std::string rdap_bootstrap_url = "https://data.iana.org/rdap/dns.json";
  int64_t rdap_bootstrap_refresh_s = 24ll * 3600;
  std::vector<std::pair<std::string, std::string>> rdap_servers;
  int lookup_timeout_ms = 5000;  // a waiting client gets the fallback record after this
  int max_referral_hops = 3;     // hops followed after the registry's reply
  int64_t directory_max_age_s = 30ll * 24 * 3600;
  int upstream_connect_timeout_ms = 3000;
  int upstream_timeout_ms = 10000;
  int64_t upstream_max_reply = 1ll << 20;
  // `upstream-limit HOST words...` (repeatable) and `default-upstream-limit words...`: the words
  // are a limit spec (whois/limits/limit_spec.h), validated when the directive is read.
  std::vector<std::pair<std::string, std::vector<std::string>>> upstream_limits;
  std::vector<std::string> default_upstream_limit;  // empty: the built-in default

  // The fleet (issue 17): proxies sharing records through Redis. No `fleet-redis`: no fleet,
  // nothing below is used. Seeds are `HOST:PORT` of a single server or of any Cluster nodes.
  std::vector<std::string> fleet_redis;
  std::string fleet_password;                  // AUTH; empty: none
  std::string fleet_prefix = "wp";             // keys are {<prefix>:<domain>}<kind>; no braces
  std::string fleet_node_name;                 // empty: <host name>:<port>
  int fleet_timeout_ms = 200;                  // per Redis command
  int64_t fleet_max_ttl_s = 30ll * 24 * 3600;  // longest expiry of a record in Redis

  // Administrative commands: `rename-command NAME NEWNAME` (repeatable; "" disables NAME), in
  // the order given. Applied to the command table at start-up.
  std::vector<std::pair<std::string, std::string>> renamed_commands;

  // Diagnostics (as Redis's): commands that ran at least this many microseconds go to the slow
  // log (negative: none; 0: every command), which keeps the newest slowlog_max_len; a command
  // that ran at least latency_monitor_threshold_ms is a LATENCY event (0: the monitor is off).
  int slowlog_log_slower_than_us = 10000;
  int slowlog_max_len = 128;
  int latency_monitor_threshold_ms = 0;

  // Logging.
  std::string loglevel = "notice";
  std::string logfile;  // empty: standard output

  // Where each directive came from, for error messages.
  std::string config_file;
};

// Where a configuration error was written, for FatalConfigErrorText: a file and line, the
// command line, or neither (a check of the whole configuration).
struct ConfigErrorPlace {
  std::string file;           // the configuration file the error is in, else empty
  int line = 0;               // its line, from 1; 0 for the file as a whole or no file
  bool command_line = false;  // the error is in the command-line flags
  std::string source;         // the line or the flag and its values, as given
};

// Result of loading configuration: the config, or an error naming the file, line and reason.
// Neither for --help, --version and --print-config.
struct ConfigResult {
  std::optional<Config> config;
  // OK, or (config empty) InvalidArgument whose message is the reason alone ("'port' must be an
  // integer from 0 to 65535"); error_place says where it was written.
  util::Status error;
  ConfigErrorPlace error_place;
  bool show_help = false;
  bool show_version = false;
  // `--print-config`: print the generated configuration file (every directive, its default).
  bool print_config = false;
  // `--test-config FILE [--directive value ...]`: check the configuration and exit.
  bool test_config = false;
  // `--repair` anywhere among the arguments: rebuild the store in `dir` and exit (see
  // server/repair_command.h).
  bool repair = false;

  // The error in one line: "file:line: reason", "command line: reason" or the reason alone;
  // empty when there is none.
  std::string ErrorText() const;
};

// The text printed when start-up is refused, laid out as redis-server's: a blank line, the
// banner, where the error is and the line itself (when it is one line's), then the reason.
// Every line ends with a newline.
std::string FatalConfigErrorText(const ConfigResult& result);

// Directives whose values contradict each other, e.g. a soft output limit above the hard one.
struct ConfigConflict {
  std::vector<std::string_view> directives;  // those involved, the one to blame first
  std::string message;
};
// Checks what no single directive can: relations between values. Run after loading and after
// every CONFIG SET.
std::optional<ConfigConflict> CheckConsistency(const Config& config);

// An upstream host as `upstream-limit` and WHOIS.LIMITS accept it: a DNS host name with at least
// one dot (whois.nic.uk, case and a trailing dot ignored) or an IP address.
bool IsValidUpstreamHost(std::string_view host);
// "invalid upstream host '...' (...)", with CR/LF shown as spaces.
std::string InvalidUpstreamHostError(std::string_view host);

// Parses argv (without argv[0]). A first argument not starting with "--" is a config file;
// `--repair` (which takes no value) may stand anywhere.
ConfigResult LoadConfig(const std::vector<std::string>& args);

// Applies one directive to *config. Returns OK, or InvalidArgument whose message is the reason
// naming the directive ("'port' must be an integer from 0 to 65535"). `at_runtime` rejects
// directives that cannot change while the server runs.
util::Status ApplyDirective(Config* config, std::string_view name,
                            const std::vector<std::string>& values, bool at_runtime);

// True if `name` (any case) is a directive.
bool IsDirective(std::string_view name);

// CONFIG GET support: calls visit(name, value) for every directive whose name matches `matches`
// (but never for rename-command, whose new names are secrets).
void ForEachDirective(const Config& config, const std::function<bool(std::string_view)>& matches,
                      const std::function<void(std::string_view, std::string)>& visit);

// Every directive in table order (rename-command too) with its value in `config` as CONFIG GET
// shows it; for the generated config file.
void ForEachDirectiveValue(const Config& config,
                           const std::function<void(std::string_view, std::string)>& visit);

// Parses Redis-style memory sizes: "1024", "64kb", "64mb", "1gb", "10k", "2m", "1g".
std::optional<int64_t> ParseMemory(std::string_view s);
// Parses durations in seconds: "30", "30s", "10m", "12h", "30d".
std::optional<int64_t> ParseSeconds(std::string_view s);

std::string HelpText();

}  // namespace server
