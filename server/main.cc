// whois-proxy: entry point. Loads configuration, sets up logging, runs the server.
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include <csignal>
#include <cstdio>
#include <iostream>

#include "server/config.h"
#include "server/config_file_text.h"
#include "server/log_level.h"
#include "server/reopenable_file_sink.h"
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

// Sets up the default logger; *file_sink is the log file's sink when `logfile` is set (SIGHUP
// reopens it).
bool SetUpLogging(const server::Config& config,
                  std::shared_ptr<server::ReopenableFileSink>* file_sink) {
  try {
    std::shared_ptr<spdlog::logger> logger;
    if (config.logfile.empty()) {
      logger = spdlog::stdout_logger_mt("whois-proxy");
    } else {
      *file_sink = std::make_shared<server::ReopenableFileSink>(config.logfile);
      logger = std::make_shared<spdlog::logger>("whois-proxy", *file_sink);
    }
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
  if (loaded.print_config) {
    std::cout << server::ConfigFileText();
    return 0;
  }
  if (!loaded.config) {
    std::cerr << server::FatalConfigErrorText(loaded);
    return 1;
  }
  if (loaded.test_config) {
    std::cout << "whois-proxy: configuration file '" << loaded.config->config_file << "' is OK\n";
    return 0;
  }
  if (loaded.repair) return server::RunRepair(*loaded.config, std::cout, std::cerr);
  // A client that vanishes mid-write must not kill the process.
  std::signal(SIGPIPE, SIG_IGN);
  // libcurl's global state, once, before any thread starts (RDAP's HTTP client).
  if (std::string err = whois::rdap::HttpClient::GlobalInit(); !err.empty()) {
    std::cerr << "cannot initialise libcurl: " << err << "\n";
    return 1;
  }
  std::shared_ptr<server::ReopenableFileSink> log_file;
  if (!SetUpLogging(*loaded.config, &log_file)) return 1;
  server::Server server(std::move(*loaded.config));
  if (log_file) {
    server.set_log_reopener([log_file] {
      if (util::Status st = log_file->Reopen(); !st.ok())
        std::cerr << "cannot reopen the log file: " << st.message() << "\n";
      else
        spdlog::info("log file reopened (SIGHUP)");
    });
  }
  int rc = server.Run();
  spdlog::shutdown();
  return rc;
}
