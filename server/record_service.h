// The data behind GET and the other key commands: name normalisation, the hot set, the record
// store and live resolution, joined into one asynchronous API for the command handlers.
// Loop thread only. Replies are produced as ready RESP bytes so that a hot-set hit is a memcpy.
//
// A GET that misses (or finds a stale record) starts one live lookup per domain: concurrent GETs
// for the same domain wait on the same lookup. Each waiting client has its own deadline
// (`lookup-timeout`): past it, that client gets the registry's record marked "partial" when the
// registry has answered and the registrar is still being asked, else a fallback record (reason
// "timeout"), while the lookup goes on; its result is stored once and answers every client still
// waiting.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "server/live_resolution.h"
#include "storage/freshness.h"
#include "storage/hot_set.h"
#include "storage/record_store.h"
#include "whois/country.h"
#include "whois/domain_name.h"
#include "whois/lookup_result.h"

namespace server {

class Server;
class LoopExecutor;

class RecordService {
 public:
  RecordService(Server* server, LoopExecutor* executor);
  ~RecordService();

  // Opens the store in config().dir, loads the learned TLD directory entries and sets up the
  // resolver. Runs the loop until the directory is loaded (before the server listens). Returns
  // an empty string or a message for the user.
  std::string Open();
  // Cancels live lookups (their clients get fallback records; nothing is stored), then closes
  // the store; callbacks still queued are delivered with a "closing" status.
  void Close();

  // Callbacks receive a complete RESP reply (bulk, null, integer or error) in the given protocol.
  using ReplyFn = std::function<void(std::string reply)>;

  // GET: the record's JSON as a bulk string. Returns true if it answered at once into *out.
  bool GetNow(std::string_view arg, std::string* out);
  void Get(std::string_view arg, int protocol, ReplyFn done);

  // Per-key results for EXISTS / DEL / TTL: existed, and milliseconds until stale (-2 absent).
  void Exists(std::string_view arg, std::function<void(bool)> done);
  void Delete(std::string_view arg, std::function<void(bool existed, std::string error)> done);
  void TtlMs(std::string_view arg, std::function<void(int64_t ms, std::string error)> done);
  // SET import: `json` must parse and name the key's domain. ex_ms: explicit time to stale.
  void Import(std::string_view arg, std::string_view json, std::optional<int64_t> ex_ms,
              std::function<void(std::string error)> done);
  void Scan(
      uint64_t cursor, std::string match, size_t count,
      std::function<void(std::string error, uint64_t next, std::vector<std::string> keys)> done);
  void FlushAll(std::function<void(std::string error)> done);

  // WHOIS.LOOKUP: resolves afresh, bypassing the cache (joins a lookup already in flight), and
  // waits for the whole chain rather than `lookup-timeout`.
  void LookupFresh(std::string_view arg, ReplyFn done);
  // WHOIS.RAW: the stored chain of raw replies, as an array of {server, query, fetched_at, text}.
  void Raw(std::string_view arg, int protocol, ReplyFn done);
  // WHOIS.SERVER: the directory entry of a TLD as JSON (learned from IANA if needed).
  void TldServer(std::string_view tld, ReplyFn done);

  LiveResolution& live() { return *live_; }
  // Null before Open and after Close.
  const storage::RecordStore* store() const { return store_.get(); }
  uint64_t Count() const;
  uint64_t hits() const { return hits_; }
  uint64_t misses() const { return misses_; }
  void AppendInfo(std::string* out) const;

  // Wall-clock milliseconds (records' times are wall-clock; the loop's clock is monotonic).
  int64_t WallNowMs() const;

 private:
  struct NameResult {
    std::string domain;  // empty if invalid
    whois::DomainName name;
    std::string invalid_json;
  };
  NameResult Normalize(std::string_view arg) const;
  static std::string BulkFrame(std::string_view json);
  storage::FreshnessPolicy Freshness() const;
  struct Waiter;
  struct InFlight;
  // Joins or starts the live lookup of `name`; `deadline_ms` < 0 waits for the whole chain.
  void Resolve(const whois::DomainName& name, int64_t deadline_ms, ReplyFn done);
  void OnLookupDone(const whois::DomainName& name, whois::LookupResult result);
  void OnLookupProgress(const std::string& domain, const whois::LookupResult& so_far);
  std::string TimeoutReply(const whois::DomainName& name);
  std::string FallbackReply(const whois::DomainName& name, std::string_view reason) const;
  void BeginWrite(const std::string& domain);
  void EndWrite(const std::string& domain);
  bool CanFillHotSet(const std::string& domain, uint64_t flush_epoch) const;

  Server* server_;
  LoopExecutor* executor_;
  std::unique_ptr<storage::RecordStore> store_;
  std::unique_ptr<storage::HotSet> hot_;
  std::unique_ptr<whois::DomainNormalizer> names_;
  const whois::CountryTable& countries_ = whois::CountryTable::Builtin();
  std::unique_ptr<LiveResolution> live_;
  std::unordered_map<std::string, std::shared_ptr<InFlight>> lookups_;  // by domain
  bool closing_ = false;
  // Writes issued and not yet acknowledged, by domain: a read that completes meanwhile may hold
  // the old value, so it must not refill the hot set (which must never serve a replaced record).
  std::unordered_map<std::string, int> pending_writes_;
  uint64_t flush_epoch_ = 0;
  int flushes_in_flight_ = 0;
  uint64_t hits_ = 0, misses_ = 0, hot_hits_ = 0, invalid_names_ = 0;
  uint64_t lookups_started_ = 0, lookups_joined_ = 0, lookup_timeouts_ = 0, fallbacks_ = 0;
  uint64_t partial_answers_ = 0;
};

}  // namespace server
