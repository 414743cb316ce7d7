#include "storage/durable_queue.h"

#include <memory>
#include <set>

#include "storage/meta_transaction.h"
#include "storage/record_codec.h"

namespace storage {
namespace {

std::string Hex16(uint64_t v) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out(16, '0');
  for (int i = 15; i >= 0; --i, v >>= 4) out[static_cast<size_t>(i)] = kHex[v & 0xf];
  return out;
}

bool ParseHex16(std::string_view s, uint64_t* v) {
  if (s.size() != 16) return false;
  uint64_t r = 0;
  for (char c : s) {
    int d = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
    if (d < 0) return false;
    r = (r << 4) | static_cast<uint64_t>(d);
  }
  *v = r;
  return true;
}

bool ValidGroup(std::string_view g) {
  if (g.empty()) return false;
  for (char c : g)
    if (c <= ' ' || c > '~') return false;
  return true;
}

// A counter key's value, 0 when absent.
Status GetCount(MetaTransaction& txn, const std::string& key, uint64_t* n) {
  std::string value;
  Status st = txn.Get(key, &value);
  if (st.IsNotFound()) {
    *n = 0;
    return Status::OK();
  }
  if (!st.ok()) return st;
  st = DecodeCounter(value, n);
  return st.ok() ? st : Status::Corruption(key + ": " + st.message());
}

void PutCount(MetaTransaction& txn, const std::string& key, uint64_t n) {
  if (n == 0)
    txn.Delete(key);
  else
    txn.Put(key, EncodeCounter(n));
}

}  // namespace

DurableQueue::DurableQueue(RecordStore* store, std::string prefix)
    : store_(store), prefix_(std::move(prefix)) {}

DurableQueue::~DurableQueue() { *alive_ = false; }

std::string DurableQueue::Key(std::string_view kind, std::string_view rest) const {
  std::string k = prefix_;
  k.append(kind);
  k.append(rest);
  return k;
}

void DurableQueue::Open(std::function<void(Status)> done) {
  auto counts = std::make_shared<std::map<std::string, uint64_t>>();
  std::string group_prefix = Key("g:", "");
  store_->RunMetaTransaction(
      prefix_,
      [counts, group_prefix](MetaTransaction& txn) {
        std::vector<std::pair<std::string, std::string>> rows;
        Status st = txn.Scan(group_prefix, "", SIZE_MAX, &rows);
        if (!st.ok()) return st;
        for (const auto& [key, value] : rows) {
          uint64_t n = 0;
          st = DecodeCounter(value, &n);
          if (!st.ok()) return Status::Corruption(key + ": " + st.message());
          if (n > 0) (*counts)[key.substr(group_prefix.size())] = n;
        }
        return Status::OK();
      },
      false,
      [this, alive = alive_, counts, done = std::move(done)](Status st) {
        if (st.ok() && *alive) {
          groups_ = std::move(*counts);
          size_ = 0;
          for (const auto& [group, n] : groups_) size_ += n;
        }
        done(std::move(st));
      });
}

