// whois-proxy: entry point. Loads configuration, sets up logging, runs the server.
#include <spdlog/sinks/basic_file_sink.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include <csignal>
#include <cstdio>
#include <iostream>

#include "server/config.h"
#include "server/log_level.h"
#include "server/repair_command.h"
#include "server/server.h"
#include "server/version.h"
#include "whois/rdap/http_client.h"

// jemalloc's options, read once at start-up (the allocator the server links, see CMakeLists.txt;
// ignored by any other). Returning freed pages to the kernel happens on jemalloc's own
// background thread instead of inside malloc/free on the loop thread, where the madvise calls
// showed up as latency spikes; redis-server does the same (jemalloc-bg-thread yes).
extern "C" {
// NOLINTNEXTLINE: the name and type are jemalloc's interface.
extern const char* const malloc_conf;
const char* const malloc_conf = "background_thread:true";
}

namespace {

bool SetUpLogging(const server::Config& config) {
  try {
    std::shared_ptr<spdlog::logger> logger;
    if (config.logfile.empty())
      logger = spdlog::stdout_logger_mt("whois-proxy");
    else
      logger = spdlog::basic_logger_mt("whois-proxy", config.logfile);
    logger->set_pattern("%P:M %d %b %Y %H:%M:%S.%e %^%L%$ %v");
    logger->set_level(server::LogLevel(config.loglevel));
    logger->flush_on(spdlog::level::info);
    spdlog::set_default_logger(logger);
  } catch (const spdlog::spdlog_ex& e) {
    std::cerr << "cannot open logfile '" << config.logfile << "': " << e.what() << "\n";
    return false;
  }
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  server::ConfigResult loaded = server::LoadConfig(args);
  if (loaded.show_help) {
    std::cout << server::HelpText();
    return 0;
  }
  if (loaded.show_version) {
    std::cout << "whois-proxy v=" << server::kProxyVersion << " (Redis protocol "
              << server::kRedisCompatVersion << " compatible)\n";
    return 0;
  }
  if (!loaded.config) {
    std::cerr << server::FatalConfigErrorText(loaded);
    return 1;
  }
  if (loaded.repair) return server::RunRepair(*loaded.config, std::cout, std::cerr);
  // A client that vanishes mid-write must not kill the process.
  std::signal(SIGPIPE, SIG_IGN);
  // libcurl's global state, once, before any thread starts (RDAP's HTTP client).
  if (std::string err = whois::rdap::HttpClient::GlobalInit(); !err.empty()) {
    std::cerr << "cannot initialise libcurl: " << err << "\n";
    return 1;
  }
  if (!SetUpLogging(*loaded.config)) return 1;
  server::Server server(std::move(*loaded.config));
  int rc = server.Run();
  spdlog::shutdown();
  return rc;
}
