#include "server/config.h"

#include <algorithm>
#include <charconv>
#include <fstream>
#include <sstream>
#include <type_traits>

#include "resp/request_parser.h"
#include "server/command_table.h"
#include "server/version.h"
#include "storage/fleet/node_address.h"
#include "util/ascii.h"
#include "util/host_port.h"
#include "whois/directory/referral.h"
#include "whois/limits/budget_key.h"
#include "whois/limits/builtin_limits.h"
#include "whois/limits/limit_spec.h"
#include "whois/resolver/lookup_order.h"
#include "whois/upstream/address_policy.h"

namespace server {
namespace {

std::optional<int64_t> ParseInt(std::string_view s) {
  int64_t v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size()) return std::nullopt;
  return v;
}

std::optional<bool> ParseYesNo(std::string_view s) {
  std::string l = util::ToLower(s);
  if (l == "yes") return true;
  if (l == "no") return false;
  return std::nullopt;
}

// One configuration directive: how to set it from words and how to show it.
struct Directive {
  const char* name;
  bool runtime;  // may change with CONFIG SET
  // OK, or InvalidArgument saying why the words are refused (without the directive's name).
  std::function<util::Status(Config*, const std::vector<std::string>&)> set;
  std::function<std::string(const Config&)> get;
  bool listed = true;  // shown by CONFIG GET and --help
};

// A list directive's words as CONFIG GET shows them: one space between.
std::string JoinWords(const std::vector<std::string>& words) {
  std::string out;
  for (const std::string& w : words) out += (out.empty() ? "" : " ") + w;
  return out;
}

util::Status ExpectOne(const std::vector<std::string>& v) {
  return v.size() == 1 ? util::Status::OK()
                       : util::Status::InvalidArgument("expects exactly one value");
}

// A directive of exactly one word: `parse` turns it into the field's value, or gives std::nullopt
// and the word is refused with `why`. CONFIG GET shows a number, or yes / no.
template <typename T, typename Parse>
Directive OneValueDirective(const char* name, bool runtime, T Config::*field, std::string why,
                            Parse parse) {
  return {name, runtime,
          [=](Config* c, const std::vector<std::string>& v) -> util::Status {
            if (util::Status st = ExpectOne(v); !st.ok()) return st;
            std::optional<T> value = parse(v[0]);
            if (!value) return util::Status::InvalidArgument(why);
            c->*field = *value;
            return util::Status::OK();
          },
          [=](const Config& c) {
            if constexpr (std::is_same_v<T, bool>) {
              return std::string(c.*field ? "yes" : "no");
            } else {
              return std::to_string(c.*field);
            }
          }};
}

Directive IntDirective(const char* name, bool runtime, int Config::*field, int64_t lo, int64_t hi) {
  return OneValueDirective(
      name, runtime, field,
      "must be an integer from " + std::to_string(lo) + " to " + std::to_string(hi),
      [=](std::string_view word) -> std::optional<int> {
        auto n = ParseInt(word);
        if (!n || *n < lo || *n > hi) return std::nullopt;
        return static_cast<int>(*n);
      });
}

Directive MemoryDirective(const char* name, bool runtime, int64_t Config::*field, int64_t lo) {
  return OneValueDirective(
      name, runtime, field,
      "must be a size like 1048576, 64kb, 64mb or 1gb, at least " + std::to_string(lo),
      [=](std::string_view word) -> std::optional<int64_t> {
        auto n = ParseMemory(word);
        if (!n || *n < lo) return std::nullopt;
        return n;
      });
}

Directive SecondsDirective(const char* name, bool runtime, int64_t Config::*field) {
  return OneValueDirective(name, runtime, field, "must be a duration like 600, 10m, 12h or 30d",
                           [](std::string_view word) -> std::optional<int64_t> {
                             auto n = ParseSeconds(word);
                             if (!n || *n < 1) return std::nullopt;
                             return n;
                           });
}

Directive BoolDirective(const char* name, bool runtime, bool Config::*field) {
  return OneValueDirective(name, runtime, field, "must be yes or no", ParseYesNo);
}

Directive StringDirective(const char* name, bool runtime, std::string Config::*field,
                          bool allow_empty) {
  return {name, runtime,
          [=](Config* c, const std::vector<std::string>& v) -> util::Status {
            if (v.size() > 1) return util::Status::InvalidArgument("expects one value");
            std::string value = v.empty() ? std::string() : v[0];
            if (value.empty() && !allow_empty)
              return util::Status::InvalidArgument("must not be empty");
            c->*field = value;
            return util::Status::OK();
          },
          [=](const Config& c) { return c.*field; }};
}

// A start-up directive of one or more distinct words, kept in the order given; given again, it adds
// to the list. `canonical` checks a word and spells it canonically, or gives std::nullopt and the
// word is refused as "'word' <not_a>"; a word already listed is refused as "<item> word given
// twice". `expects` names the words for an empty directive.
template <typename Canonical>
Directive WordListDirective(const char* name, std::vector<std::string> Config::*field,
                            std::string expects, std::string not_a, std::string item,
                            Canonical canonical) {
  return {name, false,
          [=](Config* c, const std::vector<std::string>& v) -> util::Status {
            if (v.empty()) return util::Status::InvalidArgument("expects one or more " + expects);
            std::vector<std::string>& list = c->*field;
            for (const std::string& text : v) {
              std::optional<std::string> word = canonical(text);
              if (!word) return util::Status::InvalidArgument("'" + text + "' " + not_a);
              if (std::find(list.begin(), list.end(), *word) != list.end()) {
                return util::Status::InvalidArgument(item + " " + *word + " given twice");
              }
              list.push_back(*word);
            }
            return util::Status::OK();
          },
          [=](const Config& c) { return JoinWords(c.*field); }};
}

const std::vector<Directive>& Directives() {
  static const std::vector<Directive> table = {
      IntDirective("port", false, &Config::port, 0, 65535),
      {"bind", false,
       [](Config* c, const std::vector<std::string>& v) -> util::Status {
         if (v.empty()) return util::Status::InvalidArgument("expects at least one address");
         c->bind = v;
         return util::Status::OK();
       },
       [](const Config& c) { return JoinWords(c.bind); }},
      BoolDirective("protected-mode", true, &Config::protected_mode),
      IntDirective("tcp-keepalive", true, &Config::tcp_keepalive_s, 0, 7200),
      IntDirective("timeout", true, &Config::timeout_s, 0, 1 << 30),
      IntDirective("maxclients", true, &Config::maxclients, 1, 1 << 20),
      StringDirective("requirepass", true, &Config::requirepass, true),
      IntDirective("metrics-port", false, &Config::metrics_port, 0, 65535),
      IntDirective("whois-port", false, &Config::whois_port, 0, 65535),
      IntDirective("whois-port-limit", true, &Config::whois_port_limit, 1, 1000000),
      MemoryDirective("client-query-buffer-limit", true, &Config::client_query_buffer_limit,
                      1 << 20),
      MemoryDirective("proto-max-bulk-len", true, &Config::proto_max_bulk_len, 1 << 10),
      MemoryDirective("client-output-buffer-soft", true, &Config::client_output_buffer_soft,
                      1 << 10),
      MemoryDirective("client-output-buffer-hard", true, &Config::client_output_buffer_hard,
                      1 << 16),
      IntDirective("client-output-timeout", true, &Config::client_output_timeout_s, 1, 86400),
      StringDirective("dir", false, &Config::dir, false),
      SecondsDirective("ttl-registered", true, &Config::ttl_registered_s),
      SecondsDirective("ttl-not-found", true, &Config::ttl_not_found_s),
      SecondsDirective("ttl-fallback", true, &Config::ttl_fallback_s),
      BoolDirective("serve-stale", true, &Config::serve_stale),
      SecondsDirective("max-stale", true, &Config::max_stale_s),
      IntDirective("history-max-versions", true, &Config::history_max_versions, 0, 1000),
      IntDirective("prefetch-queue-max", true, &Config::prefetch_queue_max, 0, 1000000000),
      MemoryDirective("hot-set-size", false, &Config::hot_set_size, 0),
      MemoryDirective("block-cache-size", false, &Config::block_cache_size, 1 << 20),
      MemoryDirective("write-buffer-size", false, &Config::write_buffer_size, 1 << 20),
      IntDirective("storage-threads", false, &Config::storage_threads, 1, 64),
      BoolDirective("storage-sync", false, &Config::storage_sync),
      BoolDirective("head-mirror", false, &Config::head_mirror),
      BoolDirective("flush-enabled", true, &Config::flush_enabled),
      StringDirective("iana-server", false, &Config::iana_server, false),
      BoolDirective("bundled-directory", false, &Config::bundled_directory),
      {"tld-server", false,
       [](Config* c, const std::vector<std::string>& v) -> util::Status {
         if (v.size() < 2 || v.size() > 3)
           return util::Status::InvalidArgument("expects TLD HOST [FORMAT]");
         Config::TldServer t{util::ToLower(v[0]), util::ToLower(v[1]), 43,
                             v.size() == 3 ? v[2] : std::string()};
         if (t.tld.starts_with('.')) t.tld.erase(0, 1);
         if (size_t colon = t.host.rfind(':');
             colon != std::string::npos && t.host.find(':') == colon) {
           auto port = ParseInt(std::string_view(t.host).substr(colon + 1));
           if (!port || *port < 1 || *port > 65535)
             return util::Status::InvalidArgument("port must be 1 to 65535");
           t.port = static_cast<int>(*port);
           t.host.resize(colon);
         }
         if (!t.format.empty() && t.format.find("%s") == std::string::npos)
           return util::Status::InvalidArgument("format must contain %s where the domain goes");
         c->tld_servers.push_back(std::move(t));
         return util::Status::OK();
       },
       [](const Config& c) {
         std::string out;
         for (const auto& t : c.tld_servers)
           out += (out.empty() ? "" : ", ") + t.tld + " " + t.host +
                  (t.port == 43 ? "" : ":" + std::to_string(t.port)) +
                  (t.format.empty() ? "" : " \"" + t.format + "\"");
         return out;
       }},
      {"upstream-address", false,
       [](Config* c, const std::vector<std::string>& v) -> util::Status {
         if (v.size() != 2) return util::Status::InvalidArgument("expects HOST IP[:PORT]");
         // Checked here as the upstream clients will read it, so a typo stops start-up instead
         // of leaving the host unpinned.
         std::optional<util::AddressPort> split = util::SplitAddressPort(v[1]);
         if (!split || !whois::IpAddress::Parse(split->address))
           return util::Status::InvalidArgument(
               "'" + v[1] +
               "' is not IP[:PORT] (e.g. 192.0.2.1, 192.0.2.1:4343, [2001:db8::1]:43)");
         c->upstream_addresses.push_back({util::ToLower(v[0]), v[1]});
         return util::Status::OK();
       },
       [](const Config& c) {
         std::string out;
         for (const auto& a : c.upstream_addresses)
           out += (out.empty() ? "" : ", ") + a.host + " " + a.address;
         return out;
       }},
      WordListDirective("upstream-source-address", &Config::upstream_source_addresses,
                        "IP addresses, e.g. 192.0.2.10 2001:db8::10",
                        "is not an IPv4 or IPv6 address (no port, brackets or zone)",
                        "source address", whois::limits::CanonicalAddress),
      BoolDirective("allow-private-upstreams", false, &Config::allow_private_upstreams),
      {"lookup-order", false,
       [](Config* c, const std::vector<std::string>& v) -> util::Status {
         if (util::Status st = ExpectOne(v); !st.ok()) return st;
         std::string l = util::ToLower(v[0]);
         if (whois::FindLookupOrder(l) == nullptr)
           return util::Status::InvalidArgument("must be one of " + whois::LookupOrderNames());
         c->lookup_order = l;
         return util::Status::OK();
       },
       [](const Config& c) { return c.lookup_order; }},
      StringDirective("rdap-bootstrap-url", false, &Config::rdap_bootstrap_url, false),
      OneValueDirective("rdap-bootstrap-refresh", false, &Config::rdap_bootstrap_refresh_s,
                        "must be a duration like 12h or 1d, or 0 for never", ParseSeconds),
      {"rdap-server", false,
       [](Config* c, const std::vector<std::string>& v) -> util::Status {
         if (v.size() != 2) return util::Status::InvalidArgument("expects TLD URL");
         std::string tld = util::ToLower(v[0]);
         if (tld.starts_with('.')) tld.erase(0, 1);
         if (!v[1].starts_with("https://") && !v[1].starts_with("http://"))
           return util::Status::InvalidArgument("URL must start with https:// or http://");
         c->rdap_servers.emplace_back(tld, v[1]);
         return util::Status::OK();
       },
       [](const Config& c) {
         std::string out;
         for (const auto& [tld, url] : c.rdap_servers)
           out += (out.empty() ? "" : ", ") + tld + " " + url;
         return out;
       }},
      {"upstream-limit", false,
       [](Config* c, const std::vector<std::string>& v) -> util::Status {
         if (v.size() < 2)
           return util::Status::InvalidArgument(
               "expects HOST followed by limits, e.g. whois.nic.uk rate 5/s");
         if (!IsValidUpstreamHost(v[0]))
           return util::Status::InvalidArgument(InvalidUpstreamHostError(v[0]));
         std::vector<std::string> words(v.begin() + 1, v.end());
         auto spec = whois::limits::ParseLimitSpec(words);
         if (!spec.ok()) return spec.status();
         c->upstream_limits.emplace_back(util::ToLower(v[0]), std::move(words));
         return util::Status::OK();
       },
       [](const Config& c) {
         std::string out;
         for (const auto& [host, words] : c.upstream_limits) {
           out += (out.empty() ? "" : ", ") + host;
           for (const auto& w : words) out += " " + w;
         }
         return out;
       }},
      {"default-upstream-limit", false,
       [](Config* c, const std::vector<std::string>& v) -> util::Status {
         auto spec = whois::limits::ParseLimitSpec(v);
         if (!spec.ok()) return spec.status();
         c->default_upstream_limit = v;
         return util::Status::OK();
       },
       [](const Config& c) {
         if (c.default_upstream_limit.empty())
           return std::string(whois::limits::kDefaultLimitDirective);
         return JoinWords(c.default_upstream_limit);
       }},
      IntDirective("lookup-timeout", true, &Config::lookup_timeout_ms, 1, 600000),
      WordListDirective("fleet-redis", &Config::fleet_redis, "HOST:PORT seeds, e.g. 10.0.0.5:6379",
                        "is not HOST:PORT (an IPv6 host in brackets)", "seed",
                        [](const std::string& text) -> std::optional<std::string> {
                          if (!storage::fleet::ParseNodeAddress(text)) return std::nullopt;
                          return text;
                        }),
      StringDirective("fleet-password", false, &Config::fleet_password, true),
      {"fleet-prefix", false,
       [](Config* c, const std::vector<std::string>& v) -> util::Status {
         if (util::Status st = ExpectOne(v); !st.ok()) return st;
         if (v[0].empty()) return util::Status::InvalidArgument("must not be empty");
         // A brace would change the hash tag that keeps one domain's keys in one slot.
         if (v[0].find_first_of("{} \t\r\n") != std::string::npos)
           return util::Status::InvalidArgument("must not contain braces or spaces");
         c->fleet_prefix = v[0];
         return util::Status::OK();
       },
       [](const Config& c) { return c.fleet_prefix; }},
      StringDirective("fleet-node-name", false, &Config::fleet_node_name, true),
      IntDirective("fleet-timeout", false, &Config::fleet_timeout_ms, 1, 600000),
      SecondsDirective("fleet-max-ttl", false, &Config::fleet_max_ttl_s),
      IntDirective("max-referral-hops", false, &Config::max_referral_hops, 0, 10),
      SecondsDirective("directory-max-age", false, &Config::directory_max_age_s),
      IntDirective("upstream-connect-timeout", false, &Config::upstream_connect_timeout_ms, 1,
                   600000),
      IntDirective("upstream-timeout", false, &Config::upstream_timeout_ms, 1, 600000),
      MemoryDirective("upstream-max-reply", false, &Config::upstream_max_reply, 1 << 10),
      {"loglevel", true,
       [](Config* c, const std::vector<std::string>& v) -> util::Status {
         if (util::Status st = ExpectOne(v); !st.ok()) return st;
         std::string l = util::ToLower(v[0]);
         if (l != "debug" && l != "verbose" && l != "notice" && l != "warning" && l != "nothing")
           return util::Status::InvalidArgument(
               "must be one of debug, verbose, notice, warning, nothing");
         c->loglevel = l;
         return util::Status::OK();
       },
       [](const Config& c) { return c.loglevel; }},
      IntDirective("slowlog-log-slower-than", true, &Config::slowlog_log_slower_than_us, -1,
                   1 << 30),
      IntDirective("slowlog-max-len", true, &Config::slowlog_max_len, 0, 1 << 20),
      IntDirective("latency-monitor-threshold", true, &Config::latency_monitor_threshold_ms, 0,
                   1 << 30),
      StringDirective("logfile", false, &Config::logfile, true),
      {"rename-command", false,
       [](Config* c, const std::vector<std::string>& v) -> util::Status {
         if (v.size() != 2)
           return util::Status::InvalidArgument("expects NAME NEWNAME (\"\" disables the command)");
         // Checked against the real table, with the earlier renames applied, so that a name
         // that does not exist (any more) or is taken stops start-up at this line.
         CommandTable commands;
         for (const auto& [from, to] : c->renamed_commands) (void)commands.Rename(from, to);
         if (util::Status st = commands.Rename(v[0], v[1]); !st.ok()) return st;
         c->renamed_commands.emplace_back(v[0], v[1]);
         return util::Status::OK();
       },
       [](const Config&) { return std::string(); }, false},
  };
  return table;
}

const Directive* FindDirective(std::string_view name) {
  std::string l = util::ToLower(name);
  for (const auto& d : Directives())
    if (l == d.name) return &d;
  return nullptr;
}

// Splits a config line the way redis-server does (quotes, escapes), reusing the inline parser.
std::optional<std::vector<std::string>> SplitLine(const std::string& line) {
  resp::RequestParser parser;
  std::string input = line + "\n";
  std::vector<std::string_view> args;
  auto st = parser.Parse(input, &args);
  if (st == resp::ParseStatus::kError) return std::nullopt;
  std::vector<std::string> out;
  if (st == resp::ParseStatus::kCommand)
    for (auto a : args) out.emplace_back(a);
  return out;
}

// A word as it would be written in a config file: quoted when empty or holding blanks or quotes.
std::string QuoteWord(const std::string& w) {
  bool plain = !w.empty();
  for (char c : w)
    if (c == ' ' || c == '\t' || c == '"' || c == '\'' || c == '\\' || c < 0x20) plain = false;
  if (plain) return w;
  std::string out = "\"";
  for (char c : w) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + "\"";
}

// Records an error at one line of `path` (line 0: the file as a whole) in *result.
void FailInFile(ConfigResult* result, const std::string& path, int line, std::string source,
                std::string reason) {
  result->error = util::Status::InvalidArgument(std::move(reason));
  result->error_place = {.file = path, .line = line, .source = std::move(source)};
}

void FailOnCommandLine(ConfigResult* result, std::string source, std::string reason) {
  result->error = util::Status::InvalidArgument(std::move(reason));
  result->error_place = {.command_line = true, .source = std::move(source)};
}

bool LoadFile(Config* config, const std::string& path, ConfigResult* result) {
  std::ifstream in(path);
  if (!in) {
    FailInFile(result, path, 0, {}, "cannot open config file '" + path + "'");
    return false;
  }
  std::string line;
  int lineno = 0;
  while (std::getline(in, line)) {
    ++lineno;
    size_t first = line.find_first_not_of(" \t\r");
    if (first == std::string::npos || line[first] == '#') continue;
    // The line as redis-server shows it in its report: without surrounding blanks.
    std::string shown = line.substr(first, line.find_last_not_of(" \t\r") + 1 - first);
    auto words = SplitLine(line);
    if (!words) {
      FailInFile(result, path, lineno, shown, "unbalanced quotes in '" + line + "'");
      return false;
    }
    if (words->empty()) continue;
    std::string name = (*words)[0];
    std::vector<std::string> values(words->begin() + 1, words->end());
    util::Status st = ApplyDirective(config, name, values, false);
    if (!st.ok()) {
      FailInFile(result, path, lineno, shown, st.message());
      return false;
    }
  }
  return true;
}

}  // namespace

