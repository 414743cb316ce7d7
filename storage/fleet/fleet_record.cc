#include "storage/fleet/fleet_record.h"

#include <zstd.h>

#include <algorithm>

#include "storage/record_codec.h"

namespace storage::fleet {
namespace {

// zstd's default level: records compress ~3x at a few microseconds each.
constexpr int kZstdLevel = 3;

}  // namespace

std::string RecordKey(std::string_view prefix, std::string_view domain) {
  std::string key;
  key.reserve(prefix.size() + domain.size() + 4);
  key += '{';
  key += prefix;
  key += ':';
  key += domain;
  key += "}r";
  return key;
}

std::string EncodeFleetRecord(const Record& rec) {
  Record head = rec;
  head.chain.clear();
  head.refresh_failures = 0;
  head.refresh_after_ms = 0;
  std::string raw = EncodeRecordHead(head);
  std::string out(1 + ZSTD_compressBound(raw.size()) + 4, '\0');
  out[0] = static_cast<char>(kFleetRecordVersion);
  // With the frame's checksum (4 bytes): a value damaged in Redis or on the way is refused
  // rather than decoded into another record.
  ZSTD_CCtx* cctx = ZSTD_createCCtx();
  ZSTD_CCtx_setParameter(cctx, ZSTD_c_compressionLevel, kZstdLevel);
  ZSTD_CCtx_setParameter(cctx, ZSTD_c_checksumFlag, 1);
  size_t n = ZSTD_compress2(cctx, out.data() + 1, out.size() - 1, raw.data(), raw.size());
  ZSTD_freeCCtx(cctx);
  // Compressing into a buffer of compressBound bytes cannot fail.
  out.resize(ZSTD_isError(n) ? 1 : 1 + n);
  return out;
}

Status DecodeFleetRecord(std::string_view in, Record* rec) {
  if (in.empty() || static_cast<uint8_t>(in[0]) != kFleetRecordVersion)
    return Status::Corruption("fleet record: unknown version");
  in.remove_prefix(1);
  unsigned long long size = ZSTD_getFrameContentSize(in.data(), in.size());
  if (size == ZSTD_CONTENTSIZE_ERROR || size == ZSTD_CONTENTSIZE_UNKNOWN ||
      size > kMaxFleetRecordBytes)
    return Status::Corruption("fleet record: not a zstd frame of a known size");
  std::string raw(static_cast<size_t>(size), '\0');
  size_t n = ZSTD_decompress(raw.data(), raw.size(), in.data(), in.size());
  if (ZSTD_isError(n) || n != raw.size())
    return Status::Corruption(std::string("fleet record: ") +
                              (ZSTD_isError(n) ? ZSTD_getErrorName(n) : "short frame"));
  rec->chain.clear();
  return DecodeRecordHead(raw, rec);
}

int64_t FleetExpiryMs(const Record& rec, int64_t now_ms, int64_t stale_window_ms,
                      int64_t max_ttl_ms) {
  int64_t ttl = rec.stale_at_ms - now_ms + std::max<int64_t>(0, stale_window_ms);
  return std::min(ttl, max_ttl_ms);
}

}  // namespace storage::fleet
