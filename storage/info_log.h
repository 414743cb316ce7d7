// InfoLog: the leveldb::Logger the store gives LevelDB. It writes LevelDB's messages to LOG in
// the database directory, as LevelDB's own logger does, and also keeps what the store must act
// on: LevelDB reports damage it skipped (a write-ahead log record that fails its checksum while
// the log is replayed or repaired) only as a line in this log, "...: dropping N bytes; ...".
// Thread-safe: LevelDB logs from its compaction thread and from the thread that opens it.
#pragma once

#include <leveldb/env.h>

#include <cstdarg>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace storage {

class InfoLog final : public leveldb::Logger {
 public:
  // Opens <dir>/LOG, first renaming an existing one to LOG.old (as LevelDB does). Without a
  // file (a full or read-only disk) it still counts.
  InfoLog(leveldb::Env* env, const std::string& dir);
  ~InfoLog() override;

  void Logv(const char* format, std::va_list ap) override;

  // Bytes LevelDB reported dropping as damaged, and the messages that said so (the first few),
  // since the last Reset.
  uint64_t dropped_bytes() const;
  std::vector<std::string> damage_messages() const;
  void Reset();

 private:
  std::unique_ptr<leveldb::Logger> file_;
  mutable std::mutex mu_;
  uint64_t dropped_bytes_ = 0;                // guarded by mu_
  std::vector<std::string> damage_messages_;  // guarded by mu_
};

}  // namespace storage
