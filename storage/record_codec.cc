#include "storage/record_codec.h"

#include <type_traits>

#include "storage/dictionary_compressor.h"
#include "storage/fixed_width.h"

namespace storage {
namespace {

constexpr uint8_t kFlagImported = 0x01;
constexpr size_t kHeadFixedBytes = 3 + 8 + 8;  // version, status, flags, two times
constexpr size_t kRefreshBytes = 4 + 8;        // refresh_failures, refresh_after_ms

void PutVarint64(std::string* out, uint64_t v) {
  while (v >= 0x80) {
    out->push_back(static_cast<char>((v & 0x7f) | 0x80));
    v >>= 7;
  }
  out->push_back(static_cast<char>(v));
}

void PutLengthPrefixed(std::string* out, std::string_view s) {
  PutVarint64(out, s.size());
  out->append(s);
}

// Reads from the front of a byte string; every getter fails (returns false) instead of reading
// past the end.
class Reader {
 public:
  explicit Reader(std::string_view in) : in_(in) {}

  bool empty() const { return in_.empty(); }
  size_t remaining() const { return in_.size(); }

  bool Byte(uint8_t* v) {
    if (in_.empty()) return false;
    *v = static_cast<uint8_t>(in_[0]);
    in_.remove_prefix(1);
    return true;
  }
  template <typename T>
  bool Fixed(T* v) {
    static_assert(std::is_unsigned_v<T>);
    if (in_.size() < sizeof(T)) return false;
    *v = DecodeFixed<T>(in_);
    in_.remove_prefix(sizeof(T));
    return true;
  }
  bool Varint64(uint64_t* v) {
    uint64_t r = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      uint8_t b = 0;
      if (!Byte(&b)) return false;
      r |= uint64_t{b & 0x7fu} << shift;
      if ((b & 0x80) == 0) {
        *v = r;
        return true;
      }
    }
    return false;  // more than 10 bytes: not a varint we wrote
  }
  bool LengthPrefixed(std::string* s) {
    uint64_t n;
    if (!Varint64(&n) || n > in_.size()) return false;
    s->assign(in_.substr(0, n));
    in_.remove_prefix(n);
    return true;
  }
  std::string_view Rest() {
    std::string_view r = in_;
    in_ = {};
    return r;
  }

 private:
  std::string_view in_;
};

bool ValidStatus(uint8_t b) { return b >= 1 && b <= 3; }

}  // namespace

namespace {

// Every head's fields before the JSON, in `version`'s layout.
void PutHeadFields(const Record& rec, uint8_t version, bool refresh, std::string* out) {
  out->push_back(static_cast<char>(version));
  out->push_back(static_cast<char>(rec.status));
  out->push_back(static_cast<char>(rec.imported ? kFlagImported : 0));
  PutFixed<uint64_t>(out, static_cast<uint64_t>(rec.fetched_at_ms));
  PutFixed<uint64_t>(out, static_cast<uint64_t>(rec.stale_at_ms));
  if (refresh) {
    PutFixed<uint32_t>(out, rec.refresh_failures);
    PutFixed<uint64_t>(out, static_cast<uint64_t>(rec.refresh_after_ms));
  }
}

}  // namespace

std::string EncodeRecordHead(const Record& rec) {
  const bool refresh = rec.refresh_failures != 0 || rec.refresh_after_ms != 0;
  std::string out;
  out.reserve(kHeadFixedBytes + kRefreshBytes + rec.json.size());
  PutHeadFields(rec, refresh ? kHeadWithRefreshVersion : kValueLayoutVersion, refresh, &out);
  out.append(rec.json);
  return out;
}

bool EncodePackedRecordHead(const Record& rec, uint8_t dictionary_id,
                            DictionaryCompressor& compressor, std::string* out) {
  const size_t start = out->size();
  PutHeadFields(rec, kPackedHeadVersion, /*refresh=*/true, out);
  out->push_back(static_cast<char>(dictionary_id));
  if (compressor.CompressTo(rec.json, out)) return true;
  out->resize(start);
  return false;
}

