#include "storage/head_mirror.h"

#include <fcntl.h>
#include <sys/uio.h>
#include <unistd.h>
#include <xxhash.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "storage/fixed_width.h"
#include "storage/key_hash.h"
#include "util/enum_names.h"

namespace storage {

// ---- The record format ----

namespace {

uint64_t RecordChecksum(std::string_view after_checksum) {
  return XXH3_64bits(after_checksum.data(), after_checksum.size());
}

size_t Padded(size_t n) { return (n + kMirrorAlign - 1) / kMirrorAlign * kMirrorAlign; }

// What a record in `in` holds, if it is whole and passes its checksum.
struct Parsed {
  std::string_view domain;
  std::string_view value;
};
std::optional<Parsed> ParseMirrorRecord(std::string_view in) {
  if (in.size() < kMirrorHeaderBytes) return std::nullopt;
  const size_t value_len = DecodeFixed<uint32_t>(in.substr(8));
  const size_t domain_len = static_cast<unsigned char>(in[12]);
  const size_t end = kMirrorHeaderBytes + domain_len + value_len;
  if (end > in.size()) return std::nullopt;
  if (RecordChecksum(in.substr(8, end - 8)) != DecodeFixed<uint64_t>(in)) return std::nullopt;
  return Parsed{in.substr(kMirrorHeaderBytes, domain_len),
                in.substr(kMirrorHeaderBytes + domain_len, value_len)};
}

}  // namespace

bool EncodeMirrorRecord(std::string_view domain, std::string_view value, std::string* out) {
  if (domain.size() > 255 ||
      Padded(kMirrorHeaderBytes + domain.size() + value.size()) > kMirrorMaxRecordBytes)
    return false;
  const size_t start = out->size();
  PutFixed<uint64_t>(out, 0);  // the checksum, filled in below
  PutFixed<uint32_t>(out, static_cast<uint32_t>(value.size()));
  out->push_back(static_cast<char>(domain.size()));
  out->append(domain);
  out->append(value);
  std::string sum;
  PutFixed<uint64_t>(&sum, RecordChecksum(std::string_view(*out).substr(start + 8)));
  out->replace(start, sum.size(), sum);
  out->resize(start + Padded(out->size() - start), '\0');
  return true;
}

std::optional<std::string_view> DecodeMirrorRecord(std::string_view in, std::string_view domain) {
  std::optional<Parsed> p = ParseMirrorRecord(in);
  if (!p || p->domain != domain) return std::nullopt;
  return p->value;
}

// ---- The index ----

namespace {

constexpr uint64_t kEmpty = 0;
constexpr uint64_t kTombstone = ~uint64_t{0};
constexpr uint64_t kFingerprintMask = (uint64_t{1} << 20) - 1;
constexpr uint64_t kMaxUnits = (uint64_t{1} << 32) - 2;  // keeps a slot from reading kTombstone

uint64_t Fingerprint(uint64_t hash) { return hash & kFingerprintMask; }
uint64_t SlotFingerprint(uint64_t slot) { return slot >> 44; }
MirrorIndex::Location SlotLocation(uint64_t slot) {
  return {(slot & 0xffffffffu) * kMirrorAlign,
          static_cast<uint32_t>(((slot >> 32) & 0xfff) * kMirrorAlign)};
}

}  // namespace

MirrorIndex::MirrorIndex(size_t slots) : slots_(std::max<size_t>(slots, 16), kEmpty) {}

size_t MirrorIndex::Home(uint64_t hash) const {
  // The high bits pick the slot (the fingerprint is the low ones), without a power-of-two size.
  // (The index never has 2^32 slots.)
  return static_cast<size_t>(((hash >> 32) * slots_.size()) >> 32);
}

size_t MirrorIndex::Clear(uint64_t hash, uint64_t* freed) {
  const uint64_t fp = Fingerprint(hash);
  size_t free_slot = slots_.size();
  size_t i = Home(hash);
  for (size_t n = 0; n < slots_.size(); ++n) {
    uint64_t& s = slots_[i];
    if (s == kEmpty) {
      if (free_slot == slots_.size()) free_slot = i;
      break;
    }
    if (s != kTombstone && SlotFingerprint(s) == fp) {
      *freed += SlotLocation(s).length;
      s = kTombstone;
      --entries_;
      ++tombstones_;
    }
    if (s == kTombstone && free_slot == slots_.size()) free_slot = i;
    if (++i == slots_.size()) i = 0;
  }
  return free_slot;
}

bool MirrorIndex::Put(uint64_t hash, Location where, uint64_t* freed) {
  const size_t f = Clear(hash, freed);
  const uint64_t units = where.offset / kMirrorAlign;
  const uint64_t length_units = where.length / kMirrorAlign;
  if (f == slots_.size() || where.offset % kMirrorAlign != 0 || where.length % kMirrorAlign != 0 ||
      length_units == 0 || length_units > 0xfff || units > kMaxUnits)
    return false;
  if (slots_[f] == kTombstone) {
    --tombstones_;
  } else if (used() + 1 > slots_.size() - slots_.size() / 16) {
    return false;  // keep some slots empty, so every probe sequence ends
  }
  slots_[f] = (Fingerprint(hash) << 44) | (length_units << 32) | units;
  ++entries_;
  return true;
}

uint64_t MirrorIndex::Erase(uint64_t hash) {
  uint64_t freed = 0;
  (void)Clear(hash, &freed);
  return freed;
}

size_t MirrorIndex::Find(uint64_t hash, Location* out, size_t max) const {
  const uint64_t fp = Fingerprint(hash);
  size_t found = 0;
  size_t i = Home(hash);
  for (size_t n = 0; n < slots_.size() && found < max; ++n) {
    const uint64_t s = slots_[i];
    if (s == kEmpty) break;
    if (s != kTombstone && SlotFingerprint(s) == fp) out[found++] = SlotLocation(s);
    if (++i == slots_.size()) i = 0;
  }
  return found;
}

// ---- The mirror ----

struct HeadMirror::File {
  explicit File(int opened) : fd(opened) {}
  ~File() { ::close(fd); }
  const int fd;
  // Set once a read found that the file system does not take RWF_NOWAIT.
  std::atomic<bool> nowait_refused{false};
};

struct HeadMirror::Generation {
  Generation(uint64_t gen, std::shared_ptr<File> f, size_t slots)
      : id(gen), file(std::move(f)), index(slots) {}
  const uint64_t id;
  const std::shared_ptr<File> file;
  std::atomic<uint64_t> end{0};  // bytes reserved in the file so far
  // Guarded by HeadMirror::mu_.
  MirrorIndex index;
  bool building = true;
  std::unordered_set<std::string> touched;  // domains Apply wrote while building
  uint64_t live_bytes = 0;                  // of the records in the index (approximate)
};

namespace {
// A slot count for `expected` heads: room to grow by about a quarter before a rebuild.
size_t SlotsFor(size_t expected) { return expected + expected / 2 + 4096; }
// A rebuild is due when the index is this full, or the file this much larger than its heads.
bool RebuildDue(const MirrorIndex& index, uint64_t file_bytes, uint64_t live_bytes) {
  return index.used() > index.slots() / 8 * 7 || file_bytes > 2 * live_bytes + (64u << 20);
}
}  // namespace

HeadMirror::HeadMirror(std::string path) : path_(std::move(path)) {}

HeadMirror::~HeadMirror() {
  if (builds_.load() > 0) ::unlink(path_.c_str());
}

Status HeadMirror::Begin(size_t expected, uint64_t* generation) {
  // A new file, not the old one truncated: reads in flight finish on the old file's bytes.
  if (::unlink(path_.c_str()) != 0 && errno != ENOENT) {
    Status st = Status::IOError("removing " + path_ + ": " + std::strerror(errno));
    Drop();
    return st;
  }
  int fd = ::open(path_.c_str(), O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) {
    Status st = Status::IOError("creating " + path_ + ": " + std::strerror(errno));
    Drop();
    return st;
  }
  auto file = std::make_shared<File>(fd);
  std::lock_guard<std::mutex> lock(mu_);
  current_ = std::make_shared<Generation>(next_generation_++, std::move(file), SlotsFor(expected));
  *generation = current_->id;
  wants_rebuild_.store(false, std::memory_order_relaxed);
  builds_.fetch_add(1, std::memory_order_relaxed);
  return Status::OK();
}

void HeadMirror::Drop() {
  std::lock_guard<std::mutex> lock(mu_);
  current_.reset();
}

Status HeadMirror::Append(const std::shared_ptr<File>& file, std::atomic<uint64_t>* end,
                          const std::string& bytes, uint64_t* offset) {
  *offset = end->fetch_add(bytes.size(), std::memory_order_relaxed);
  size_t done = 0;
  while (done < bytes.size()) {
    ssize_t n = ::pwrite(file->fd, bytes.data() + done, bytes.size() - done,
                         static_cast<off_t>(*offset + done));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0)
      return Status::IOError(std::string("writing the head mirror: ") + std::strerror(errno));
    done += static_cast<size_t>(n);
  }
  return Status::OK();
}

