#include "whois/limits/daily_quota.h"

#include <algorithm>
#include <charconv>

namespace whois::limits {
namespace {

int64_t DayStart(int64_t ms) {
  int64_t d = ms / kMsPerDay;
  if (ms < 0 && ms % kMsPerDay != 0) --d;
  return d * kMsPerDay;
}

bool ParseI64(std::string_view text, int64_t* out) {
  if (text.empty() || text.front() == '+') return false;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), *out);
  return ec == std::errc() && ptr == text.data() + text.size();
}

}  // namespace

DailyQuota::DailyQuota(int64_t cap, DayKind day) : cap_(std::max<int64_t>(cap, 1)), day_(day) {}

int64_t DailyQuota::BlockSize() const { return std::clamp<int64_t>(cap_ / 20, 1, 500); }

int64_t DailyQuota::ExpiryFor(int64_t start_ms) const {
  int64_t expires = start_ms + kBlockLifetimeMs;
  if (day_ == DayKind::kUtcDay) expires = std::min(expires, DayStart(start_ms) + kMsPerDay);
  return expires;
}

bool DailyQuota::Counts(int64_t start_ms, int64_t now_ms) const {
  if (day_ == DayKind::kUtcDay) return start_ms >= DayStart(now_ms);
  return start_ms > now_ms - kMsPerDay - kBlockLifetimeMs;
}

int64_t DailyQuota::RoomAt(int64_t now_ms) const {
  int64_t charged = pending_ ? pending_->count : 0;
  for (const Block& b : blocks_) {
    if (Counts(b.start_ms, now_ms)) charged += Charge(b, now_ms);
  }
  return std::max<int64_t>(0, cap_ - charged);
}

void DailyQuota::Prune(int64_t now_ms) {
  std::erase_if(blocks_, [&](const Block& b) {
    return !Counts(b.start_ms, now_ms) || (!Open(b, now_ms) && b.used == 0);
  });
}

void DailyQuota::SetCap(int64_t cap, DayKind day, int64_t now_ms) {
  cap_ = std::max<int64_t>(cap, 1);
  day_ = day;
  for (Block& b : blocks_) b.expires_ms = std::min(b.expires_ms, ExpiryFor(b.start_ms));
  Prune(now_ms);
  int64_t charged = pending_ ? pending_->count : 0;
  for (const Block& b : blocks_) charged += Charge(b, now_ms);
  // Cut the newest open blocks first: their units are the furthest from being used.
  for (auto it = blocks_.rbegin(); it != blocks_.rend() && charged > cap_; ++it) {
    if (!Open(*it, now_ms)) continue;
    const int64_t cut = std::min(charged - cap_, it->count - it->used);
    it->count -= cut;
    charged -= cut;
  }
}

bool DailyQuota::TryConsume(int64_t now_ms) {
  Prune(now_ms);
  for (Block& b : blocks_) {
    if (Open(b, now_ms) && b.start_ms <= now_ms) {
      ++b.used;
      return true;
    }
  }
  return false;
}

std::optional<ReservationRequest> DailyQuota::MaybeReserve(int64_t now_ms, int64_t wanted) {
  Prune(now_ms);
  const int64_t usable = UsableAt(now_ms);
  if (pending_ || usable >= std::max<int64_t>(wanted, BlockSize() / 4 + 1)) return std::nullopt;
  const int64_t room = RoomAt(now_ms);
  if (room <= 0) return std::nullopt;
  const QuotaBlock block{now_ms, std::min(room, std::max(BlockSize(), wanted - usable))};
  std::vector<QuotaBlock> stored;
  for (const Block& b : blocks_) {
    const int64_t charge = Charge(b, now_ms);
    if (charge > 0) stored.push_back({b.start_ms, charge});
  }
  stored.push_back(block);
  pending_ = block;
  return ReservationRequest{block, Encode(stored)};
}

