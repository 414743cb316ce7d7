#include "whois/parser/reply_classifier.h"

#include <algorithm>
#include <array>
#include <cstring>
#include <span>
#include <string>
#include <vector>

#include "util/enum_names.h"

namespace whois {
namespace {

// Lines longer than this are prose (disclaimers), where words such as "not found" or "access
// denied" describe policy rather than this answer.
constexpr size_t kMaxSignalLine = 200;

// Distinctive pieces of refusal texts seen in the wild (../shared/data/refusal-messages.tsv beside
// the checkout lists them with their sources). Matched on the lower-cased, trimmed line. Strong
// phrases are never found in a data reply; weak ones also occur in disclaimers ("... for excessive
// querying of the WHOIS database ...") and count only in a reply with few data lines and no
// not-found line.
constexpr std::array<std::string_view, 29> kStrongRefusals = {
    "temporarily not be answered",      // Freenom: "... can temporarily not be answered."
    "before starting another enquiry",  // HKIRC: "Please maintain at least 10-second time ..."
    "access control limit",
    "too many connections",
    "maximum queries per",
    "request limit exceeded",
    "only 1 request per",
    "whois-limit exceeded",
    "still in grace period",
    "exceeded your quota",
    "connection limit exceeded",
    "too many requests",
    "query quota",
    "exceeded its quota",
    "whois limit exceeded",
    "query_status: 440",
    "please go away for",
    "quota exceeded",
    "looup quota",
    "rate limit exceeded",
    "allowed queries exceeded",
    "lookup refused",
    "rate limit is maxed",
    "limit exceeded",
    "exceeded the query limit",
    "too many queries",
    "limit reached",
    "quota of queries",
    "queries exceeded",
};

constexpr std::array<std::string_view, 16> kWeakRefusals = {
    "can't process your request",  // KENIC: "Server can't process your request."
    "cannot process your request",
    "excessive querying",
    "server too busy",
    "temporarily unavailable",
    "request denied",
    "database is currently down",
    "access denied",
    "permanently denied",
    "temporarily denied",
    "not allowed to connect",
    "blacklisted",
    "tld is not supported",
    "rate limit notice",
    "try again later",
    "service unavailable",
};

// How far into a long line a not-found phrase may start and still count.
constexpr size_t kNotFoundLead = 60;

// A weak refusal in a reply with at least this many data lines is a disclaimer.
constexpr int kWeakRefusalMaxDataLines = 5;

// Line prefixes that announce an error instead of data ("% Error: 55000000002 ..."), unless the
// error is a not-found ("ERROR:101: no entries found").
constexpr std::array<std::string_view, 3> kRefusalPrefixes = {"% error:", "%error:", "error:"};

constexpr std::array<std::string_view, 46> kNotFoundPhrases = {
    "no se encuentra",  // NIC Argentina: "El dominio no se encuentra registrado"
    "do not have an entry",
    "could not find",
    "object_not_found",
    "no objects found",
    "returned 0 objects",
    "is available for purchase",
    "not available in our whois database",
    "220 available",
    "not have any data for",
    "no match",
    "not found",
    "no entries found",
    "no data found",
    "no matching record",
    "nothing found",
    "object does not exist",
    "no object found",
    "no such domain",
    "not registered",
    "not registred",
    "no records matching",
    "no domain records were found",
    "no existe",
    "has not been registered",
    "not known in",
    "domain not found",
    "available for registration",
    "does not exist",
    "no information was found",
    "no se encontro",
    "no entries",
    "is free",
    "not exist",
    "no records found",
    "no found",
    "nincs tal",  // .hu "Nincs találat / No match"
    "not available in the database",
    "no data was found",
    "no results",
    "domain is available",
    "this domain is available",
    "no matching objects",
    "is not a registered domain",
    "no information available",
    "no such object",
};

// Values of a "status:" line meaning free.
constexpr std::array<std::string_view, 9> kFreeStatus = {
    "available", "free", "not registered", "no object found", "not found",
    "avail",     "open", "unassigned",     "is free"};

std::string LowerTrimmed(std::string_view line) {
  size_t b = 0, e = line.size();
  while (b < e && (line[b] == ' ' || line[b] == '\t' || line[b] == '\r')) ++b;
  while (e > b && (line[e - 1] == ' ' || line[e - 1] == '\t' || line[e - 1] == '\r')) --e;
  std::string out(line.substr(b, e - b));
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

// Which phrase lists a line contains something from, as bits.
enum PhraseBit : uint8_t {
  kStrongBit = 1,
  kWeakBit = 2,
  kNotFoundBit = 4,
  kPartialBit = 8,
};

// Every phrase of every list, searched in one pass over a line: a position is compared only
// with the phrases whose first four bytes it holds, found through a bitmap of those four-byte
// heads. Scanning ~90 phrases with one find() each was a quarter of the proxy's CPU on the miss
// path (every reply is classified up to three times).
class PhraseIndex {
 public:
  PhraseIndex() {
    Add(kStrongRefusals, kStrongBit);
    Add(kWeakRefusals, kWeakBit);
    Add(kNotFoundPhrases, kNotFoundBit);
    Add(std::span<const std::string_view>(&kPartialPhrase, 1), kPartialBit);
    // Entries grouped by hash: those of hash h are entries_[first_[h], first_[h + 1]).
    std::stable_sort(entries_.begin(), entries_.end(),
                     [](const Entry& a, const Entry& b) { return Hash(a.head) < Hash(b.head); });
    size_t k = 0;
    for (uint32_t h = 0; h <= kBuckets; ++h) {
      while (k < entries_.size() && Hash(entries_[k].head) < h) ++k;
      first_[h] = static_cast<uint16_t>(k);
    }
  }

  // Phrases shorter than kHead could not be found.
  static constexpr bool Indexable(std::span<const std::string_view> phrases) {
    for (std::string_view p : phrases) {
      if (p.size() < kHead) return false;
    }
    return true;
  }

  // The bits of every list with a phrase that occurs in `l` (lower case).
  uint8_t Match(std::string_view l) const {
    uint8_t bits = 0;
    for (size_t i = 0; i + kHead <= l.size(); ++i) {
      uint32_t head = Head(l.data() + i);
      uint32_t h = Hash(head);
      if (!(heads_[h >> 6] >> (h & 63) & 1)) continue;
      std::string_view rest = l.substr(i);
      for (uint16_t k = first_[h]; k < first_[h + 1]; ++k) {
        const Entry& e = entries_[k];
        if (e.head == head && (bits & e.bit) == 0 && rest.starts_with(e.text)) bits |= e.bit;
      }
    }
    return bits;
  }

 private:
  static constexpr size_t kHead = 4;  // every phrase is at least this long
  static constexpr uint32_t kHashBits = 12;
  static constexpr uint32_t kBuckets = 1 << kHashBits;

  struct Entry {
    std::string_view text;
    uint32_t head;
    uint8_t bit;
  };

  static constexpr std::string_view kPartialPhrase = "reduced information";

  static uint32_t Head(const char* p) {
    uint32_t v;
    std::memcpy(&v, p, sizeof v);
    return v;
  }
  static uint32_t Hash(uint32_t head) { return (head * 2654435761u) >> (32 - kHashBits); }

  void Add(std::span<const std::string_view> phrases, uint8_t bit) {
    for (std::string_view p : phrases) {
      uint32_t head = Head(p.data());
      uint32_t h = Hash(head);
      heads_[h >> 6] |= uint64_t{1} << (h & 63);
      entries_.push_back({p, head, bit});
    }
  }

  std::array<uint64_t, kBuckets / 64> heads_{};  // bit h: some phrase's head hashes to h
  std::vector<Entry> entries_;
  std::array<uint16_t, kBuckets + 1> first_{};
};

static_assert(PhraseIndex::Indexable(kStrongRefusals) && PhraseIndex::Indexable(kWeakRefusals) &&
              PhraseIndex::Indexable(kNotFoundPhrases));

const PhraseIndex& Phrases() {
  static const PhraseIndex index;
  return index;
}

// Lower-cases `line` into *out (reused, so a reply costs no allocation per line) and trims it.
std::string_view LowerTrimmedInto(std::string_view line, std::string* out) {
  size_t b = 0, e = line.size();
  while (b < e && (line[b] == ' ' || line[b] == '\t' || line[b] == '\r')) ++b;
  while (e > b && (line[e - 1] == ' ' || line[e - 1] == '\t' || line[e - 1] == '\r')) --e;
  out->resize(e - b);
  for (size_t i = b; i < e; ++i) {
    char c = line[i];
    (*out)[i - b] = c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
  }
  return *out;
}

template <typename F>
void ForEachLine(std::string_view text, F&& f) {
  if (text.size() > kMaxClassifiedBytes) text = text.substr(0, kMaxClassifiedBytes);
  size_t pos = 0;
  while (pos < text.size()) {
    size_t nl = text.find('\n', pos);
    if (nl == std::string_view::npos) nl = text.size();
    if (!f(text.substr(pos, nl - pos))) return;
    pos = nl + 1;
  }
}

bool Contains(std::string_view hay, std::string_view needle) {
  return hay.find(needle) != std::string_view::npos;
}

// The not-found tests other than the phrase list, which the caller has matched (kNotFoundBit).
bool IsNotFoundShape(std::string_view l) {
  if (l.size() > 120 || l.empty()) return false;
  size_t colon = l.find(':');
  if (colon != std::string_view::npos && colon < 40) {
    std::string_view key = l.substr(0, colon);
    std::string_view value = l.substr(colon + 1);
    while (!value.empty() && (value.front() == ' ' || value.front() == '\t'))
      value.remove_prefix(1);
    while (!value.empty() && (value.back() == '.' || value.back() == ' ')) value.remove_suffix(1);
    if (key.find("status") != std::string_view::npos) {
      for (std::string_view s : kFreeStatus) {
        if (value == s) return true;
      }
    }
  }
  return l == "available" || l == "free" || l.ends_with(" is available") ||
         l.ends_with(" is available.");
}

// Keys of free-text remarks.
bool IsRemark(std::string_view l) {
  return l.starts_with("remarks:") || l.starts_with("remark:") || l.starts_with("comment:") ||
         l.starts_with("comments:");
}

// A line that reads like data: "key: value" with a short key, "key....: value" or "[key] value".
bool IsDataLine(std::string_view l) {
  if (l.empty() || l[0] == '%' || l[0] == '#') return false;
  if (l[0] == '[' || (l.size() > 3 && l[1] == '.' && l[3] == '[')) {
    size_t close = l.find(']');
    return close != std::string_view::npos && close + 1 < l.size();
  }
  size_t colon = l.find(':');
  if (colon == std::string_view::npos || colon == 0 || colon > 60) return false;
  size_t v = colon + 1;
  while (v < l.size() && (l[v] == ' ' || l[v] == '\t' || l[v] == '.')) ++v;
  return v < l.size() && l.compare(colon + 1, 2, "//") != 0;
}

std::string_view TrimLine(std::string_view line) {
  size_t b = line.find_first_not_of(" \t\r%#*");
  if (b == std::string_view::npos) return {};
  size_t e = line.find_last_not_of(" \t\r");
  return line.substr(b, e + 1 - b);
}

// One pass over the reply: the first line of each signal, and how much data it holds.
struct Scan {
  std::string_view strong, weak, not_found, partial;
  int data_lines = 0;
};

Scan ScanReply(std::string_view text) {
  Scan scan;
  const PhraseIndex& phrases = Phrases();
  std::string buffer;
  ForEachLine(text, [&](std::string_view line) {
    std::string_view l = LowerTrimmedInto(line, &buffer);
    if (l.empty()) return true;
    if (l.size() <= kMaxSignalLine) {
      uint8_t bits = phrases.Match(l);
      // A not-found phrase counts in a short line, or at the start of a longer one ("The queried
      // object does not exist: previous registration ... was purged on ..."). In a remark it
      // describes a policy ("remarks: This domain is only available for registration under
      // certain conditions") and must not outweigh the data around it.
      bool not_found =
          ((bits & kNotFoundBit) &&
           (l.size() <= 120 || (phrases.Match(l.substr(0, kNotFoundLead)) & kNotFoundBit)) &&
           !IsRemark(l)) ||
          IsNotFoundShape(l);
      // whois.registro.br: "Query rate limit exceeded. Reduced information." precedes a partial
      // answer. Partial is not the record: it is a refusal whatever follows, so it is never
      // cached as the domain's record or as "not found".
      bool partial = bits & kPartialBit;
      if (scan.strong.empty() && (bits & kStrongBit)) scan.strong = TrimLine(line);
      if (scan.partial.empty() && partial) scan.partial = TrimLine(line);
      bool error_line = std::any_of(kRefusalPrefixes.begin(), kRefusalPrefixes.end(),
                                    [&](std::string_view p) { return l.starts_with(p); });
      if (scan.weak.empty() && !not_found && (error_line || (bits & kWeakBit))) {
        scan.weak = TrimLine(line);
      }
      if (scan.not_found.empty() && not_found) scan.not_found = TrimLine(line);
    }
    if (IsDataLine(l)) ++scan.data_lines;
    return true;
  });
  return scan;
}

std::string_view RefusalOf(const Scan& scan) {
  if (!scan.strong.empty()) return scan.strong;
  if (!scan.partial.empty()) return scan.partial;
  if (!scan.weak.empty() && scan.not_found.empty() && scan.data_lines < kWeakRefusalMaxDataLines) {
    return scan.weak;
  }
  return {};
}

}  // namespace

std::string_view ReplyKindName(ReplyKind kind) {
  static constexpr util::EnumNames<ReplyKind::kEmpty> kNames(
      {"record", "not_found", "refused", "empty"}, "empty");
  return kNames.Name(kind);
}

std::string_view RefusalLine(std::string_view text) {
  Scan scan = ScanReply(text);
  return RefusalOf(scan);
}

std::string_view NotFoundLine(std::string_view text) { return ScanReply(text).not_found; }

ReplyKind ClassifyReply(std::string_view text) {
  Scan scan = ScanReply(text);
  if (!RefusalOf(scan).empty()) return ReplyKind::kRefused;
  if (!scan.not_found.empty()) return ReplyKind::kNotFound;
  return scan.data_lines >= 2 ? ReplyKind::kRecord : ReplyKind::kEmpty;
}

std::optional<int64_t> RetryAfterSeconds(std::string_view text) {
  std::string l = LowerTrimmed(text.substr(0, std::min(text.size(), kMaxClassifiedBytes)));
  // Go-style duration: "try again after: 24h0m0s".
  if (size_t p = l.find("after:"); p != std::string::npos) {
    int64_t total = 0, n = 0;
    bool any = false;
    for (size_t i = p + 6; i < l.size() && i < p + 40; ++i) {
      char c = l[i];
      if (c >= '0' && c <= '9') {
        n = n * 10 + (c - '0');
        if (n > 100000000) return std::nullopt;
      } else if (c == 'h' || c == 'm' || c == 's') {
        total += n * (c == 'h' ? 3600 : c == 'm' ? 60 : 1);
        n = 0;
        any = true;
      } else if (c != ' ') {
        break;
      }
    }
    if (any) return total;
  }
  // "<n> second(s)/minute(s)/hour(s)".
  for (size_t i = 0; i < l.size(); ++i) {
    if (l[i] < '0' || l[i] > '9' || (i > 0 && l[i - 1] >= '0' && l[i - 1] <= '9')) continue;
    int64_t n = 0;
    size_t j = i;
    while (j < l.size() && l[j] >= '0' && l[j] <= '9' && j - i < 10) n = n * 10 + (l[j++] - '0');
    while (j < l.size() && l[j] == ' ') ++j;
    std::string_view rest = std::string_view(l).substr(j);
    if (rest.starts_with("sec")) return n;
    if (rest.starts_with("min")) return n * 60;
    if (rest.starts_with("hour")) return n * 3600;
  }
  if (Contains(l, "per hour")) return 3600;
  if (Contains(l, "daily")) return 86400;
  return std::nullopt;
}

}  // namespace whois
