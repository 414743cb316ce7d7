// LookupStateStore: the little the lookup service keeps in the record store, as an interface so
// that the service runs in tests over a map. Meta keys only: `t:<tld>` learned directory
// entries, `q:<host>[@budget]` daily quota reservations, `q:~alive` the heartbeat, `b:rdap-dns`
// the fetched RDAP bootstrap registry (storage/README.md). RecordStoreState is the real one.
// Loop thread only: every callback runs on the loop.
#pragma once

#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "storage/record_store.h"
#include "storage/status.h"

namespace server {

class LookupStateStore {
 public:
  virtual ~LookupStateStore() = default;

  using Entries = std::vector<std::pair<std::string, std::string>>;
  // Every meta key starting with `prefix`, with its value (none: an empty list and OK).
  virtual void ScanMeta(const std::string& prefix,
                        std::function<void(storage::Status, Entries)> done) = 0;
  // Stores `value` under `key`; with `sync`, on disk before `done` runs.
  virtual void PutMeta(const std::string& key, std::string value, bool sync,
                       std::function<void(storage::Status)> done) = 0;
};

// The record store's meta keys. `store` outlives this object.
class RecordStoreState : public LookupStateStore {
 public:
  explicit RecordStoreState(storage::RecordStore* store) : store_(store) {}
  void ScanMeta(const std::string& prefix,
                std::function<void(storage::Status, Entries)> done) override {
    store_->ScanMeta(prefix, std::move(done));
  }
  void PutMeta(const std::string& key, std::string value, bool sync,
               std::function<void(storage::Status)> done) override {
    store_->PutMeta(key, std::move(value), sync, std::move(done));
  }

 private:
  storage::RecordStore* store_;
};

}  // namespace server