bool DailyQuota::OnReserved(const QuotaBlock& block, int64_t now_ms) {
  if (!pending_ || !(*pending_ == block)) return false;
  pending_.reset();
  blocks_.push_back({block.start_ms, block.count, 0, ExpiryFor(block.start_ms)});
  Prune(now_ms);
  return true;
}

void DailyQuota::OnReservationFailed(const QuotaBlock& block) {
  if (pending_ && *pending_ == block) pending_.reset();
}

void DailyQuota::Restore(const std::vector<QuotaBlock>& blocks, int64_t now_ms) {
  blocks_.clear();
  pending_.reset();
  for (const QuotaBlock& q : blocks) {
    const int64_t start = std::min(q.start_ms, now_ms);
    if (q.count > 0 && Counts(start, now_ms)) blocks_.push_back({start, q.count, q.count, start});
  }
  std::stable_sort(blocks_.begin(), blocks_.end(),
                   [](const Block& a, const Block& b) { return a.start_ms < b.start_ms; });
}

void DailyQuota::AssumeExhaustedAt(int64_t now_ms) { Restore({{now_ms, cap_}}, now_ms); }

int64_t DailyQuota::UsableAt(int64_t now_ms) const {
  int64_t n = 0;
  for (const Block& b : blocks_) {
    if (Open(b, now_ms) && b.start_ms <= now_ms) n += b.count - b.used;
  }
  return n;
}

int64_t DailyQuota::UsedAt(int64_t now_ms) const {
  const int64_t from = day_ == DayKind::kUtcDay ? DayStart(now_ms) : now_ms - kMsPerDay + 1;
  int64_t n = 0;
  for (const Block& b : blocks_) {
    if (b.start_ms >= from) n += b.used;
  }
  return n;
}

int64_t DailyQuota::EarliestUnitsMs(int64_t units, int64_t now_ms) const {
  if (units > cap_) return kNeverMs;
  int64_t avail = UsableAt(now_ms) + (pending_ ? pending_->count : 0) + RoomAt(now_ms);
  if (avail >= units) return now_ms;
  if (day_ == DayKind::kUtcDay) return DayStart(now_ms) + kMsPerDay;
  for (const Block& b : blocks_) {
    if (!Counts(b.start_ms, now_ms)) continue;
    // When b leaves the period the room grows by what it used; its unused units were either
    // counted as usable above or already given back when it closed.
    avail += b.used;
    if (avail >= units) return std::max(now_ms, b.start_ms + kMsPerDay + kBlockLifetimeMs);
  }
  return now_ms + kMsPerDay + kBlockLifetimeMs;
}

std::string DailyQuota::Encode(const std::vector<QuotaBlock>& blocks) {
  std::string out = "v1";
  for (const QuotaBlock& b : blocks) {
    out += ';' + std::to_string(b.start_ms) + ':' + std::to_string(b.count);
  }
  return out;
}

util::StatusOr<std::vector<QuotaBlock>> DailyQuota::Decode(std::string_view text) {
  const std::string quoted = "quota record '" + std::string(text.substr(0, 64)) + "': ";
  if (text.substr(0, 2) != "v1" || (text.size() > 2 && text[2] != ';')) {
    return util::Status::Corruption(
        quoted + "unsupported version (expected 'v1'); count the host's daily cap as used");
  }
  std::vector<QuotaBlock> blocks;
  size_t pos = 3;
  while (pos <= text.size() && text.size() > 2) {
    size_t end = text.find(';', pos);
    if (end == std::string_view::npos) end = text.size();
    const std::string_view item = text.substr(pos, end - pos);
    const size_t colon = item.find(':');
    QuotaBlock b;
    if (colon == std::string_view::npos || !ParseI64(item.substr(0, colon), &b.start_ms) ||
        !ParseI64(item.substr(colon + 1), &b.count) || b.count < 0) {
      return util::Status::Corruption(quoted + "bad block '" + std::string(item) +
                                      "' (expected START_MS:COUNT)");
    }
    blocks.push_back(b);
    pos = end + 1;
  }
  return blocks;
}

}  // namespace whois::limits
