#include "storage/info_log.h"

#include <cstdio>
#include <cstdlib>
#include <optional>
#include <string_view>

namespace storage {
namespace {

constexpr size_t kMaxDamageMessages = 8;

// LevelDB's log reader reports a skipped record as "<file>: dropping <N> bytes; <status>" (while
// a database opens) or "Log #<n>: dropping <N> bytes; <status>" (while it is repaired).
std::optional<uint64_t> DroppedBytes(std::string_view line) {
  static constexpr std::string_view kMark = ": dropping ";
  size_t at = line.find(kMark);
  if (at == std::string_view::npos) return std::nullopt;
  const char* digits = line.data() + at + kMark.size();
  char* end = nullptr;
  unsigned long long n = std::strtoull(digits, &end, 10);
  if (end == digits || std::string_view(end).substr(0, 6) != " bytes") return std::nullopt;
  return n;
}

}  // namespace

InfoLog::InfoLog(leveldb::Env* env, const std::string& dir) {
  std::string path = dir + "/LOG";
  env->RenameFile(path, dir + "/LOG.old");  // ignore errors: there may be none
  leveldb::Logger* file = nullptr;
  if (env->NewLogger(path, &file).ok()) file_.reset(file);
}

InfoLog::~InfoLog() = default;

void InfoLog::Logv(const char* format, std::va_list ap) {
  std::va_list copy;
  va_copy(copy, ap);
  char buf[512];
  std::vsnprintf(buf, sizeof buf, format, copy);
  va_end(copy);
  if (file_) file_->Logv(format, ap);
  std::optional<uint64_t> dropped = DroppedBytes(buf);
  if (!dropped) return;
  std::lock_guard<std::mutex> lock(mu_);
  dropped_bytes_ += *dropped;
  if (damage_messages_.size() < kMaxDamageMessages) {
    std::string line(buf);
    while (!line.empty() && line.back() == '\n') line.pop_back();
    damage_messages_.push_back(std::move(line));
  }
}

uint64_t InfoLog::dropped_bytes() const {
  std::lock_guard<std::mutex> lock(mu_);
  return dropped_bytes_;
}

std::vector<std::string> InfoLog::damage_messages() const {
  std::lock_guard<std::mutex> lock(mu_);
  return damage_messages_;
}

void InfoLog::Reset() {
  std::lock_guard<std::mutex> lock(mu_);
  dropped_bytes_ = 0;
  damage_messages_.clear();
}

}  // namespace storage
