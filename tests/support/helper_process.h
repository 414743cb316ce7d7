// What every helper server a test starts (fake-whois, fake-rdap) has in common: its own
// temporary directory, a child process that prints a READY line once it listens, its stderr in a
// file, and a stop by SIGTERM. The wrappers (FakeWhoisProcess, FakeRdapProcess) add only the
// flags and the READY line of their server.
#pragma once

#include <sys/types.h>

#include <functional>
#include <memory>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "temp_dir.h"

namespace test_support {

class HelperProcess {
 public:
  // Creates the temporary directory <temp dir>/<dir_prefix>XXXXXX.
  explicit HelperProcess(std::string_view dir_prefix);
  // Stops the child (if running) and removes the directory.
  ~HelperProcess();
  HelperProcess(const HelperProcess&) = delete;
  HelperProcess& operator=(const HelperProcess&) = delete;

  // Starts `argv` with its stderr in dir()/stderr.txt and passes each line it prints on stdout
  // to `ready` until that returns true (up to test_support::kPatience). True if it is running
  // (or already was); false with error() set (what went wrong and the child's stderr).
  bool Start(std::vector<std::string> argv, const std::function<bool(std::string_view)>& ready);
  // SIGTERM (SIGKILL after kPatience); the wait status, or -1 if it was not running or killed.
  int Stop();

  bool running() const { return pid_ > 0; }
  const std::string& dir() const { return dir_->path(); }
  std::string StderrText() const;
  const std::string& error() const { return error_; }

 private:
  std::unique_ptr<TempDir> dir_;
  pid_t pid_ = -1;
  std::string error_;
};

// The whole content of `path` ("" if it cannot be read).
std::string ReadWholeFile(const std::string& path);
// Replaces `path` with `text`.
void WriteWholeFile(const std::string& path, std::string_view text);
// Whether `flag` is one of `args`.
bool HasFlag(const std::vector<std::string>& args, std::string_view flag);
// A helper's log: each line of `text` read into an Entry by `parse(fields, &entry)` (fields: the
// line as a stream), kept if `parse` returns true. A line it refuses is skipped, as the partial
// last line is while the helper is still writing it.
template <typename Entry, typename Parse>
std::vector<Entry> ParseLogLines(std::string_view text, Parse parse) {
  std::vector<Entry> out;
  std::istringstream in{std::string(text)};
  std::string line;
  while (std::getline(in, line)) {
    std::istringstream fields(line);
    Entry e;
    if (parse(fields, &e)) out.push_back(std::move(e));
  }
  return out;
}
// Reads a log line's client address field into *client: "" when the line has none or "-".
inline void ReadClientField(std::istream& fields, std::string* client) {
  if (!(fields >> *client) || *client == "-") client->clear();
}
// The environment variable `name` if set and not empty, else `fallback` (how a test finds a
// binary or a folder the build names, which a user may override).
std::string EnvOr(const char* name, const std::string& fallback);

}  // namespace test_support
