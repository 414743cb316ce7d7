// MetaTransaction: reads and writes of meta keys (RecordStore::IsMetaKey) made inside
// RecordStore::RunMetaTransaction, on a storage worker. The writes are collected and committed
// as one LevelDB batch when the transaction's function returns OK, so a crash leaves either all
// of them or none. Reads see the transaction's own writes first, then the database. Not
// thread-safe; lives only for the duration of the function it is passed to.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "storage/status.h"

namespace leveldb {
class DB;
}  // namespace leveldb

namespace storage {

class MetaTransaction {
 public:
  MetaTransaction(const MetaTransaction&) = delete;
  MetaTransaction& operator=(const MetaTransaction&) = delete;

  // NotFound if key is absent (or deleted by this transaction). InvalidArgument for a key that
  // is not a meta key.
  Status Get(const std::string& key, std::string* value);
  // A key that is not a meta key makes the whole transaction fail with InvalidArgument.
  void Put(const std::string& key, std::string value);
  void Delete(const std::string& key);
  // Committed entries whose key starts with `prefix` (a meta key prefix) and sorts after
  // `after` (from the first such key when `after` is empty), in key order, at most `limit`.
  // This transaction's own writes are not seen here.
  Status Scan(const std::string& prefix, const std::string& after, size_t limit,
              std::vector<std::pair<std::string, std::string>>* out);

 private:
  friend class RecordStore;
  MetaTransaction(leveldb::DB* db, std::atomic<uint64_t>* reads) : db_(db), reads_(reads) {}

  leveldb::DB* db_;
  std::atomic<uint64_t>* reads_;
  std::map<std::string, std::optional<std::string>> writes_;  // nullopt: delete
  Status error_;                                              // a bad key given to Put/Delete
};

}  // namespace storage
