// The data behind GET and the other key commands: name normalisation, the hot set, the record
// store and live resolution, joined into one asynchronous API for the command handlers.
// Loop thread only. Replies are produced as ready RESP bytes so that a hot-set hit is a memcpy.
//
// A GET that misses starts one live lookup per domain: concurrent GETs for the same domain wait on
// the same lookup. Each waiting client has its own deadline (`lookup-timeout`): past it, that
// client gets the registry's record marked "partial" when the registry has answered and the
// registrar is still being asked, else a fallback record (reason "timeout"), while the lookup
// goes on; its result is stored once and answers every client still waiting.
//
// A stale registered or not_found record is answered at once, marked "stale": true, and one
// background refresh of it is queued (BackgroundLookups); a record in the last tenth of its TTL
// is refreshed ahead the same way. What a finished lookup may store is stale_policy.h's rule: a
// failure never replaces a known record, a changed answer archives the old one to history. A
// write a client makes (SET, DEL, FLUSHALL) after a lookup started wins over that lookup's
// result, which is then not stored.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "server/background_lookups.h"
#include "server/fleet_backlog.h"
#include "server/fleet_coordination.h"
#include "server/lookup_service.h"
#include "server/lookup_state_store.h"
#include "server/prometheus_text.h"
#include "server/stale_policy.h"
#include "storage/dictionary_compressor.h"
#include "storage/fleet/fleet_client.h"
#include "storage/fleet/shared_records.h"
#include "storage/fleet/single_flight.h"
#include "storage/freshness.h"
#include "storage/hot_set.h"
#include "storage/record_store.h"
#include "util/status.h"
#include "whois/country/country.h"
#include "whois/limits/host_scheduler.h"
#include "whois/names/domain_name.h"
#include "whois/resolver/lookup_result.h"

namespace server {

class Server;
class LoopExecutor;

class RecordService {
 public:
  RecordService(Server* server, LoopExecutor* executor);
  ~RecordService();

  // Opens the store in config().dir, loads the learned TLD directory entries and sets up the
  // resolver. Runs the loop until the directory is loaded (before the server listens). Returns
  // OK, or an error whose message is for the user.
  util::Status Open();
  // Cancels live lookups and background work (their clients get fallback records; nothing is
  // stored); the store stays open for the writes already issued. For shutdown.
  void CancelLookups();
  // CancelLookups, then closes the store; callbacks still queued are delivered with a
  // "closing" status.
  void Close();

  // GET and WHOIS.LOOKUP answer with a complete RESP reply (the record's JSON as a bulk, or
  // an error) in the client's protocol: a hot-set hit is then one memcpy, and every client
  // waiting on one lookup gets the same bytes. Every other call answers with values, or a
  // Status whose message is what the client is told after "ERR " (the command handlers write
  // the reply).
  using ReplyFn = std::function<void(std::string reply)>;

  // GET: the record's JSON as a bulk string. Returns true if it answered at once into *out.
  bool GetNow(std::string_view arg, std::string* out);
  // after_get_now: GetNow(arg) just answered false, so the hot set need not be asked again for
  // the same spelling (each ask counts as a request for the key in the hot set's admission).
  void Get(std::string_view arg, int protocol, ReplyFn done, bool after_get_now = false);

  // EXISTS: whether the key is stored (an invalid name or a failed read: false).
  void Exists(std::string_view arg, std::function<void(bool)> done);
  // DEL: whether the key existed.
  void Delete(std::string_view arg, std::function<void(util::StatusOr<bool> existed)> done);
  // TTL: milliseconds until the record goes stale (0 once it is), -2 if absent.
  void TtlMs(std::string_view arg, std::function<void(util::StatusOr<int64_t> ms)> done);
  // SET import: `json` must parse and name the key's domain. ex_ms: explicit time to stale.
  // InvalidArgument for a bad key or record.
  void Import(std::string_view arg, std::string_view json, std::optional<int64_t> ex_ms,
              std::function<void(util::Status)> done);
  struct ScanPage {
    uint64_t next = 0;  // 0: the scan is complete
    std::vector<std::string> keys;
  };
  // SCAN: InvalidArgument ("invalid cursor") for a cursor the store did not hand out.
  void Scan(uint64_t cursor, std::string match, size_t count,
            std::function<void(util::StatusOr<ScanPage>)> done);
  void FlushAll(std::function<void(util::Status)> done);

