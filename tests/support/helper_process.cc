#include "helper_process.h"

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <sstream>

#include "child_process.h"
#include "wait_until.h"

namespace test_support {

HelperProcess::HelperProcess(std::string_view dir_prefix)
    : dir_(std::make_unique<TempDir>(dir_prefix)) {}

HelperProcess::~HelperProcess() { Stop(); }

bool HelperProcess::Start(std::vector<std::string> argv,
                          const std::function<bool(std::string_view)>& ready) {
  if (pid_ > 0) return true;
  std::string error;
  pid_ = StartAndWaitForLine(std::move(argv), dir() + "/stderr.txt", ready, kPatience, &error);
  if (pid_ <= 0) {
    error_ = error + ": " + StderrText();
    return false;
  }
  return true;
}

int HelperProcess::Stop() {
  int status = StopChild(pid_);
  pid_ = -1;
  return status;
}

std::string HelperProcess::StderrText() const { return ReadWholeFile(dir() + "/stderr.txt"); }

std::string ReadWholeFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

void WriteWholeFile(const std::string& path, std::string_view text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(text.data(), static_cast<std::streamsize>(text.size()));
}

bool HasFlag(const std::vector<std::string>& args, std::string_view flag) {
  return std::find(args.begin(), args.end(), flag) != args.end();
}

std::string EnvOr(const char* name, const std::string& fallback) {
  const char* env = std::getenv(name);
  return env != nullptr && *env != '\0' ? env : fallback;
}

}  // namespace test_support