bool HeadMirror::Fill(uint64_t generation,
                      const std::vector<std::pair<std::string, std::string>>& heads) {
  std::shared_ptr<Generation> g;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (!current_ || current_->id != generation || !current_->building) return false;
    g = current_;
  }
  std::string bytes;
  // Where each head's record is in `bytes` (length 0: not mirrored).
  std::vector<MirrorIndex::Location> at(heads.size());
  for (size_t i = 0; i < heads.size(); ++i) {
    const size_t before = bytes.size();
    if (EncodeMirrorRecord(heads[i].first, heads[i].second, &bytes))
      at[i] = {before, static_cast<uint32_t>(bytes.size() - before)};
  }
  uint64_t base = 0;
  if (!Append(g->file, &g->end, bytes, &base).ok()) {
    std::lock_guard<std::mutex> lock(mu_);
    if (current_ == g) current_.reset();
    return false;
  }
  std::lock_guard<std::mutex> lock(mu_);
  if (current_ != g) return false;
  for (size_t i = 0; i < heads.size(); ++i) {
    if (at[i].length == 0 || g->touched.contains(heads[i].first)) continue;
    uint64_t freed = 0;
    if (g->index.Put(KeyHash(heads[i].first), {base + at[i].offset, at[i].length}, &freed))
      g->live_bytes += at[i].length;
    else
      wants_rebuild_.store(true, std::memory_order_relaxed);  // more heads than Begin expected
    g->live_bytes -= std::min(g->live_bytes, freed);
  }
  return true;
}

