#include "server/record_service.h"

#include <spdlog/spdlog.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <optional>
#include <utility>

#include "resp/reply_writer.h"
#include "server/loop_executor.h"
#include "server/record_status.h"
#include "server/server.h"
#include "server/store_options.h"
#include "util/ascii.h"
#include "util/info_writer.h"
#include "util/uv_timer.h"
#include "whois/directory/tld_directory.h"
#include "whois/record/record.h"
#include "whois/record/record_dictionary.h"
#include "whois/resolver/record_assembly.h"

namespace server {

using resp::ErrorReply;
using resp::NullReply;

namespace {

// WHOIS.LOOKUP and WHOIS.SERVER wait for the whole chain, within this budget.
constexpr int64_t kFreshLookupBudgetMs = 60 * 1000;
// A refresh that could not be queued (its host's lane is full) is asked for again by a hit
// after this long.
constexpr int64_t kRefreshRetryMs = 60 * 1000;
// zstd's level for the hot set's compressed entries: each is compressed once when admitted and
// decompressed at every hit, so the fast end (bench/RESULTS.md, "The crawler's working set").
constexpr int kHotSetCompressionLevel = 1;
// A hot entry that claims to decompress to more than this is damage (replies are a few KB).
constexpr size_t kMaxHotReplyBytes = 4u << 20;

}  // namespace

// A client waiting for a live lookup. Its timer gives it the fallback record at its deadline.
struct RecordService::Waiter {
  RecordService* service = nullptr;
  whois::DomainName name;
  ReplyFn done;
  std::unique_ptr<util::UvTimer> timer;  // null: waits for the whole chain
  bool answered = false;