Status DecodeRecordHead(std::string_view in, Record* rec, const HeadDictionaries& dictionaries,
                        PackedJson* packed) {
  if (packed) *packed = {};
  if (in.size() < kHeadFixedBytes)
    return Status::Corruption("record value is truncated (" + std::to_string(in.size()) +
                              " bytes, the header alone is " + std::to_string(kHeadFixedBytes) +
                              ")");
  Reader r(in);
  uint8_t version = 0, status = 0, flags = 0;
  uint64_t fetched = 0, stale = 0;
  r.Byte(&version);
  r.Byte(&status);
  r.Byte(&flags);
  r.Fixed(&fetched);
  r.Fixed(&stale);
  if (version != kValueLayoutVersion && version != kHeadWithRefreshVersion &&
      version != kPackedHeadVersion)
    return Status::Corruption("record value has unknown layout version " + std::to_string(version));
  uint32_t failures = 0;
  uint64_t refresh_after = 0;
  if (version != kValueLayoutVersion && (!r.Fixed(&failures) || !r.Fixed(&refresh_after)))
    return Status::Corruption("record value is truncated in its refresh back-off (" +
                              std::to_string(in.size()) + " bytes)");
  // Version 2 is written only with a back-off set: one record has one encoding.
  if (version == kHeadWithRefreshVersion && failures == 0 && refresh_after == 0)
    return Status::Corruption("record value of layout version 2 has no refresh back-off");
  if (!ValidStatus(status))
    return Status::Corruption("record value has unknown status " + std::to_string(status));
  if ((flags & ~kFlagImported) != 0)
    return Status::Corruption("record value has unknown flags " + std::to_string(flags));
  rec->status = static_cast<RecordStatus>(status);
  rec->imported = (flags & kFlagImported) != 0;
  rec->fetched_at_ms = static_cast<int64_t>(fetched);
  rec->stale_at_ms = static_cast<int64_t>(stale);
  rec->refresh_failures = failures;
  rec->refresh_after_ms = static_cast<int64_t>(refresh_after);
  if (version != kPackedHeadVersion) {
    rec->json.assign(r.Rest());
    return Status::OK();
  }
  uint8_t id = 0;
  if (!r.Byte(&id)) return Status::Corruption("packed record value has no dictionary id");
  DictionaryCompressor* compressor = dictionaries ? dictionaries(id) : nullptr;
  if (compressor == nullptr)
    return Status::Corruption("record value is packed with dictionary " + std::to_string(id) +
                              ", which this store does not have (written by a newer proxy?)");
  rec->json.clear();
  const std::string_view frame = r.Rest();
  if (Status st = compressor->DecompressTo(frame, kMaxPackedJsonBytes, &rec->json); !st.ok())
    return Status::Corruption("packed record value's JSON does not decompress: " + st.message());
  if (packed) {
    packed->dictionary = id;
    packed->frame.assign(frame);
  }
  return Status::OK();
}

std::string EncodeChain(const std::vector<RawReply>& chain) {
  std::string out;
  size_t total = 16;
  for (const RawReply& hop : chain)
    total += hop.server.size() + hop.query.size() + hop.text.size() + 32;
  out.reserve(total);
  out.push_back(static_cast<char>(kValueLayoutVersion));
  PutVarint64(&out, chain.size());
  for (const RawReply& hop : chain) {
    PutLengthPrefixed(&out, hop.server);
    PutLengthPrefixed(&out, hop.query);
    PutLengthPrefixed(&out, hop.text);
    PutFixed<uint64_t>(&out, static_cast<uint64_t>(hop.fetched_at_ms));
  }
  return out;
}

bool EncodePackedChain(const std::vector<RawReply>& chain, DictionaryCompressor& plain,
                       std::string* out) {
  const size_t start = out->size();
  out->push_back(static_cast<char>(kPackedChainVersion));
  if (plain.CompressTo(EncodeChain(chain), out)) return true;
  out->resize(start);
  return false;
}

Status DecodeChain(std::string_view in, std::vector<RawReply>* chain, DictionaryCompressor* plain) {
  chain->clear();
  if (!in.empty() && static_cast<uint8_t>(in[0]) == kPackedChainVersion) {
    if (plain == nullptr)
      return Status::Corruption("chain value is packed, and this store does not unpack chains");
    std::string unpacked;
    if (Status st = plain->DecompressTo(in.substr(1), kMaxPackedChainBytes, &unpacked); !st.ok())
      return Status::Corruption("packed chain value does not decompress: " + st.message());
    // What a packed chain holds is a version-1 chain, never another packed one.
    if (!unpacked.empty() && static_cast<uint8_t>(unpacked[0]) != kValueLayoutVersion)
      return Status::Corruption("packed chain value holds layout version " +
                                std::to_string(static_cast<uint8_t>(unpacked[0])));
    return DecodeChain(unpacked, chain);
  }
  Reader r(in);
  uint8_t version = 0;
  if (!r.Byte(&version)) return Status::Corruption("chain value is empty");
  if (version != kValueLayoutVersion)
    return Status::Corruption("chain value has unknown layout version " + std::to_string(version));
  uint64_t hops = 0;
  if (!r.Varint64(&hops)) return Status::Corruption("chain value is truncated in its hop count");
  // Each hop takes at least 11 bytes (three empty strings and a time), so a garbled count cannot
  // make us reserve a huge vector.
  if (hops > r.remaining() / 11)
    return Status::Corruption("chain value claims " + std::to_string(hops) +
                              " hops but holds only " + std::to_string(r.remaining()) +
                              " more bytes");
  chain->reserve(hops);
  for (uint64_t i = 0; i < hops; ++i) {
    RawReply hop;
    uint64_t fetched = 0;
    if (!r.LengthPrefixed(&hop.server) || !r.LengthPrefixed(&hop.query) ||
        !r.LengthPrefixed(&hop.text) || !r.Fixed(&fetched))
      return Status::Corruption("chain value is truncated in hop " + std::to_string(i));
    hop.fetched_at_ms = static_cast<int64_t>(fetched);
    chain->push_back(std::move(hop));
  }
  if (!r.empty())
    return Status::Corruption("chain value has " + std::to_string(r.remaining()) +
                              " trailing bytes");
  return Status::OK();
}

std::string EncodeCounter(uint64_t n) {
  std::string out;
  PutFixed<uint64_t>(&out, n);
  return out;
}

Status DecodeCounter(std::string_view in, uint64_t* n) {
  Reader r(in);
  if (in.size() != 8 || !r.Fixed(n))
    return Status::Corruption("record counter is " + std::to_string(in.size()) +
                              " bytes, expected 8");
  return Status::OK();
}

}  // namespace storage