  // WHOIS.LOOKUP: resolves afresh, bypassing the cache (joins a lookup already in flight), and
  // waits for the whole chain rather than `lookup-timeout`. A fallback answer does not replace a
  // known record (the client gets the fallback, the store keeps the record).
  void LookupFresh(std::string_view arg, ReplyFn done);
  // WHOIS.CACHED: the stored record's JSON as it is (no lookup, no refresh, no stale mark), or
  // nullopt; for bulk export.
  void Cached(std::string_view arg, std::function<void(std::optional<std::string> json)> done);
  // WHOIS.HISTORY: earlier versions' JSON (each with its fetched_at), newest first, at most
  // `count`.
  void History(std::string_view arg, size_t count,
               std::function<void(util::StatusOr<std::vector<std::string>> versions)> done);
  // WHOIS.PREFETCH: queues background lookups of the names that are unknown or stale and
  // answers how many were queued; Unavailable naming `prefetch-queue-max` when it is full.
  void Prefetch(std::vector<std::string> args, std::function<void(util::StatusOr<int64_t>)> done);
  // WHOIS.QUEUE figures.
  BackgroundLookups::Figures QueueFigures() const;
  // WHOIS.RAW: the stored chain of raw replies; NotFound when none is stored.
  void Raw(std::string_view arg,
           std::function<void(util::StatusOr<std::vector<storage::RawReply>>)> done);
  // The stored chain of raw replies of a normalised domain (empty if there is none or it could
  // not be read), for the WHOIS port.
  void Chain(const std::string& domain, std::function<void(std::vector<storage::RawReply>)> done);
  // WHOIS.SERVER: the directory entry of a TLD (learned from IANA if needed); InvalidArgument
  // for a name that is not a TLD.
  void TldServer(std::string_view tld,
                 std::function<void(util::StatusOr<whois::ServerEntry>)> done);

  LookupService& lookup_service() { return *lookup_; }
  // Null without a fleet.
  const storage::fleet::FleetClient* fleet_client() const { return fleet_client_.get(); }
  const storage::fleet::RedisSharedRecords* shared_records() const { return shared_.get(); }
  // The heartbeat and the `scope all` budgets; null without a fleet.
  const FleetCoordination* fleet_coordination() const { return coordination_.get(); }
  const storage::fleet::SingleFlight* single_flight() const { return single_flight_.get(); }
  uint64_t fleet_hits() const { return fleet_hits_; }
  BackgroundLookups& background() { return *background_; }
  // Null before Open and after Close.
  const storage::RecordStore* store() const { return store_.get(); }
  uint64_t Count() const;
  uint64_t hits() const { return hits_; }
  uint64_t misses() const { return misses_; }
  void AppendInfo(std::string* out) const;
  // INFO's `# Fleet` lines: fleet_enabled:0 without a fleet.
  void AppendFleetInfo(std::string* out) const;
  // `fleet-node-name`, or this host's name and the proxy's port.
  std::string FleetNodeName() const;

  // Figures for /metrics (server/metrics_report.h). Each GET-like read of one key ends in
  // exactly one of these outcomes.
  struct ReadOutcomes {
    uint64_t hot_hit = 0;    // fresh, from the hot set
    uint64_t store_hit = 0;  // fresh, from the record store
    uint64_t stale = 0;      // served stale (hot set or store) while it is refreshed
    uint64_t miss = 0;       // nothing servable: looked up live
    uint64_t invalid = 0;    // not a domain name
  };
  const ReadOutcomes& read_outcomes() const { return reads_; }
  // Fallback records answered, by reason (FallbackReasonName values: a small fixed set).
  const std::map<std::string, uint64_t, std::less<>>& fallbacks_by_reason() const {
    return fallback_reasons_;
  }
  // Live lookups from start to result, in seconds.
  const Histogram& lookup_seconds() const { return lookup_seconds_; }
  size_t lookups_in_flight() const { return lookups_.size(); }
  const storage::HotSet* hot_set() const { return hot_.get(); }
  uint64_t lookups_started() const { return lookups_started_; }
  uint64_t lookups_joined() const { return lookups_joined_; }
  uint64_t refreshes_started() const { return refreshes_started_; }
  uint64_t refreshes_succeeded() const { return refreshes_succeeded_; }
  uint64_t refreshes_failed() const { return refreshes_failed_; }

  // Wall-clock milliseconds (records' times are wall-clock; the loop's clock is monotonic).
  int64_t WallNowMs() const;