std::optional<int64_t> ParseMemory(std::string_view s) {
  std::string l = util::ToLower(s);
  int64_t mul = 1;
  auto strip = [&](std::string_view suffix, int64_t m) {
    if (l.size() > suffix.size() && l.ends_with(suffix)) {
      l.resize(l.size() - suffix.size());
      mul = m;
      return true;
    }
    return false;
  };
  strip("gb", 1ll << 30) || strip("mb", 1ll << 20) || strip("kb", 1ll << 10) ||
      strip("g", 1000000000ll) || strip("m", 1000000ll) || strip("k", 1000ll) || strip("b", 1);
  auto n = ParseInt(l);
  if (!n || *n < 0 || *n > (int64_t{1} << 50) / mul) return std::nullopt;
  return *n * mul;
}

std::optional<int64_t> ParseSeconds(std::string_view s) {
  if (s.empty()) return std::nullopt;
  int64_t mul = 1;
  char last = static_cast<char>(std::tolower(static_cast<unsigned char>(s.back())));
  if (last == 's' || last == 'm' || last == 'h' || last == 'd') {
    mul = last == 's' ? 1 : last == 'm' ? 60 : last == 'h' ? 3600 : 86400;
    s.remove_suffix(1);
  }
  auto n = ParseInt(s);
  if (!n || *n < 0 || *n > (int64_t{1} << 40) / mul) return std::nullopt;
  return *n * mul;
}

