// whois-proxy-cli: bulk work against a running whois-proxy over its Redis protocol.
//
//   whois-proxy-cli [-h HOST] [-p PORT] [-a PASSWORD] prefetch FILE|- [--no-wait] [--batch N]
//   whois-proxy-cli [-h HOST] [-p PORT] [-a PASSWORD] export [--match PATTERN]
//   whois-proxy-cli [-h HOST] [-p PORT] [-a PASSWORD] import FILE|- [--as-new]
#include <sys/ioctl.h>
#include <unistd.h>

#include <charconv>
#include <fstream>
#include <iostream>
#include <optional>
#include <string>
#include <vector>

#include "cli/commands.h"

namespace {

constexpr char kUsage[] =
    "Usage: whois-proxy-cli [-h HOST] [-p PORT] [-a PASSWORD] COMMAND ...\n"
    "  prefetch FILE|- [--no-wait] [--batch N]\n"
    "      queue the names in FILE (one per line; URLs and host names accepted, # comments)\n"
    "      for background lookups, then follow the queue to the end (--no-wait: only queue)\n"
    "  export [--match PATTERN]\n"
    "      write every cached record (whose domain matches PATTERN) as JSON Lines to stdout\n"
    "  import FILE|- [--as-new]\n"
    "      SET every JSON line of FILE; each record keeps its age (source.fetched_at) unless\n"
    "      --as-new makes it count as fetched now\n"
    "Defaults: -h 127.0.0.1 -p 7043. Exit status: 0 done, 1 done but some lines were bad or\n"
    "rejected (each reported on stderr with its number), 2 failed.\n";

std::optional<long> ToNumber(const std::string& s) {
  long v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size()) return std::nullopt;
  return v;
}

size_t TerminalWidth() {
  winsize w{};
  if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &w) == 0 && w.ws_col > 20) return w.ws_col;
  return 80;
}

int Usage(const std::string& why) {
  std::cerr << "whois-proxy-cli: " << why << "\n" << kUsage;
  return cli::kExitFailed;
}

}  // namespace

int main(int argc, char** argv) {
  std::ios::sync_with_stdio(false);
  std::string host = "127.0.0.1", password, command, file, pattern = "*";
  int port = 7043;
  bool wait = true, keep_age = true;
  size_t batch = 1000;
  std::vector<std::string> args(argv + 1, argv + argc);
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    auto value = [&]() -> std::optional<std::string> {
      if (i + 1 >= args.size()) return std::nullopt;
      return args[++i];
    };
    if (a == "--help") {
      std::cout << kUsage;
      return cli::kExitOk;
    } else if (a == "-h" || a == "-p" || a == "-a" || a == "--match" || a == "--batch") {
      std::optional<std::string> v = value();
      if (!v) return Usage(a + " needs a value");
      if (a == "-h") host = *v;
      if (a == "-a") password = *v;
      if (a == "--match") pattern = *v;
      if (a == "-p" || a == "--batch") {
        std::optional<long> n = ToNumber(*v);
        if (!n || *n < 1 || (a == "-p" && *n > 65535)) return Usage("bad number for " + a);
        if (a == "-p") port = static_cast<int>(*n);
        if (a == "--batch") batch = static_cast<size_t>(*n);
      }
    } else if (a == "--no-wait") {
      wait = false;
    } else if (a == "--as-new") {
      keep_age = false;
    } else if (command.empty()) {
      command = a;
    } else if (file.empty() && (command == "prefetch" || command == "import")) {
      file = a;
    } else {
      return Usage("unexpected argument '" + a + "'");
    }
  }
  if (command != "prefetch" && command != "export" && command != "import")
    return Usage(command.empty() ? "no command given" : "unknown command '" + command + "'");
  if (command != "export" && file.empty()) return Usage(command + " needs FILE or -");

  std::ifstream file_in;
  std::istream* in = &std::cin;
  if (!file.empty() && file != "-") {
    file_in.open(file);
    if (!file_in) {
      std::cerr << "whois-proxy-cli: cannot open " << file << "\n";
      return cli::kExitFailed;
    }
    in = &file_in;
  }
  auto connected = cli::RedisClient::Connect(host, port, password);
  if (!connected.ok()) {
    std::cerr << "whois-proxy-cli: " << connected.status().message() << "\n";
    return cli::kExitFailed;
  }
  std::unique_ptr<cli::RedisClient> redis = std::move(connected).value();
  if (command == "export") return cli::RunExport(*redis, pattern, std::cout, std::cerr);
  if (command == "import") {
    cli::ImportOptions o;
    o.keep_age = keep_age;
    o.terminal = isatty(STDERR_FILENO) != 0;
    return cli::RunImport(*redis, *in, std::cerr, o);
  }
  cli::PrefetchOptions o;
  o.wait = wait;
  o.batch = batch;
  o.terminal = isatty(STDOUT_FILENO) != 0;
  o.width = TerminalWidth();
  return cli::RunPrefetch(*redis, *in, std::cout, std::cerr, o);
}