 private:
  struct NameResult {
    std::string domain;  // empty if invalid
    whois::DomainName name;
    std::string invalid_json;
  };
  NameResult Normalize(std::string_view arg) const;
  // A store failure as a client is told it ("record store: IO error: ..."), with its code.
  static util::Status StoreError(const util::Status& st);
  static std::string BulkFrame(std::string_view json);
  storage::FreshnessPolicy Freshness() const;
  StaleSettings Stale() const;
  // How long the hot set may serve an entry after it went stale (0: not at all).
  int64_t HotStaleGraceMs() const;
  struct Waiter;
  struct InFlight;
  // A finished lookup, as a background job sees it.
  struct LookupSummary {
    BackgroundLookups::Outcome outcome = BackgroundLookups::Outcome::kDone;
    int64_t retry_after_ms = 0;
  };
  using LookupObserver = std::function<void(const LookupSummary&)>;
  // Joins or starts the live lookup of `name`; `deadline_ms` < 0 waits for the whole chain.
  // `nothing_servable`: the store was just asked and has no record it may serve.
  void Resolve(const whois::DomainName& name, int64_t deadline_ms, ReplyFn done,
               bool nothing_servable = false);
  // The lookup of `name` in flight, or a new one started with `priority` and `deadline_ms`.
  // With a fleet, a new one first claims the domain in the fleet (unless `ask_fleet` is false:
  // WHOIS.LOOKUP resolves afresh): a fresh shared record answers it; else it goes upstream
  // holding the fleet's lease, after waiting while another proxy held it (SingleFlight), or
  // without one when Redis is slow or gone.
  std::shared_ptr<InFlight> Flight(const whois::DomainName& name, whois::limits::Priority priority,
                                   int64_t deadline_ms, bool ask_fleet = true);
  // Sends the flight's lookup upstream (the resolver).
  void StartLookup(const whois::DomainName& name, whois::limits::Priority priority,
                   int64_t deadline_ms);
  // The fleet had a fresh record for a flight: stored locally (LevelDB, then the hot set) and
  // answered to every waiter, as a finished lookup is.
  void OnSharedRecord(const whois::DomainName& name, storage::Record rec);
  // Answers a finished flight's waiting clients (stopping their timers) and observers.
  static void AnswerFlight(InFlight& flight, const std::string& reply,
                           const LookupSummary& summary);
  // Opens the fleet's client and shared records when `fleet-redis` is set.
  util::Status OpenFleet();
  // Joins the lookup of `name` in flight, or starts one with background priority; `observe`
  // gets how it ended.
  void ObserveLookup(const whois::DomainName& name, int64_t deadline_ms, LookupObserver observe);
  void OnLookupDone(const whois::DomainName& name, whois::LookupResult result);
  // Stores a finished lookup's record by the store rule (stale_policy.h); refills the hot set.
  // `nothing_servable`: a client found no servable record before the lookup (a fallback may then
  // stand in the hot set while the store is read-only).
  // `lease`: the fleet's lease this proxy holds on the domain, released after the record is
  // published (or when nothing was stored).
  void StoreAnswer(const std::string& domain, LookupAnswer answer, bool nothing_servable,
                   std::string lease = {});
  // Gives the fleet's lease on `domain` back if this proxy holds it (`lease` not empty).
  void ReleaseLease(const std::string& domain, const std::string& lease);
  void OnLookupProgress(const std::string& domain, const whois::LookupResult& so_far);
  std::string TimeoutReply(const whois::DomainName& name);
  std::string FallbackReply(const whois::DomainName& name, whois::FallbackReason reason) const;
  // Serves a hot-set hit into *out (a stale one marked, converted once; a compressed one
  // decompressed), and queues the refresh its refresh time asks for. False, with the entry
  // dropped and *out unchanged, if a compressed entry does not decompress: the caller then
  // serves the key as if the hot set had not held it.
  bool ServeHotHit(std::string_view domain, storage::HotSet::Hit hit, int64_t now_ms,
                   std::string* out);
  // Serves a record read from the store: true if answered (fresh, or servable stale).
  // GetNow's cold hit: the record read from the store on the loop when it is in memory
  // (RecordStore::TryGetNow), served as a stored hit is. False: Get must take the full path.
  bool ServeStoredNow(std::string_view arg, int64_t now_ms, std::string* out);
  // `packed`: the record's JSON as the store keeps it packed, if it was (FillHotSet).
  bool ServeStored(const std::string& domain, const storage::Record& rec, uint64_t flush_epoch,
                   int64_t now_ms, const ReplyFn& done,
                   const storage::PackedJson* packed = nullptr);
  // Puts a record into the hot set in the form a hit should get (fresh, or stale when it may
  // be served stale); nothing if it may not be served from memory now. Once the set is full,
  // a record admitted is kept compressed (hot_compressor_), unless it is among the keys asked
  // for most (CompressHotEntry): a set of compressed records holds
  // three to four times as many, and decompressing one on a hit costs a few microseconds
  // where a read from the store costs tens. Until then nothing is compressed, so a set that
  // holds every record serves each hit as a copy. A compressed entry holds the reply's JSON
  // (not its frame): for a fresh record packed with the same dictionary that is the store's
  // own frame (`packed`), kept without compressing it again.
  void FillHotSet(const std::string& domain, const storage::Record& rec, uint64_t flush_epoch,
                  int64_t now_ms, const storage::PackedJson* packed = nullptr);
  // Whether a hot-set entry for domain is kept compressed now.
  bool CompressHotEntry(std::string_view domain) const;
  // A reply frame in the form the hot set keeps it: as it is, or its JSON compressed.
  std::string HotValue(std::string frame, bool compressed);
  // Appends the bulk frame of the JSON a compressed entry holds; false (and *out as it was) if
  // it does not decompress.
  bool AppendHotJsonFrame(std::string_view compressed, std::string* out);
  // Queues a background refresh of `domain` unless one is queued or a lookup is in flight, and
  // tells the hot set when to ask again.
  void QueueRefresh(const std::string& domain, BackgroundKind kind, int64_t now_ms);
  // BackgroundLookups' hook: checks the stored record still needs the job, then looks it up
  // with background priority (or joins the lookup in flight).
  void RunBackgroundJob(const BackgroundJob& job,
                        std::function<void(BackgroundLookups::Result)> done);
  std::unique_ptr<BackgroundLookups> MakeBackgroundLookups();
  // A write by a client: a lookup of the domain in flight must not store its result over it.
  void SupersedeLookup(const std::string& domain);
  void BeginWrite(const std::string& domain);
  void EndWrite(const std::string& domain);
  bool CanFillHotSet(const std::string& domain, uint64_t flush_epoch) const;