util::Status ApplyDirective(Config* config, std::string_view name,
                            const std::vector<std::string>& values, bool at_runtime) {
  const Directive* d = FindDirective(name);
  if (!d) return util::Status::InvalidArgument("unknown directive '" + std::string(name) + "'");
  if (at_runtime && !d->runtime)
    return util::Status::InvalidArgument("'" + std::string(d->name) +
                                         "' cannot be changed while the server runs");
  util::Status st = d->set(config, values);
  if (!st.ok())
    return util::Status::InvalidArgument("'" + std::string(d->name) + "' " + st.message());
  return util::Status::OK();
}

void ForEachDirective(const Config& config, const std::function<bool(std::string_view)>& matches,
                      const std::function<void(std::string_view, std::string)>& visit) {
  for (const auto& d : Directives())
    if (d.listed && matches(d.name)) visit(d.name, d.get(config));
}

void ForEachDirectiveValue(const Config& config,
                           const std::function<void(std::string_view, std::string)>& visit) {
  for (const auto& d : Directives()) visit(d.name, d.get(config));
}

ConfigResult LoadConfig(const std::vector<std::string>& all_args) {
  ConfigResult result;
  Config config;
  std::vector<std::string> args;
  for (const auto& a : all_args) {
    if (a == "--repair")
      result.repair = true;
    else
      args.push_back(a);
  }
  size_t i = 0;
  if (!args.empty() && (args[0] == "--help" || args[0] == "-h")) {
    result.show_help = true;
    return result;
  }
  if (!args.empty() && (args[0] == "--version" || args[0] == "-v")) {
    result.show_version = true;
    return result;
  }
  if (!args.empty() && args[0] == "--print-config") {
    result.print_config = true;
    return result;
  }
  if (!args.empty() && args[0] == "--test-config") {
    result.test_config = true;
    args.erase(args.begin());
    if (args.empty() || args[0].starts_with("--")) {
      result.error =
          util::Status::InvalidArgument("--test-config expects the config file to check");
      return result;
    }
  }
  if (!args.empty() && !args[0].starts_with("--")) {
    config.config_file = args[0];
    if (!LoadFile(&config, args[0], &result)) return result;
    i = 1;
  }
  while (i < args.size()) {
    const std::string& flag = args[i];
    if (!flag.starts_with("--") || flag.size() == 2) {
      FailOnCommandLine(&result, QuoteWord(flag), "expected --directive, got '" + flag + "'");
      return result;
    }
    std::vector<std::string> values;
    std::string source = flag;
    for (++i; i < args.size() && !args[i].starts_with("--"); ++i) {
      values.push_back(args[i]);
      source += " " + QuoteWord(args[i]);
    }
    util::Status st = ApplyDirective(&config, flag.substr(2), values, false);
    if (!st.ok()) {
      FailOnCommandLine(&result, std::move(source), st.message());
      return result;
    }
  }
  if (auto conflict = CheckConsistency(config)) {
    result.error = util::Status::InvalidArgument(conflict->message);
    return result;
  }
  result.config = std::move(config);
  return result;
}