  void Answer(std::string reply) {
    if (answered) return;
    answered = true;
    done(std::move(reply));
  }
};

struct RecordService::InFlight {
  std::vector<std::shared_ptr<Waiter>> waiters;
  std::vector<LookupObserver> observers;  // background jobs waiting on it
  bool background = false;                // started by a background job
  // A client wrote the domain (SET, DEL) after the lookup started, or a flush happened: its
  // result must not be stored over that write.
  bool superseded = false;
  uint64_t flush_epoch = 0;
  // A client's GET found nothing in the store it may serve before joining (see StoreAnswer).
  bool nothing_servable = false;
  // The registry's answer while the registrar is asked, and when it came: what a client whose
  // deadline comes first is answered with ("partial": true). Assembled only when a deadline
  // needs it (most lookups finish in time), then kept as RESP bulk for the other waiters.
  std::optional<whois::LookupResult> registry_answer;
  int64_t registry_answer_ms = 0;
  std::string partial_reply;
  // The fleet's lease on the domain this proxy holds while it resolves it (empty: none); released
  // once the record is published (SingleFlight).
  std::string lease;
  uint64_t started_ns = uv_hrtime();  // for the lookup latency histogram
};

RecordService::RecordService(Server* server, LoopExecutor* executor)
    : server_(server), executor_(executor) {}

RecordService::~RecordService() = default;

util::Status RecordService::StoreError(const util::Status& st) {
  std::string message = "record store: " + st.ToString();
  switch (st.code()) {
    case util::StatusCode::kNotFound:
      return util::Status::NotFound(std::move(message));
    case util::StatusCode::kInvalidArgument:
      return util::Status::InvalidArgument(std::move(message));
    case util::StatusCode::kCorruption:
      return util::Status::Corruption(std::move(message));
    case util::StatusCode::kUnavailable:
      return util::Status::Unavailable(std::move(message));
    case util::StatusCode::kOk:
    case util::StatusCode::kIOError:
      break;
  }
  return util::Status::IOError(std::move(message));
}

util::Status RecordService::Open() {
  const Config& cfg = server_->config();
  auto names = whois::DomainNormalizer::Open(WP_PSL_FILE);
  if (!names.ok())
    return util::Status::IOError("cannot load the Public Suffix List: " + names.status().message());
  names_ = std::move(names).value();
  storage::StoreOptions opts = StoreOptionsFromConfig(cfg);
  // Hand-offs in batches both ways: a worker queues each result and wakes the loop once it has
  // run out of work; the loop wakes a sleeping worker once per iteration, not per operation.
  // On a shared core this saves a context switch per operation (bench/miss_path.sh).
  LoopExecutor* executor = executor_;
  opts.on_worker_idle = [executor] { executor->Wake(); };
  opts.log = [](storage::Severity severity, const std::string& message) {
    switch (severity) {
      case storage::Severity::kInfo:
        return spdlog::info("{}", message);
      case storage::Severity::kWarning:
        return spdlog::warn("{}", message);
      case storage::Severity::kError:
        return spdlog::error("{}", message);
    }
  };
  storage::Status st = storage::RecordStore::Open(
      opts, [executor](std::function<void()> fn) { executor->Queue(std::move(fn)); }, &store_);
  if (!st.ok())
    return util::Status::IOError("cannot open the record store in '" + cfg.dir +
                                 "': " + st.ToString());
  store_->DeferWakeupsToThisThread();
  executor_->SetIterationHook([store = store_.get()] { store->WakeWorkers(); });
  hot_ = std::make_unique<storage::HotSet>(static_cast<size_t>(cfg.hot_set_size));
  // Raw literals: a hit decompresses in about half the time (dictionary_compressor.h), and a
  // frame the store packed is made the same way.
  hot_compressor_ = std::make_unique<storage::DictionaryCompressor>(
      whois::RecordDictionaryText(), kHotSetCompressionLevel, /*checksum=*/false,
      /*raw_literals=*/true);
  if (!hot_compressor_->ok()) hot_compressor_.reset();  // entries are then kept as they are
  spdlog::info("record store open in {} with {} records", cfg.dir, store_->record_count());
  lookup_state_ = std::make_unique<RecordStoreState>(store_.get());
  lookup_ = std::make_unique<LookupService>(server_->loop(), lookup_state_.get(),
                                            [this] { return WallNowMs(); });
  if (util::Status opened = lookup_->Open(LookupOptionsFromConfig(cfg)); !opened.ok())
    return opened;
  if (util::Status fleet = OpenFleet(); !fleet.ok()) return fleet;
  lookup_->SetProgressHandler([this](const std::string& domain, const whois::LookupResult& so_far) {
    OnLookupProgress(domain, so_far);
  });
  background_ = MakeBackgroundLookups();
  return background_->Open();
}

util::Status RecordService::OpenFleet() {
  const Config& cfg = server_->config();
  if (cfg.fleet_redis.empty()) return util::Status::OK();
  storage::fleet::ClientOptions client;
  storage::Status st = storage::fleet::ParseSeeds(cfg.fleet_redis, &client.seeds);
  if (!st.ok()) return util::Status::InvalidArgument("fleet-redis: " + st.message());
  client.password = cfg.fleet_password;
  client.timeout_ms = cfg.fleet_timeout_ms;
  // Logged once per change, not per command: a proxy whose Redis is gone keeps serving from
  // its own store and says so once.
  client.on_state_change = [this](bool up, const std::string& why) {
    ++fleet_state_changes_;
    if (up) {
      spdlog::warn("fleet: Redis answers again ({}); sharing records again", why);
      if (fleet_backlog_) fleet_backlog_->Resume();
    } else {
      spdlog::warn("fleet: Redis unreachable ({}); serving from the local store until it is back",
                   why);
    }
  };
  fleet_client_ = std::make_unique<storage::fleet::FleetClient>(server_->loop(), client);
  storage::fleet::RedisSharedRecords::Options shared;
  shared.prefix = cfg.fleet_prefix;
  // A record stays in Redis as long as some proxy may still serve it stale.
  shared.stale_window_ms = cfg.serve_stale ? cfg.max_stale_s * 1000 : 0;
  shared.max_ttl_ms = cfg.fleet_max_ttl_s * 1000;
  // Values are compressed with the project's record dictionary (a third of the bytes of a
  // record compressed alone); every proxy builds the same text for its id.
  shared.dictionaries = {{whois::kRecordDictionaryId, whois::RecordDictionaryText()}};
  shared.write_dictionary = whois::kRecordDictionaryId;
  // A record that could not be shared waits in the backlog until Redis answers again.
  shared.on_write_failed = [this](const std::string& domain) {
    if (fleet_backlog_) fleet_backlog_->Add(domain);
  };
  shared_ = std::make_unique<storage::fleet::RedisSharedRecords>(fleet_client_.get(), shared,
                                                                 [this] { return WallNowMs(); });
  fleet_backlog_ = std::make_unique<FleetBacklog>(
      server_->loop(), store_.get(), shared_.get(),
      [client = fleet_client_.get()] { return client->reachable(); });
  if (util::Status opened = fleet_backlog_->Open(); !opened.ok()) return opened;
  FleetCoordination::Options coordination;
  coordination.prefix = cfg.fleet_prefix;
  coordination.node_name = FleetNodeName();
  coordination.sources = cfg.upstream_source_addresses;
  // A concurrency slot outlives any query it stands for (a dead proxy's comes back then).
  coordination.slot_ttl_ms = 2ll * cfg.upstream_timeout_ms + 5000;
  coordination.lookups_in_flight = [this] { return static_cast<int64_t>(lookups_.size()); };
  coordination.wall_clock_ms = [this] { return WallNowMs(); };
  coordination_ = std::make_unique<FleetCoordination>(server_->loop(), fleet_client_.get(),
                                                      std::move(coordination));
  lookup_->SetFleet(&coordination_->budgets());
  storage::fleet::SingleFlight::Options single;
  single.prefix = cfg.fleet_prefix;
  single.node_name = FleetNodeName();
  single_flight_ = std::make_unique<storage::fleet::SingleFlight>(
      server_->loop(), fleet_client_.get(), shared_.get(), single, [this] { return WallNowMs(); });
  // Tells a single server from a Cluster now, so the first miss does not wait for it.
  fleet_client_->Start();
  spdlog::info(
      "fleet: sharing records through Redis at {} (prefix {})",
      [&] {
        std::string seeds;
        for (const auto& s : cfg.fleet_redis) seeds += (seeds.empty() ? "" : " ") + s;
        return seeds;
      }(),
      cfg.fleet_prefix);
  return util::Status::OK();
}

std::string RecordService::FleetNodeName() const {
  const Config& cfg = server_->config();
  if (!cfg.fleet_node_name.empty()) return cfg.fleet_node_name;
  char host[256] = {};
  if (gethostname(host, sizeof(host) - 1) != 0) host[0] = '\0';
  return std::string(host[0] ? host : "localhost") + ":" + std::to_string(cfg.port);
}

void RecordService::AppendFleetInfo(std::string* out) const {
  util::InfoWriter info(out);
  info.Field("fleet_enabled", fleet_client_ ? "1" : "0");
  if (!fleet_client_) return;
  using Mode = storage::fleet::FleetClient::Mode;
  Mode mode = fleet_client_->mode();
  info.Field("fleet_node_name", FleetNodeName());
  info.Field("fleet_prefix", server_->config().fleet_prefix);
  info.Field("fleet_engine", mode == Mode::kCluster  ? "cluster"
                             : mode == Mode::kSingle ? "single"
                                                     : "unknown");
  info.Field("fleet_masters", mode == Mode::kCluster ? fleet_client_->slot_map().nodes().size()
                                                     : (mode == Mode::kSingle ? 1 : 0));
  const auto& st = fleet_client_->stats();
  info.Field("fleet_commands", st.commands);
  info.Field("fleet_command_failures", st.failed);
  info.Field("fleet_command_timeouts", st.timeouts);
  info.Field("fleet_moved", st.moved);
  info.Field("fleet_asked", st.asked);
  info.Field("fleet_slot_map_refreshes", st.map_refreshes);
  info.Field("fleet_connect_failures", st.connect_failures);
  info.Field("fleet_lookups_answered", fleet_hits_);
  info.Field("fleet_reachable", fleet_client_->reachable() ? "1" : "0");
  info.Field("fleet_state_changes", fleet_state_changes_);
  if (shared_) shared_->AppendInfo(out);
  if (fleet_backlog_) fleet_backlog_->AppendInfo(out);
  if (coordination_) coordination_->AppendInfo(out);
  if (single_flight_) single_flight_->AppendInfo(out);
}

void RecordService::CancelLookups() {
  if (closing_) return;
  closing_ = true;
  if (background_) background_->Close();
  if (fleet_backlog_) fleet_backlog_->Close();
  // Every pending lookup finishes now (as cancelled): its waiting clients get fallback records.
  if (lookup_) lookup_->CancelAll();
  // Lookups still asking the fleet or waiting for another proxy's lease finish too (their
  // callbacks see closing_).
  if (single_flight_) single_flight_->Cancel();
  if (fleet_client_) fleet_client_->Close();
}

void RecordService::Close() {
  CancelLookups();
  if (lookup_ && coordination_) lookup_->SetFleet(nullptr);
  coordination_.reset();
  single_flight_.reset();
  fleet_backlog_.reset();
  shared_.reset();
  fleet_client_.reset();
  background_.reset();
  lookup_.reset();
  lookup_state_.reset();
  if (store_) executor_->SetIterationHook({});
  store_.reset();
  hot_.reset();
}

int64_t RecordService::WallNowMs() const {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

uint64_t RecordService::Count() const { return store_ ? store_->record_count() : 0; }

storage::FreshnessPolicy RecordService::Freshness() const {
  const Config& cfg = server_->config();
  storage::FreshnessPolicy p;
  p.ttl_registered_ms = cfg.ttl_registered_s * 1000;
  p.ttl_not_found_ms = cfg.ttl_not_found_s * 1000;
  p.ttl_fallback_ms = cfg.ttl_fallback_s * 1000;
  return p;
}

StaleSettings RecordService::Stale() const {
  const Config& cfg = server_->config();
  return {cfg.serve_stale, cfg.max_stale_s * 1000};
}

int64_t RecordService::HotStaleGraceMs() const {
  const Config& cfg = server_->config();
  return cfg.serve_stale ? cfg.max_stale_s * 1000 : 0;
}

std::string RecordService::BulkFrame(std::string_view json) { return resp::BulkReply(json); }

RecordService::NameResult RecordService::Normalize(std::string_view arg) const {
  auto result = names_->Normalize(arg);
  if (result.ok()) return {result->domain, *result, {}};
  return {
      {}, {}, whois::ToJson(whois::MakeInvalidRecord(std::string(arg), result.status().message()))};
}

void RecordService::BeginWrite(const std::string& domain) {
  ++pending_writes_[domain];
  if (hot_) hot_->Erase(domain);
}

void RecordService::EndWrite(const std::string& domain) {
  auto it = pending_writes_.find(domain);
  if (it != pending_writes_.end() && --it->second == 0) pending_writes_.erase(it);
}

void RecordService::SupersedeLookup(const std::string& domain) {
  if (auto it = lookups_.find(domain); it != lookups_.end()) it->second->superseded = true;
}

bool RecordService::CanFillHotSet(const std::string& domain, uint64_t flush_epoch) const {
  return hot_ && flush_epoch == flush_epoch_ && flushes_in_flight_ == 0 &&
         !pending_writes_.contains(domain);
}

bool RecordService::GetNow(std::string_view arg, std::string* out) {
  // A stored key is a normalised domain, and normalising one gives it back unchanged, so the raw
  // argument can be looked up before any normalisation work.
  int64_t now = WallNowMs();
  if (storage::HotSet::Hit hit = hot_->Find(arg, now, HotStaleGraceMs());
      hit && ServeHotHit(arg, hit, now, out))
    return true;
  return ServeStoredNow(arg, now, out);
}

bool RecordService::ServeStoredNow(std::string_view arg, int64_t now_ms, std::string* out) {
  // Only a stored key's spelling can be found: anything else (upper case, a trailing dot, a
  // name that is not valid) takes the full path, which normalises it first.
  if (!store_ || arg.empty() || arg.size() > 253 ||
      !std::all_of(arg.begin(), arg.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.';
      }))
    return false;
  std::string domain(arg);
  storage::Record rec;
  storage::PackedJson packed;
  // Anything but a record read from memory (absent, on disk, a write to it still in flight)
  // takes the full path, on a storage thread.
  if (store_->TryGetNow(domain, &rec, &packed) != storage::RecordStore::ReadNow::kFound)
    return false;
  ++store_reads_now_;
  return ServeStored(
      domain, rec, flush_epoch_, now_ms, [out](std::string reply) { out->append(reply); }, &packed);
}

bool RecordService::ServeHotHit(std::string_view domain, storage::HotSet::Hit hit, int64_t now_ms,
                                std::string* out) {
  std::string decompressed;
  const std::string* value = hit.value;
  const size_t out_before = out->size();
  if (hit.entry->compressed) {
    // A fresh hit decompresses straight into the reply; a stale one needs the bytes to mark.
    if (!AppendHotJsonFrame(*value, hit.stale ? &decompressed : out)) {
      hot_->Erase(domain);
      return false;
    }
    value = &decompressed;
  }
  ++hits_;
  ++hot_hits_;
  ++(hit.stale ? reads_.stale : reads_.hot_hit);
  if (hit.stale) {
    ++stale_served_;
    if (!hit.entry->stale_form) {
      // The first stale hit turns the entry into the stale reply, so every later one is a copy.
      std::string key(domain);
      storage::HotEntry entry = *hit.entry;
      entry.stale_form = true;
      std::string stale = StaleBulk(*value);
      out->append(stale);
      entry.compressed = CompressHotEntry(key);
      hot_->Insert(key, HotValue(std::move(stale), entry.compressed), entry);
      if (now_ms >= entry.refresh_at_ms) QueueRefresh(key, BackgroundKind::kStale, now_ms);
      return true;
    }
  }
  if (!hit.entry->compressed || hit.stale) out->append(*value);
  const bool refresh = now_ms >= hit.entry->refresh_at_ms;
  if (hit.entry->compressed && !CompressHotEntry(domain)) {
    // Now one of the most asked-for keys: kept whole from here on (see CompressHotEntry).
    storage::HotEntry whole = *hit.entry;
    whole.compressed = false;
    hot_->Insert(std::string(domain), out->substr(out_before), whole);
  }
  if (refresh)
    QueueRefresh(std::string(domain), hit.stale ? BackgroundKind::kStale : BackgroundKind::kAhead,
                 now_ms);
  return true;
}

void RecordService::Get(std::string_view arg, int protocol, ReplyFn done, bool after_get_now) {
  NameResult name = Normalize(arg);
  if (name.domain.empty()) {
    ++invalid_names_;
    ++reads_.invalid;
    return done(BulkFrame(name.invalid_json));
  }
  int64_t now = WallNowMs();
  if (after_get_now && name.domain == arg) {
    // GetNow found no entry for this spelling a moment ago.
  } else if (storage::HotSet::Hit hit = hot_->Find(name.domain, now, HotStaleGraceMs())) {
    std::string reply;
    if (ServeHotHit(name.domain, hit, now, &reply)) return done(std::move(reply));
  }
  uint64_t epoch = flush_epoch_;
  std::string domain = name.domain;
  store_->Get(domain, [this, domain, parsed = std::move(name.name), epoch, protocol,
                       done = std::move(done)](storage::Status st, storage::Record rec) mutable {
    if (!st.ok() && !st.IsNotFound()) return done(ErrorReply("ERR record store: " + st.ToString()));
    if (st.ok() && ServeStored(domain, rec, epoch, WallNowMs(), done)) return;
    ++misses_;
    ++reads_.miss;
    if (closing_) return done(NullReply(protocol));
    Resolve(parsed, server_->config().lookup_timeout_ms, std::move(done),
            /*nothing_servable=*/true);
  });
}

bool RecordService::ServeStored(const std::string& domain, const storage::Record& rec,
                                uint64_t flush_epoch, int64_t now_ms, const ReplyFn& done,
                                const storage::PackedJson* packed) {
  const bool fresh = rec.stale_at_ms > now_ms;
  if (!fresh && !ServableStale(rec, now_ms, Stale())) return false;
  ++hits_;
  if (!fresh) ++stale_served_;
  ++(fresh ? reads_.store_hit : reads_.stale);
  FillHotSet(domain, rec, flush_epoch, now_ms, packed);
  done(fresh ? BulkFrame(rec.json) : BulkFrame(StaleJson(rec.json)));
  if (now_ms >= RefreshAtMs(rec))
    QueueRefresh(domain, fresh ? BackgroundKind::kAhead : BackgroundKind::kStale, now_ms);
  return true;
}

void RecordService::FillHotSet(const std::string& domain, const storage::Record& rec,
                               uint64_t flush_epoch, int64_t now_ms,
                               const storage::PackedJson* packed) {
  if (!CanFillHotSet(domain, flush_epoch)) return;
  storage::HotEntry entry;
  entry.stale_at_ms = rec.stale_at_ms;
  entry.refresh_at_ms = RefreshAtMs(rec);
  entry.serve_stale = rec.status != storage::RecordStatus::kFallback;
  entry.compressed = CompressHotEntry(domain);
  const bool fresh = rec.stale_at_ms > now_ms;
  if (!fresh) {
    if (!ServableStale(rec, now_ms, Stale())) return;
    entry.stale_form = true;
  }
  // A bulk frame is the JSON and at most 16 bytes of framing: admission weighs that, and the
  // frame (and its compressed form) is made only for a key it admits.
  hot_->InsertMade(domain, rec.json.size() + 16, entry, [&] {
    if (entry.compressed && fresh && packed && packed->dictionary == whois::kRecordDictionaryId)
      return packed->frame;
    return HotValue(fresh ? BulkFrame(rec.json) : BulkFrame(StaleJson(rec.json)), entry.compressed);
  });
}

bool RecordService::CompressHotEntry(std::string_view domain) const {
  // Only once the set is full, and never for the keys asked for most (those the admission
  // sketch counts at its ceiling): their hits are most of all hits, and a copy of a whole reply
  // costs a fraction of a decompression. The set then holds a little fewer entries.
  return hot_compressor_ && hot_->full() &&
         hot_->Frequency(domain) < storage::FrequencySketch::kMaxCount;
}

std::string RecordService::HotValue(std::string frame, bool compressed) {
  if (!compressed) return frame;
  std::string packed;
  // Fails only without memory: the entry is then empty, which a hit takes for a miss.
  hot_compressor_->CompressTo(resp::BulkPayload(frame).value_or(""), &packed);
  return packed;
}

bool RecordService::AppendHotJsonFrame(std::string_view compressed, std::string* out) {
  const std::optional<size_t> size = storage::DictionaryCompressor::ContentSize(compressed);
  if (!hot_compressor_ || !size || *size > kMaxHotReplyBytes) return false;
  return resp::ReplyWriter(out, 2).BulkFilled(*size, [&](std::string* into) {
    return hot_compressor_->DecompressTo(compressed, kMaxHotReplyBytes, into).ok();
  });
}

void RecordService::QueueRefresh(const std::string& domain, BackgroundKind kind, int64_t now_ms) {
  if (closing_) return;
  // A lookup in flight is the refresh: its result refills the hot set.
  bool queued = lookups_.contains(domain) || (background_ && background_->Refresh(domain, kind));
  // Until the refresh ends (and refills the entry), hits need not ask again; if it could not be
  // queued, they ask again a little later.
  hot_->SetRefreshAt(domain, queued ? storage::HotEntry::kNever : now_ms + kRefreshRetryMs);
}

void RecordService::Exists(std::string_view arg, std::function<void(bool)> done) {
  NameResult name = Normalize(arg);
  if (name.domain.empty()) return done(false);
  store_->Get(name.domain,
              [done = std::move(done)](storage::Status st, storage::Record) { done(st.ok()); });
}

void RecordService::TtlMs(std::string_view arg, std::function<void(util::StatusOr<int64_t>)> done) {
  NameResult name = Normalize(arg);
  if (name.domain.empty()) return done(int64_t{-2});
  store_->Get(name.domain, [this, done = std::move(done)](storage::Status st, storage::Record rec) {
    if (st.IsNotFound()) return done(int64_t{-2});
    if (!st.ok()) return done(StoreError(st));
    // A stale record is still stored (it is refreshed on the next GET): it has no time left.
    done(std::max<int64_t>(0, rec.stale_at_ms - WallNowMs()));
  });
}

void RecordService::Delete(std::string_view arg, std::function<void(util::StatusOr<bool>)> done) {
  NameResult name = Normalize(arg);
  if (name.domain.empty()) return done(false);
  std::string domain = name.domain;
  BeginWrite(domain);
  SupersedeLookup(domain);
  store_->Delete(domain, [this, domain, done = std::move(done)](storage::Status st, bool existed) {
    EndWrite(domain);
    // Also at the acknowledgement: a lookup started between the two must not win either.
    SupersedeLookup(domain);
    if (!st.ok()) return done(StoreError(st));
    done(existed);
  });
}

void RecordService::Import(std::string_view arg, std::string_view json,
                           std::optional<int64_t> ex_ms, std::function<void(util::Status)> done) {
  NameResult name = Normalize(arg);
  if (name.domain.empty())
    return done(util::Status::InvalidArgument("invalid domain '" + std::string(arg) + "'"));
  auto parsed = whois::RecordFromJson(json);
  if (!parsed.ok())
    return done(util::Status::InvalidArgument("invalid record JSON: " + parsed.status().message()));
  whois::WhoisRecord record = std::move(parsed).value();
  NameResult named = Normalize(record.domain);
  if (named.domain != name.domain)
    return done(util::Status::InvalidArgument("the record names domain '" + record.domain +
                                              "', not '" + name.domain + "'"));
  auto status = StoredRecordStatus(record.status);
  if (!status.ok()) return done(status.status());
  record.domain = name.domain;
  storage::Record rec;
  rec.status = *status;
  rec.imported = true;
  rec.fetched_at_ms = WallNowMs();
  rec.stale_at_ms = ex_ms ? rec.fetched_at_ms + *ex_ms
                          : Freshness().StaleAt(*status, rec.fetched_at_ms, name.domain);
  rec.json = whois::ToJson(record);
  std::string domain = name.domain;
  storage::Record head = rec;
  BeginWrite(domain);
  SupersedeLookup(domain);
  store_->Put(domain, std::move(rec),
              [this, domain, head = std::move(head), done = std::move(done)](storage::Status st) {
                EndWrite(domain);
                SupersedeLookup(domain);
                if (!st.ok()) return done(StoreError(st));
                FillHotSet(domain, head, flush_epoch_, WallNowMs());
                if (shared_) shared_->Publish(domain, head);
                done(util::Status::OK());
              });
}

void RecordService::Scan(uint64_t cursor, std::string match, size_t count,
                         std::function<void(util::StatusOr<ScanPage>)> done) {
  store_->Scan(
      cursor, std::move(match), count,
      [done = std::move(done)](storage::Status st, uint64_t next, std::vector<std::string> keys) {
        if (st.IsInvalidArgument()) return done(util::Status::InvalidArgument("invalid cursor"));
        if (!st.ok()) return done(StoreError(st));
        done(ScanPage{next, std::move(keys)});
      });
}

void RecordService::FlushAll(std::function<void(util::Status)> done) {
  ++flush_epoch_;
  ++flushes_in_flight_;
  hot_->Clear();
  store_->FlushAll([this, done = std::move(done)](storage::Status st) {
    ++flush_epoch_;
    --flushes_in_flight_;
    done(st.ok() ? util::Status::OK() : StoreError(st));
  });
}

void RecordService::Resolve(const whois::DomainName& name, int64_t deadline_ms, ReplyFn done,
                            bool nothing_servable) {
  auto waiter = std::make_shared<Waiter>();
  waiter->service = this;
  waiter->name = name;
  waiter->done = std::move(done);
  if (deadline_ms >= 0) {
    // The waiter owns its timer, so the raw pointer is valid whenever the callback runs.
    waiter->timer = std::make_unique<util::UvTimer>(server_->loop());
    waiter->timer->Start(static_cast<uint64_t>(deadline_ms), [w = waiter.get()] {
      if (w->answered) return;
      ++w->service->lookup_timeouts_;
      w->Answer(w->service->TimeoutReply(w->name));
    });
  }
  // The resolver's deadline is the first client's: a hop whose turn at its host cannot come
  // before it ends the lookup at once with a fallback that says why (rate_limited, ...).
  // A hop must also have time to run: a turn in the last fifth of the wait (at most 500 ms) would
  // answer after the client gave up.
  int64_t budget = deadline_ms >= 0 ? deadline_ms - std::min<int64_t>(deadline_ms / 5, 500)
                                    : kFreshLookupBudgetMs;
  std::shared_ptr<InFlight> flight = Flight(name, whois::limits::Priority::kClient,
                                            WallNowMs() + budget, /*ask_fleet=*/deadline_ms >= 0);
  flight->nothing_servable = flight->nothing_servable || nothing_servable;
  flight->waiters.push_back(std::move(waiter));
}

std::shared_ptr<RecordService::InFlight> RecordService::Flight(const whois::DomainName& name,
                                                               whois::limits::Priority priority,
                                                               int64_t deadline_ms,
                                                               bool ask_fleet) {
  auto& slot = lookups_[name.domain];
  if (slot) {
    ++lookups_joined_;
    return slot;
  }
  slot = std::make_shared<InFlight>();
  slot->background = priority == whois::limits::Priority::kBackground;
  slot->flush_epoch = flush_epoch_;
  std::shared_ptr<InFlight> flight = slot;
  ++lookups_started_;
  // (A write issued before this and acknowledged after it supersedes the lookup too: Delete and
  // Import mark the lookup again when their write is acknowledged.)
  if (!ask_fleet || !single_flight_ || closing_) {
    StartLookup(name, priority, deadline_ms);
    return flight;
  }
  // A record another proxy published answers the flight; else this proxy resolves it, holding
  // the fleet's lease when it could take one, after waiting while another proxy held it.
  single_flight_->Claim(
      name.domain, deadline_ms,
      // Only a record that needs no refresh yet is taken: a refresh that found the same record
      // about to go stale would otherwise never reach the registry.
      [this](const storage::Record& rec) {
        int64_t now = WallNowMs();
        return rec.stale_at_ms > now && RefreshAtMs(rec) > now;
      },
      [this, name, priority, flight](storage::fleet::SingleFlight::Outcome got) {
        auto it = lookups_.find(name.domain);
        if (it == lookups_.end() || it->second != flight)
          return ReleaseLease(name.domain, got.lease);
        if (closing_) {
          whois::LookupResult cancelled;
          cancelled.fallback_reason = whois::FallbackReason::kUnreachable;
          cancelled.detail = "shutting down";
          return OnLookupDone(name, std::move(cancelled));
        }
        if (got.has_record && !flight->superseded && flight->flush_epoch == flush_epoch_)
          return OnSharedRecord(name, std::move(got.record));
        flight->lease = std::move(got.lease);
        StartLookup(name, priority, got.deadline_ms);
      });
  return flight;
}

void RecordService::StartLookup(const whois::DomainName& name, whois::limits::Priority priority,
                                int64_t deadline_ms) {
  lookup_->Lookup(
      name.domain, name.tld, deadline_ms,
      [this, name](whois::LookupResult result) { OnLookupDone(name, std::move(result)); },
      priority);
}

void RecordService::OnSharedRecord(const whois::DomainName& name, storage::Record rec) {
  auto it = lookups_.find(name.domain);
  if (it == lookups_.end()) return;
  std::shared_ptr<InFlight> flight = std::move(it->second);
  lookups_.erase(it);
  ++fleet_hits_;
  lookup_seconds_.Observe(static_cast<double>(uv_hrtime() - flight->started_ns) / 1e9);
  std::string reply = BulkFrame(rec.json);
  // Stored here too, so that it survives the fleet's loss; by the store rule, as an answer
  // (the record it replaces goes to history if the answer changed), unless what is stored is
  // as new.
  LookupAnswer answer;
  answer.now_ms = WallNowMs();
  answer.ttl_fallback_ms = Freshness().ttl_fallback_ms;
  auto parsed = whois::RecordFromJson(rec.json);
  if (parsed.ok()) answer.record = std::move(parsed).value();
  answer.fetched = std::move(rec);
  const std::string domain = name.domain;
  const uint64_t epoch = flush_epoch_;
  BeginWrite(domain);
  store_->Update(
      domain,
      [answer = std::move(answer)](const storage::Record* current) mutable {
        if (current && current->fetched_at_ms >= answer.fetched.fetched_at_ms)
          return storage::RecordUpdate{};
        return DecideStore(current, std::move(answer));
      },
      static_cast<size_t>(server_->config().history_max_versions),
      [this, domain, epoch](storage::Status st, storage::RecordUpdate update) {
        EndWrite(domain);
        if (!st.ok()) {
          spdlog::warn("could not store the fleet's record of {}: {}", domain, st.ToString());
          return;
        }
        if (update.put) FillHotSet(domain, *update.put, epoch, WallNowMs());
      });
  LookupSummary summary;
  summary.outcome = BackgroundLookups::Outcome::kDone;
  AnswerFlight(*flight, reply, summary);
}

void RecordService::AnswerFlight(InFlight& flight, const std::string& reply,
                                 const LookupSummary& summary) {
  for (auto& w : flight.waiters) {
    w->timer.reset();
    w->Answer(reply);
  }
  for (auto& observe : flight.observers) observe(summary);
}

void RecordService::ObserveLookup(const whois::DomainName& name, int64_t deadline_ms,
                                  LookupObserver observe) {
  Flight(name, whois::limits::Priority::kBackground, deadline_ms)
      ->observers.push_back(std::move(observe));
}

// The registry has answered and the registrar is being asked: keep the registry's record for the
// clients whose wait runs out first. Only clients with a deadline can use it.
void RecordService::OnLookupProgress(const std::string& domain, const whois::LookupResult& so_far) {
  auto it = lookups_.find(domain);
  if (it == lookups_.end()) return;
  InFlight& flight = *it->second;
  auto waiting = std::find_if(flight.waiters.begin(), flight.waiters.end(),
                              [](const auto& w) { return w->timer != nullptr && !w->answered; });
  if (waiting == flight.waiters.end()) return;
  flight.registry_answer = so_far;
  flight.registry_answer_ms = WallNowMs();
}

// What a client whose deadline came first gets: the registry's record if it is in (the lookup
// goes on and completes the stored record), else a fallback saying the wait timed out.
std::string RecordService::TimeoutReply(const whois::DomainName& name) {
  if (auto it = lookups_.find(name.domain); it != lookups_.end()) {
    InFlight& flight = *it->second;
    if (flight.partial_reply.empty() && flight.registry_answer) {
      whois::WhoisRecord record = whois::AssembleRecord(name, *flight.registry_answer,
                                                        flight.registry_answer_ms, countries_);
      flight.registry_answer.reset();
      if (record.status == whois::kStatusRegistered) {
        record.partial = true;
        flight.partial_reply = BulkFrame(whois::ToJson(record));
      }
    }
    if (!flight.partial_reply.empty()) {
      ++partial_answers_;
      return flight.partial_reply;
    }
  }
  CountFallback(whois::FallbackReasonName(whois::FallbackReason::kTimeout));
  return FallbackReply(name, whois::FallbackReason::kTimeout);
}

std::string RecordService::FallbackReply(const whois::DomainName& name,
                                         whois::FallbackReason reason) const {
  return BulkFrame(whois::ToJson(whois::MakeFallbackRecord(name.domain, name.unicode, reason,
                                                           std::nullopt, WallNowMs(), countries_)));
}

namespace {

// A fallback whose reason is one of our own limits: nothing was asked upstream.
bool LimitedByUs(const whois::LookupResult& r) {
  return r.outcome == whois::LookupOutcome::kFailed && whois::IsOwnLimit(r.fallback_reason);
}

}  // namespace

void RecordService::OnLookupDone(const whois::DomainName& name, whois::LookupResult result) {
  auto it = lookups_.find(name.domain);
  if (it == lookups_.end()) return;
  std::shared_ptr<InFlight> flight = std::move(it->second);
  lookups_.erase(it);

  int64_t now = WallNowMs();
  whois::WhoisRecord record = whois::AssembleRecord(name, result, now, countries_);
  storage::Record rec;
  auto stored_status = StoredRecordStatus(record.status);
  // AssembleRecord makes only these statuses; were it ever otherwise, keep it as briefly as a
  // fallback rather than read an empty value.
  if (!stored_status.ok())
    spdlog::error("lookup of {}: {}", name.domain, stored_status.status().message());
  rec.status = stored_status.value_or(storage::RecordStatus::kFallback);
  rec.fetched_at_ms = now;
  rec.stale_at_ms = Freshness().StaleAt(rec.status, now, name.domain);
  // A fallback that knows when asking again may succeed is not kept longer than that.
  if (rec.status == storage::RecordStatus::kFallback && record.retry_after)
    rec.stale_at_ms =
        std::min(rec.stale_at_ms, now + std::max<int64_t>(1, *record.retry_after) * 1000);
  rec.json = whois::ToJson(record);
  // The record is assembled: the chain's texts move into the stored copy, not copied again.
  for (auto& hop : result.chain)
    rec.chain.push_back(
        {std::move(hop.server), std::move(hop.query), std::move(hop.text), hop.fetched_at_ms});
  if (rec.status == storage::RecordStatus::kFallback) CountFallback(record.reason);
  lookup_seconds_.Observe(static_cast<double>(uv_hrtime() - flight->started_ns) / 1e9);
  if (!result.detail.empty())
    spdlog::debug("lookup of {}: {} ({})", name.domain, record.status, result.detail);
  std::string reply = BulkFrame(rec.json);

  const bool limited = LimitedByUs(result);
  LookupSummary summary;
  summary.outcome = rec.status != storage::RecordStatus::kFallback
                        ? BackgroundLookups::Outcome::kDone
                    : closing_ ? BackgroundLookups::Outcome::kCancelled
                    : limited  ? BackgroundLookups::Outcome::kLimited
                               : BackgroundLookups::Outcome::kFailed;
  summary.retry_after_ms = result.retry_after_s.value_or(1) * 1000;

  // A lookup cut short by shutdown answers its clients but stores nothing: it says nothing
  // about the domain. Nor does a lookup a client's write overtook (that write wins), nor one our
  // own limits stopped before it asked anything while no client waited for it.
  if (flight->superseded || flight->flush_epoch != flush_epoch_) {
    ++results_superseded_;
  } else if (!closing_ && !(limited && flight->waiters.empty())) {
    LookupAnswer answer;
    answer.fetched = std::move(rec);
    answer.record = std::move(record);
    answer.retry_after_s = result.retry_after_s;
    answer.now_ms = now;
    answer.ttl_fallback_ms = Freshness().ttl_fallback_ms;
    StoreAnswer(name.domain, std::move(answer), flight->nothing_servable,
                std::exchange(flight->lease, {}));
  } else if (!closing_) {
    // Nothing stored, so nothing refills the hot set: a hit may ask for a refresh again once
    // the host's limits allow.
    hot_->SetRefreshAt(name.domain, now + summary.retry_after_ms);
  }
  // Nothing to publish: another proxy may take the domain now.
  ReleaseLease(name.domain, flight->lease);
  AnswerFlight(*flight, reply, summary);
}

void RecordService::StoreAnswer(const std::string& domain, LookupAnswer answer,
                                bool nothing_servable, std::string lease) {
  auto kept = std::make_shared<bool>(false);
  BeginWrite(domain);
  // While the store is read-only (it logged why) the write below fails: an answer from the
  // registry is kept in the hot set for as long as it is fresh, so the next GETs are answered
  // from memory instead of being asked upstream again. A fallback is kept only when a client
  // found nothing servable in the store: otherwise it would hide a record the store still has
  // and serves.
  const bool read_only = !store_->writable();
  if (read_only && hot_ && flushes_in_flight_ == 0 &&
      (answer.fetched.status != storage::RecordStatus::kFallback || nothing_servable)) {
    storage::HotEntry entry;
    entry.stale_at_ms = answer.fetched.stale_at_ms;
    entry.refresh_at_ms = RefreshAtMs(answer.fetched);
    entry.serve_stale = true;
    hot_->Insert(domain, BulkFrame(answer.fetched.json), entry);
  }
  store_->Update(
      domain,
      // Runs on the domain's storage worker: it uses only what it owns.
      [answer = std::move(answer), kept](const storage::Record* current) mutable {
        *kept = KeptRecord(current, answer.fetched);
        return DecideStore(current, std::move(answer));
      },
      static_cast<size_t>(server_->config().history_max_versions),
      [this, domain, kept, read_only, lease = std::move(lease)](storage::Status st,
                                                                storage::RecordUpdate update) {
        EndWrite(domain);
        if (!st.ok()) {
          if (!read_only)
            spdlog::warn("could not store the record of {}: {}", domain, st.ToString());
          if (hot_) hot_->SetRefreshAt(domain, WallNowMs() + kRefreshRetryMs);
          return ReleaseLease(domain, lease);
        }
        if (*kept) ++refresh_kept_record_;
        if (update.put) FillHotSet(domain, *update.put, flush_epoch_, WallNowMs());
        // What was resolved is shared with the fleet, in the background; the lease goes after
        // it on the same connection, so a proxy that finds the lease gone finds the record.
        if (update.put && !*kept && shared_) shared_->Publish(domain, *update.put);
        ReleaseLease(domain, lease);
      });
}

void RecordService::ReleaseLease(const std::string& domain, const std::string& lease) {
  if (!lease.empty() && single_flight_ && !closing_) single_flight_->Release(domain, lease);
}

void RecordService::LookupFresh(std::string_view arg, ReplyFn done) {
  NameResult name = Normalize(arg);
  if (name.domain.empty()) return done(BulkFrame(name.invalid_json));
  if (closing_) return done(ErrorReply("ERR server is shutting down"));
  Resolve(name.name, -1, std::move(done));
}

void RecordService::Raw(std::string_view arg,
                        std::function<void(util::StatusOr<std::vector<storage::RawReply>>)> done) {
  NameResult name = Normalize(arg);
  if (name.domain.empty())
    return done(util::Status::InvalidArgument("invalid domain: " + std::string(arg)));
  store_->GetChain(name.domain, [done = std::move(done)](storage::Status st,
                                                         std::vector<storage::RawReply> chain) {
    if (st.IsNotFound()) return done(util::Status::NotFound("no chain stored"));
    if (!st.ok()) return done(StoreError(st));
    done(std::move(chain));
  });
}

void RecordService::Chain(const std::string& domain,
                          std::function<void(std::vector<storage::RawReply>)> done) {
  store_->GetChain(
      domain, [done = std::move(done)](storage::Status st, std::vector<storage::RawReply> chain) {
        done(st.ok() ? std::move(chain) : std::vector<storage::RawReply>{});
      });
}

void RecordService::TldServer(std::string_view tld_arg,
                              std::function<void(util::StatusOr<whois::ServerEntry>)> done) {
  std::string tld = util::ToLower(tld_arg);
  if (!tld.empty() && tld.front() == '.') tld.erase(0, 1);
  // The TLD of "x.<tld>" says whether it is a valid name; any label does.
  auto parsed = names_->Normalize("x." + tld);
  if (tld.empty() || !parsed.ok())
    return done(util::Status::InvalidArgument("invalid TLD '" + std::string(tld_arg) + "'"));
  tld = parsed->tld;
  lookup_->FindServer(tld, WallNowMs() + kFreshLookupBudgetMs,
                      [done = std::move(done)](std::optional<whois::ServerEntry> e,
                                               whois::WhoisSource::EntryError error) {
                        if (!e) return done(util::Status::Unavailable(std::move(error.message)));
                        done(std::move(*e));
                      });
}

void RecordService::CountFallback(std::string_view reason) {
  ++fallbacks_;
  auto it = fallback_reasons_.find(reason);
  if (it == fallback_reasons_.end()) it = fallback_reasons_.emplace(std::string(reason), 0).first;
  ++it->second;
}

void RecordService::AppendInfo(std::string* out) const {
  util::InfoWriter info(out);
  info.Field("records", Count());
  info.Field("record_hits", hits_);
  info.Field("record_misses", misses_);
  info.Field("hot_set_hits", hot_hits_);
  info.Field("hot_set_entries", hot_ ? hot_->size() : 0);
  info.Field("hot_set_bytes", hot_ ? hot_->bytes() : 0);
  info.Field("hot_set_rejected", hot_ ? hot_->rejected() : 0);
  info.Field("hot_set_compressed", hot_ ? hot_->compressed() : 0);
  info.Field("store_reads_now", store_reads_now_);
  info.Field("invalid_names", invalid_names_);
  info.Field("lookups_started", lookups_started_);
  info.Field("lookups_joined", lookups_joined_);
  info.Field("lookups_in_flight", lookups_.size());
  info.Field("lookup_timeouts", lookup_timeouts_);
  info.Field("lookup_partial_answers", partial_answers_);
  info.Field("fallback_records", fallbacks_);
  info.Field("stale_served", stale_served_);
  info.Field("refreshes_started", refreshes_started_);
  info.Field("refreshes_succeeded", refreshes_succeeded_);
  info.Field("refreshes_failed", refreshes_failed_);
  info.Field("refresh_kept_record", refresh_kept_record_);
  info.Field("lookup_results_superseded", results_superseded_);
  if (background_) {
    BackgroundLookups::Figures f = background_->figures();
    info.Field("prefetch_queued", background_->prefetch_size());
    info.Field("prefetch_done", f.prefetch_done);
    info.Field("prefetch_failed", f.prefetch_failed);
    info.Field("refreshes_queued", f.refreshes_queued);
  }
  if (lookup_) lookup_->AppendInfo(out);
  if (store_) {
    storage::StoreStats s = store_->stats();
    info.Field("store_disk_bytes", s.disk_bytes);
    info.Field("store_reads", s.reads);
    info.Field("store_writes", s.writes);
    info.Field("store_table_files", s.table_files);
    info.Field("store_level0_files", s.level0_files);
    info.Field("store_compaction_ms", s.compaction_ms);
    info.Field("store_compaction_read_bytes", s.compaction_read_bytes);
    info.Field("store_compaction_write_bytes", s.compaction_write_bytes);
    info.Field("store_memory_bytes", s.memory_bytes);
  }
}

}  // namespace server