void DurableQueue::Add(std::vector<Item> items, uint64_t max_entries,
                       std::function<void(Status, AddResult)> done) {
  for (const Item& item : items) {
    if (!ValidGroup(item.group) || item.name.empty()) {
      Status st = Status::InvalidArgument("bad queue item (group '" + item.group + "', name '" +
                                          item.name + "')");
      return store_->RunMetaTransaction(
          prefix_, [st](MetaTransaction&) { return st; }, false,
          [done = std::move(done)](Status s) { done(std::move(s), {}); });
    }
  }
  struct Outcome {
    AddResult result;
    std::map<std::string, uint64_t> added;  // by group
  };
  auto outcome = std::make_shared<Outcome>();
  std::string total_key = Key("t", ""), seq_key = Key("s", "");
  // The transaction runs on a worker: it gets its own copy of the prefix.
  auto key = [prefix = prefix_](std::string_view kind, std::string_view rest) {
    return prefix + std::string(kind) + std::string(rest);
  };
  store_->RunMetaTransaction(
      prefix_,
      [items = std::move(items), max_entries, outcome, total_key, seq_key,
       key](MetaTransaction& txn) {
        uint64_t total = 0, seq = 0;
        Status st = GetCount(txn, total_key, &total);
        if (st.ok()) st = GetCount(txn, seq_key, &seq);
        if (!st.ok()) return st;
        // First decide which names are new, writing nothing: a full queue takes none.
        std::set<std::string_view> seen;
        std::vector<const Item*> fresh;
        for (const Item& item : items) {
          if (!seen.insert(item.name).second) continue;
          std::string ignored;
          st = txn.Get(key("n:", item.name), &ignored);
          if (st.ok()) continue;
          if (!st.IsNotFound()) return st;
          fresh.push_back(&item);
        }
        outcome->result.size = total;
        if (total + fresh.size() > max_entries) {
          outcome->result.full = true;
          return Status::OK();
        }
        for (const Item* item : fresh) {
          ++seq;
          std::string position = item->group + " " + Hex16(seq);
          txn.Put(key("q:", position), item->name);
          txn.Put(key("n:", item->name), position);
          ++outcome->added[item->group];
        }
        for (const auto& [group, n] : outcome->added) {
          uint64_t count = 0;
          st = GetCount(txn, key("g:", group), &count);
          if (!st.ok()) return st;
          PutCount(txn, key("g:", group), count + n);
        }
        PutCount(txn, total_key, total + fresh.size());
        if (!fresh.empty()) txn.Put(seq_key, EncodeCounter(seq));
        outcome->result.added = fresh.size();
        outcome->result.size = total + fresh.size();
        return Status::OK();
      },
      false,
      [this, alive = alive_, outcome, done = std::move(done)](Status st) {
        if (st.ok() && *alive) {
          for (const auto& [group, n] : outcome->added) groups_[group] += n;
          size_ += outcome->result.added;
        }
        AddResult result = st.ok() ? outcome->result : AddResult{};
        done(std::move(st), result);
      });
}

void DurableQueue::Peek(const std::string& group, uint64_t after_seq, size_t limit,
                        std::function<void(Status, std::vector<Entry>)> done) {
  auto entries = std::make_shared<std::vector<Entry>>();
  std::string prefix = Key("q:", group + " ");
  std::string after = after_seq == 0 ? std::string() : prefix + Hex16(after_seq);
  store_->RunMetaTransaction(
      prefix_,
      [entries, prefix, after, limit](MetaTransaction& txn) {
        std::vector<std::pair<std::string, std::string>> rows;
        Status st = txn.Scan(prefix, after, limit, &rows);
        if (!st.ok()) return st;
        for (auto& [k, name] : rows) {
          Entry e;
          if (!ParseHex16(std::string_view(k).substr(prefix.size()), &e.seq))
            return Status::Corruption("queue key '" + k + "' has no sequence number");
          e.name = std::move(name);
          entries->push_back(std::move(e));
        }
        return Status::OK();
      },
      false,
      [entries, done = std::move(done)](Status st) {
        done(st, st.ok() ? std::move(*entries) : std::vector<Entry>{});
      });
}

void DurableQueue::Remove(const std::string& group, const Entry& entry,
                          std::function<void(Status)> done) {
  auto removed = std::make_shared<bool>(false);
  std::string position = group + " " + Hex16(entry.seq);
  std::string qkey = Key("q:", position), nkey = Key("n:", entry.name);
  std::string gkey = Key("g:", group), total_key = Key("t", "");
  store_->RunMetaTransaction(
      prefix_,
      [removed, position, qkey, nkey, gkey, total_key](MetaTransaction& txn) {
        std::string value;
        Status st = txn.Get(qkey, &value);
        if (st.IsNotFound()) return Status::OK();
        if (!st.ok()) return st;
        txn.Delete(qkey);
        // The name's membership points at this entry unless it was queued again since.
        st = txn.Get(nkey, &value);
        if (st.ok() && value == position) txn.Delete(nkey);
        if (!st.ok() && !st.IsNotFound()) return st;
        uint64_t count = 0, total = 0;
        st = GetCount(txn, gkey, &count);
        if (st.ok()) st = GetCount(txn, total_key, &total);
        if (!st.ok()) return st;
        PutCount(txn, gkey, count > 0 ? count - 1 : 0);
        PutCount(txn, total_key, total > 0 ? total - 1 : 0);
        *removed = true;
        return Status::OK();
      },
      false,
      [this, alive = alive_, removed, group, done = std::move(done)](Status st) {
        if (st.ok() && *removed && *alive) {
          if (auto it = groups_.find(group); it != groups_.end() && --it->second == 0)
            groups_.erase(it);
          if (size_ > 0) --size_;
        }
        done(std::move(st));
      });
}

}  // namespace storage