std::string ConfigResult::ErrorText() const {
  if (error_place.line > 0)
    return error_place.file + ":" + std::to_string(error_place.line) + ": " + error.message();
  if (error_place.command_line) return "command line: " + error.message();
  return error.message();
}

std::string FatalConfigErrorText(const ConfigResult& result) {
  const ConfigErrorPlace& place = result.error_place;
  std::string out =
      "\n*** FATAL CONFIG ERROR (whois-proxy " + std::string(kProxyVersion) + ") ***\n";
  if (place.line > 0) {
    out += "Reading the configuration file '" + place.file + "', at line " +
           std::to_string(place.line) + "\n>>> '" + place.source + "'\n";
  } else if (place.command_line) {
    out += "Reading the command line\n>>> '" + place.source + "'\n";
  }
  out += result.error.message();
  out += "\n";
  return out;
}

std::optional<ConfigConflict> CheckConsistency(const Config& c) {
  // Pausing a client above the soft limit would never happen before closing it at the hard one.
  if (c.client_output_buffer_soft > c.client_output_buffer_hard)
    return ConfigConflict{{"client-output-buffer-soft", "client-output-buffer-hard"},
                          "client-output-buffer-soft (" +
                              std::to_string(c.client_output_buffer_soft) +
                              ") must not be above client-output-buffer-hard (" +
                              std::to_string(c.client_output_buffer_hard) + ")"};
  // A bulk argument that is allowed but cannot fit in the query buffer would close the client
  // halfway through it instead of answering "invalid bulk length".
  if (c.proto_max_bulk_len > c.client_query_buffer_limit)
    return ConfigConflict{{"proto-max-bulk-len", "client-query-buffer-limit"},
                          "proto-max-bulk-len (" + std::to_string(c.proto_max_bulk_len) +
                              ") must not be above client-query-buffer-limit (" +
                              std::to_string(c.client_query_buffer_limit) + ")"};
  return std::nullopt;
}