void HeadMirror::Finish(uint64_t generation) {
  std::lock_guard<std::mutex> lock(mu_);
  if (!current_ || current_->id != generation) return;
  current_->building = false;
  current_->touched = {};
}

void HeadMirror::Apply(std::string_view domain, uint64_t hash, const std::string_view* value) {
  std::shared_ptr<Generation> g;
  {
    std::lock_guard<std::mutex> lock(mu_);
    g = current_;
  }
  if (!g) return;
  std::string bytes;
  uint64_t offset = 0;
  const bool stored = value != nullptr && EncodeMirrorRecord(domain, *value, &bytes) &&
                      Append(g->file, &g->end, bytes, &offset).ok();
  std::lock_guard<std::mutex> lock(mu_);
  if (current_ != g) return;  // a new generation reads LevelDB after this write
  if (g->building) g->touched.emplace(domain);
  uint64_t freed = 0;
  if (stored && g->index.Put(hash, {offset, static_cast<uint32_t>(bytes.size())}, &freed)) {
    g->live_bytes += bytes.size();
  } else {
    freed += g->index.Erase(hash);
    // Only a full index is helped by a new generation (a head too long to mirror, or a write
    // the disk refused, is not).
    if (stored) wants_rebuild_.store(true, std::memory_order_relaxed);
  }
  g->live_bytes -= std::min(g->live_bytes, freed);
  if (RebuildDue(g->index, g->end.load(std::memory_order_relaxed), g->live_bytes))
    wants_rebuild_.store(true, std::memory_order_relaxed);
}

HeadMirror::Read HeadMirror::TryRead(std::string_view domain, uint64_t hash, std::string* value) {
  constexpr size_t kMaxCandidates = 4;
  MirrorIndex::Location where[kMaxCandidates];
  size_t n = 0;
  std::shared_ptr<File> file;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (!current_) return Read::kNotMirrored;
    n = current_->index.Find(hash, where, kMaxCandidates);
    if (n == 0) return Read::kNotMirrored;
    file = current_->file;
  }
  for (size_t i = 0; i < n; ++i) {
    value->resize(where[i].length);
    iovec iov{value->data(), value->size()};
    ssize_t r;
    do {
      r = ::preadv2(file->fd, &iov, 1, static_cast<off_t>(where[i].offset),
                    file->nowait_refused ? 0 : RWF_NOWAIT);
      // A file system without RWF_NOWAIT (tmpfs, ramfs) keeps its files in memory: a plain
      // read never waits for a disk there.
      if (r < 0 && errno == EOPNOTSUPP && !file->nowait_refused) {
        file->nowait_refused = true;
        errno = EINTR;
      }
    } while (r < 0 && errno == EINTR);
    if (r != static_cast<ssize_t>(value->size())) return Read::kUnavailable;
    std::optional<Parsed> p = ParseMirrorRecord(*value);
    if (!p) {
      damaged_.fetch_add(1, std::memory_order_relaxed);
      return Read::kUnavailable;
    }
    if (p->domain != domain) continue;  // another domain with the same fingerprint
    const size_t start = static_cast<size_t>(p->value.data() - value->data());
    const size_t len = p->value.size();
    value->erase(0, start);
    value->resize(len);
    reads_.fetch_add(1, std::memory_order_relaxed);
    return Read::kFound;
  }
  return Read::kNotMirrored;
}

std::string_view HeadMirror::StateName(State state) {
  static constexpr util::EnumNames<State::kReady> kNames({"off", "building", "ready"}, "unknown");
  return kNames.Name(state);
}

HeadMirror::Stats HeadMirror::stats() const {
  Stats s;
  s.reads = reads_.load(std::memory_order_relaxed);
  s.damaged = damaged_.load(std::memory_order_relaxed);
  s.builds = builds_.load(std::memory_order_relaxed);
  std::lock_guard<std::mutex> lock(mu_);
  if (!current_) return s;
  s.state = current_->building ? State::kBuilding : State::kReady;
  s.heads = current_->index.entries();
  s.file_bytes = current_->end.load(std::memory_order_relaxed);
  s.index_bytes = current_->index.memory_bytes();
  return s;
}

}  // namespace storage
