// DurableQueue: FIFO queues of names, one per group (the server groups by upstream host), kept
// in the record store's LevelDB under one meta-key prefix, so that they survive a restart and a
// kill -9. A name is in at most one queue at a time. An entry stays until its Remove is
// acknowledged: a crash loses nothing and replays at most the entries being worked on.
//
// Loop thread only (like RecordStore's API). Every operation is one meta transaction routed by
// the prefix, so they all run on one storage worker in issue order, and each callback comes back
// through the store's PostFn, never inside the call. Keys (see storage/README.md), with P the
// prefix:
//   P t                        -> entries in all queues (8 bytes, little-endian)
//   P s                        -> the next sequence number (8 bytes)
//   P g:<group>                -> entries in that group's queue (8 bytes)
//   P q:<group> <16 hex seq>   -> name            (the queue: FIFO by seq within a group)
//   P n:<name>                 -> <group> <16 hex seq>   (membership: one entry per name)
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "storage/record_store.h"
#include "storage/status.h"

namespace storage {

class DurableQueue {
 public:
  struct Item {
    std::string group;  // printable ASCII without spaces, not empty (a host name)
    std::string name;   // not empty
  };
  struct Entry {
    uint64_t seq = 0;
    std::string name;
  };
  struct AddResult {
    uint64_t added = 0;  // names that were not queued already
    bool full = false;   // nothing was added: the queue would have held more than max_entries
    uint64_t size = 0;   // entries in all queues after the call
  };

  // `store` outlives the queue. `prefix` is a meta key prefix no one else writes, e.g. "p:".
  DurableQueue(RecordStore* store, std::string prefix);
  // Callbacks of operations still in the store after this are still called (with their
  // results), but no longer update the counts.
  ~DurableQueue();
  DurableQueue(const DurableQueue&) = delete;
  DurableQueue& operator=(const DurableQueue&) = delete;

  // Reads the per-group counts. Call once, before anything else.
  void Open(std::function<void(Status)> done);

  // Queues every item whose name is not queued already (repeats within `items` count once), at
  // the back of its group's queue: all of them, or none if the queues would then hold more than
  // `max_entries` (AddResult::full). InvalidArgument for a bad group or an empty name.
  void Add(std::vector<Item> items, uint64_t max_entries,
           std::function<void(Status, AddResult)> done);
  // Up to `limit` entries of `group` after sequence number `after_seq` (0: from the front), in
  // FIFO order.
  void Peek(const std::string& group, uint64_t after_seq, size_t limit,
            std::function<void(Status, std::vector<Entry>)> done);
  // Removes an entry Peek returned. Removing one already gone is OK and changes nothing.
  void Remove(const std::string& group, const Entry& entry, std::function<void(Status)> done);

  // Entries acknowledged as added and not acknowledged as removed, in all groups and by group
  // (groups that emptied are dropped).
  uint64_t size() const { return size_; }
  const std::map<std::string, uint64_t>& groups() const { return groups_; }

 private:
  std::string Key(std::string_view kind, std::string_view rest) const;

  RecordStore* store_;
  const std::string prefix_;
  uint64_t size_ = 0;
  std::map<std::string, uint64_t> groups_;
  // False once destroyed: a store callback that arrives later leaves the counts alone.
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

}  // namespace storage