bool IsDirective(std::string_view name) { return FindDirective(name) != nullptr; }

bool IsValidUpstreamHost(std::string_view host) {
  if (!host.empty() && host.back() == '.') host.remove_suffix(1);
  return whois::IsValidServerHostName(host) || whois::IpAddress::Parse(host).has_value();
}

std::string InvalidUpstreamHostError(std::string_view host) {
  std::string shown(host.substr(0, 128));
  for (char& ch : shown)
    if (ch == '\r' || ch == '\n') ch = ' ';
  return "invalid upstream host '" + shown +
         "' (a host name such as whois.nic.uk, or an IP address)";
}

std::string HelpText() {
  std::ostringstream out;
  out << "Usage: whois-proxy [config-file] [--directive value ...]\n"
         "       whois-proxy --repair [config-file] [--dir DIR]\n"
         "       whois-proxy --test-config config-file [--directive value ...]\n"
         "       whois-proxy --print-config | --version | --help\n\n"
         "A Redis-protocol server that answers GET <domain> with the domain's WHOIS record as "
         "JSON.\n--repair rebuilds a damaged record store in `dir` (one the server refuses to "
         "open,\ne.g. after its CURRENT file was lost) with LevelDB's RepairDB, prints what it "
         "saved and\nexits (files LevelDB replaces are kept in DIR/lost); the server must not be "
         "running on it.\nEvery config-file directive is also a flag. Directives and current "
         "defaults:\n";
  Config defaults;
  ForEachDirective(
      defaults, [](std::string_view) { return true; },
      [&](std::string_view name, std::string value) {
        out << "  --" << name << " " << (value.empty() ? "\"\"" : value) << "\n";
      });
  out << "  --rename-command NAME NEWNAME   (repeatable; \"\" disables NAME)\n";
  return out.str();
}

}  // namespace server
