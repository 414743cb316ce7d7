#include "storage/fleet/fleet_record_codec.h"

#include <zstd.h>

#include <map>

#include "storage/record_codec.h"

namespace storage::fleet {
namespace {

struct CCtxFree {
  void operator()(ZSTD_CCtx* p) const { ZSTD_freeCCtx(p); }
};
struct DCtxFree {
  void operator()(ZSTD_DCtx* p) const { ZSTD_freeDCtx(p); }
};
struct CDictFree {
  void operator()(ZSTD_CDict* p) const { ZSTD_freeCDict(p); }
};
struct DDictFree {
  void operator()(ZSTD_DDict* p) const { ZSTD_freeDDict(p); }
};

// The head as shared: the chain is most of a record's bytes and only WHOIS.RAW reads it (the
// proxy that fetched the record keeps it); the refresh back-off is this proxy's own.
std::string SharedHead(const Record& rec) {
  Record head;
  head.status = rec.status;
  head.imported = rec.imported;
  head.fetched_at_ms = rec.fetched_at_ms;
  head.stale_at_ms = rec.stale_at_ms;
  head.json = rec.json;
  return EncodeRecordHead(head);
}

}  // namespace

struct FleetRecordCodec::State {
  struct Dictionary {
    std::unique_ptr<ZSTD_CDict, CDictFree> cdict;
    std::unique_ptr<ZSTD_DDict, DDictFree> ddict;
  };
  std::map<uint8_t, Dictionary> dictionaries;
  uint8_t write_id = 0;
  int level = 3;
  std::unique_ptr<ZSTD_CCtx, CCtxFree> cctx{ZSTD_createCCtx()};
  std::unique_ptr<ZSTD_DCtx, DCtxFree> dctx{ZSTD_createDCtx()};
};

FleetRecordCodec::FleetRecordCodec(std::vector<FleetDictionary> dictionaries, uint8_t write_id,
                                   int level)
    : state_(std::make_unique<State>()) {
  state_->level = level;
  for (const FleetDictionary& d : dictionaries) {
    if (d.id == 0 || d.content.empty()) continue;
    // Raw content (the text does not start with zstd's dictionary magic): the compressor copies
    // from it as if it preceded every record.
    State::Dictionary dict;
    dict.cdict.reset(ZSTD_createCDict(d.content.data(), d.content.size(), level));
    dict.ddict.reset(ZSTD_createDDict(d.content.data(), d.content.size()));
    if (dict.cdict && dict.ddict) state_->dictionaries[d.id] = std::move(dict);
  }
  if (state_->dictionaries.count(write_id)) state_->write_id = write_id;
}

FleetRecordCodec::~FleetRecordCodec() = default;
FleetRecordCodec::FleetRecordCodec(FleetRecordCodec&&) noexcept = default;
FleetRecordCodec& FleetRecordCodec::operator=(FleetRecordCodec&&) noexcept = default;

uint8_t FleetRecordCodec::write_id() const { return state_->write_id; }

std::string FleetRecordCodec::Encode(const Record& rec) {
  std::string raw = SharedHead(rec);
  size_t header = state_->write_id ? 2 : 1;
  std::string out(header + ZSTD_compressBound(raw.size()), '\0');
  ZSTD_CCtx* cctx = state_->cctx.get();
  ZSTD_CCtx_reset(cctx, ZSTD_reset_session_and_parameters);
  // With the frame's checksum (4 bytes): a value damaged in Redis or on the way, or read with
  // the wrong dictionary, is refused rather than decoded into another record.
  ZSTD_CCtx_setParameter(cctx, ZSTD_c_checksumFlag, 1);
  if (state_->write_id) {
    out[0] = static_cast<char>(kFleetRecordDictionaryVersion);
    out[1] = static_cast<char>(state_->write_id);
    ZSTD_CCtx_refCDict(cctx, state_->dictionaries.at(state_->write_id).cdict.get());
  } else {
    out[0] = static_cast<char>(kFleetRecordPlainVersion);
    ZSTD_CCtx_setParameter(cctx, ZSTD_c_compressionLevel, state_->level);
  }
  size_t n = ZSTD_compress2(cctx, out.data() + header, out.size() - header, raw.data(), raw.size());
  // Compressing into a buffer of compressBound bytes fails only without memory: the value is
  // then a bare header, which every reader refuses.
  out.resize(ZSTD_isError(n) ? header : header + n);
  return out;
}

Status FleetRecordCodec::Decode(std::string_view in, Record* rec) {
  if (in.empty()) return Status::Corruption("fleet record: empty value");
  uint8_t version = static_cast<uint8_t>(in[0]);
  in.remove_prefix(1);
  const ZSTD_DDict* ddict = nullptr;
  if (version == kFleetRecordDictionaryVersion) {
    if (in.empty()) return Status::Corruption("fleet record: no dictionary id");
    uint8_t id = static_cast<uint8_t>(in[0]);
    in.remove_prefix(1);
    auto it = state_->dictionaries.find(id);
    if (it == state_->dictionaries.end())
      return Status::Corruption("fleet record: compressed with dictionary " + std::to_string(id) +
                                ", which this proxy does not have (written by a newer proxy?)");
    ddict = it->second.ddict.get();
  } else if (version != kFleetRecordPlainVersion) {
    return Status::Corruption("fleet record: unknown format version " + std::to_string(version));
  }
  unsigned long long size = ZSTD_getFrameContentSize(in.data(), in.size());
  if (size == ZSTD_CONTENTSIZE_ERROR || size == ZSTD_CONTENTSIZE_UNKNOWN ||
      size > kMaxFleetRecordBytes)
    return Status::Corruption("fleet record: not a zstd frame of a known size");
  std::string raw(static_cast<size_t>(size), '\0');
  ZSTD_DCtx* dctx = state_->dctx.get();
  size_t n =
      ddict ? ZSTD_decompress_usingDDict(dctx, raw.data(), raw.size(), in.data(), in.size(), ddict)
            : ZSTD_decompressDCtx(dctx, raw.data(), raw.size(), in.data(), in.size());
  if (ZSTD_isError(n) || n != raw.size())
    return Status::Corruption(std::string("fleet record: ") +
                              (ZSTD_isError(n) ? ZSTD_getErrorName(n) : "short frame"));
  rec->chain.clear();
  return DecodeRecordHead(raw, rec);
}

}  // namespace storage::fleet
