// A log file sink that can open its path again: after logrotate renames the file, SIGHUP makes
// the server write to a new file at the configured path (spdlog's basic_file_sink cannot).
// Thread-safe, as every spdlog sink: Reopen takes the sink's lock.
#pragma once

#include <spdlog/details/file_helper.h>
#include <spdlog/sinks/base_sink.h>

#include <mutex>
#include <string>

#include "util/status.h"

namespace server {

class ReopenableFileSink final : public spdlog::sinks::base_sink<std::mutex> {
 public:
  // Opens `path` for appending; throws spdlog::spdlog_ex if it cannot.
  explicit ReopenableFileSink(const std::string& path) { file_.open(path, false); }

  // Closes the file and opens the path again (a new file if the old one was renamed). Returns
  // OK, or IOError saying why it failed (lines are then lost until a Reopen succeeds).
  util::Status Reopen() {
    std::lock_guard<std::mutex> lock(mutex_);
    try {
      file_.reopen(false);
    } catch (const spdlog::spdlog_ex& e) {
      return util::Status::IOError(e.what());
    }
    return util::Status::OK();
  }

 protected:
  void sink_it_(const spdlog::details::log_msg& msg) override {
    spdlog::memory_buf_t formatted;
    formatter_->format(msg, formatted);
    file_.write(formatted);
  }
  void flush_() override { file_.flush(); }

 private:
  spdlog::details::file_helper file_;
};

}  // namespace server
