#include "storage/fleet/fleet_record_codec.h"

#include <map>

#include "storage/dictionary_compressor.h"
#include "storage/record_codec.h"

namespace storage::fleet {
namespace {

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
  std::map<uint8_t, DictionaryCompressor> dictionaries;
  uint8_t write_id = 0;
  // Format 1 (no dictionary), with the frame's checksum like every fleet value.
  std::unique_ptr<DictionaryCompressor> plain;
};

FleetRecordCodec::FleetRecordCodec(std::vector<FleetDictionary> dictionaries, uint8_t write_id,
                                   int level)
    : state_(std::make_unique<State>()) {
  // With the frame's checksum (4 bytes): a value damaged in Redis or on the way, or read with
  // the wrong dictionary, is refused rather than decoded into another record.
  state_->plain = std::make_unique<DictionaryCompressor>("", level, /*checksum=*/true);
  for (const FleetDictionary& d : dictionaries) {
    if (d.id == 0 || d.content.empty()) continue;
    DictionaryCompressor dict(d.content, level, /*checksum=*/true);
    if (dict.ok()) state_->dictionaries.emplace(d.id, std::move(dict));
  }
  if (state_->dictionaries.count(write_id)) state_->write_id = write_id;
}

FleetRecordCodec::~FleetRecordCodec() = default;
FleetRecordCodec::FleetRecordCodec(FleetRecordCodec&&) noexcept = default;
FleetRecordCodec& FleetRecordCodec::operator=(FleetRecordCodec&&) noexcept = default;

uint8_t FleetRecordCodec::write_id() const { return state_->write_id; }

std::string FleetRecordCodec::Encode(const Record& rec) {
  std::string out;
  DictionaryCompressor* compressor = state_->plain.get();
  if (state_->write_id) {
    out.push_back(static_cast<char>(kFleetRecordDictionaryVersion));
    out.push_back(static_cast<char>(state_->write_id));
    compressor = &state_->dictionaries.at(state_->write_id);
  } else {
    out.push_back(static_cast<char>(kFleetRecordPlainVersion));
  }
  // Fails only without memory: the value is then a bare header, which every reader refuses.
  compressor->CompressTo(SharedHead(rec), &out);
  return out;
}

Status FleetRecordCodec::Decode(std::string_view in, Record* rec) {
  if (in.empty()) return Status::Corruption("fleet record: empty value");
  uint8_t version = static_cast<uint8_t>(in[0]);
  in.remove_prefix(1);
  DictionaryCompressor* compressor = state_->plain.get();
  if (version == kFleetRecordDictionaryVersion) {
    if (in.empty()) return Status::Corruption("fleet record: no dictionary id");
    uint8_t id = static_cast<uint8_t>(in[0]);
    in.remove_prefix(1);
    auto it = state_->dictionaries.find(id);
    if (it == state_->dictionaries.end())
      return Status::Corruption("fleet record: compressed with dictionary " + std::to_string(id) +
                                ", which this proxy does not have (written by a newer proxy?)");
    compressor = &it->second;
  } else if (version != kFleetRecordPlainVersion) {
    return Status::Corruption("fleet record: unknown format version " + std::to_string(version));
  }
  std::string raw;
  if (Status st = compressor->DecompressTo(in, kMaxFleetRecordBytes, &raw); !st.ok())
    return Status::Corruption("fleet record: " + st.message());
  rec->chain.clear();
  return DecodeRecordHead(raw, rec);
}

}  // namespace storage::fleet