  Server* server_;
  LoopExecutor* executor_;
  std::unique_ptr<storage::RecordStore> store_;
  std::unique_ptr<storage::HotSet> hot_;
  // Compresses the hot set's entries once it is full, against the records' dictionary.
  std::unique_ptr<storage::DictionaryCompressor> hot_compressor_;
  std::unique_ptr<whois::DomainNormalizer> names_;
  const whois::CountryTable& countries_ = whois::CountryTable::Builtin();
  std::unique_ptr<RecordStoreState> lookup_state_;  // the store's meta keys, for lookup_
  std::unique_ptr<LookupService> lookup_;
  // The fleet (null without `fleet-redis`): the client, and the records shared through it.
  std::unique_ptr<storage::fleet::FleetClient> fleet_client_;
  std::unique_ptr<storage::fleet::RedisSharedRecords> shared_;
  // The domains whose record could not be shared, shared once Redis answers again.
  std::unique_ptr<FleetBacklog> fleet_backlog_;
  std::unique_ptr<FleetCoordination> coordination_;
  // Each domain resolved once fleet-wide: the shared record, or a lease, or a wait.
  std::unique_ptr<storage::fleet::SingleFlight> single_flight_;
  uint64_t fleet_hits_ = 0;           // misses answered from the fleet's records
  uint64_t fleet_state_changes_ = 0;  // Redis lost or back (FleetClient::on_state_change)
  std::unique_ptr<BackgroundLookups> background_;
  std::unordered_map<std::string, std::shared_ptr<InFlight>> lookups_;  // by domain
  bool closing_ = false;
  // Writes issued and not yet acknowledged, by domain: a read that completes meanwhile may hold
  // the old value, so it must not refill the hot set (which must never serve a replaced record).
  std::unordered_map<std::string, int> pending_writes_;
  // Changes when a flush is issued and when it is acknowledged: a read or lookup that began
  // under another epoch may hold or fetch what the flush removed.
  uint64_t flush_epoch_ = 0;
  int flushes_in_flight_ = 0;
  uint64_t hits_ = 0, misses_ = 0, hot_hits_ = 0, invalid_names_ = 0;
  uint64_t store_reads_now_ = 0;  // cold hits read on the loop (ServeStoredNow)
  uint64_t lookups_started_ = 0, lookups_joined_ = 0, lookup_timeouts_ = 0, fallbacks_ = 0;
  uint64_t stale_served_ = 0, refreshes_started_ = 0, refreshes_succeeded_ = 0;
  uint64_t refreshes_failed_ = 0, refresh_kept_record_ = 0, results_superseded_ = 0;
  uint64_t partial_answers_ = 0;
  ReadOutcomes reads_;
  std::map<std::string, uint64_t, std::less<>> fallback_reasons_;
  Histogram lookup_seconds_{{0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30}};
  void CountFallback(std::string_view reason);
};

}  // namespace server
