#include "storage/value_packer.h"

#include <algorithm>
#include <utility>

#include "storage/record_codec.h"

namespace storage {

struct ValuePacker::Contexts {
  std::vector<std::pair<uint8_t, DictionaryCompressor>> by_id;
  // Chains: raw replies of every shape, for which no dictionary is kept.
  DictionaryCompressor plain;

  // Level 1: a chain is written with every lookup and read rarely (WHOIS.RAW, a reparse).
  Contexts() : plain("", /*level=*/1, /*checksum=*/false) {}

  DictionaryCompressor* Find(uint8_t id) {
    for (auto& [known, compressor] : by_id)
      if (known == id) return &compressor;
    return nullptr;
  }
};

// A set of contexts taken from the pool (or made) for one call, and given back after it.
class ValuePacker::Borrowed {
 public:
  explicit Borrowed(ValuePacker* packer) : packer_(packer) {
    {
      std::lock_guard<std::mutex> lock(packer_->mu_);
      if (!packer_->idle_.empty()) {
        contexts_ = std::move(packer_->idle_.back());
        packer_->idle_.pop_back();
      }
    }
    if (contexts_) return;
    contexts_ = std::make_unique<Contexts>();
    for (const NamedDictionary& d : packer_->dictionaries_) {
      // Records are read far more often than written: literals left raw halve the time a
      // read decompresses for ~3% more bytes (dictionary_compressor.h).
      DictionaryCompressor compressor(d.content, packer_->level_, /*checksum=*/false,
                                      /*raw_literals=*/true);
      // Without memory for it, heads packed with it read as damaged and new ones are unpacked.
      if (compressor.ok()) contexts_->by_id.emplace_back(d.id, std::move(compressor));
    }
  }
  ~Borrowed() {
    std::lock_guard<std::mutex> lock(packer_->mu_);
    packer_->idle_.push_back(std::move(contexts_));
  }
  Borrowed(const Borrowed&) = delete;
  Borrowed& operator=(const Borrowed&) = delete;

  Contexts* operator->() { return contexts_.get(); }

 private:
  ValuePacker* packer_;
  std::unique_ptr<Contexts> contexts_;
};

namespace {

std::vector<NamedDictionary> Usable(std::vector<NamedDictionary> dictionaries) {
  std::vector<NamedDictionary> out;
  for (NamedDictionary& d : dictionaries) {
    const bool taken =
        std::any_of(out.begin(), out.end(), [&](const NamedDictionary& o) { return o.id == d.id; });
    if (d.id != 0 && !d.content.empty() && !taken) out.push_back(std::move(d));
  }
  return out;
}

uint8_t WriteId(const std::vector<NamedDictionary>& dictionaries, uint8_t write_id) {
  for (const NamedDictionary& d : dictionaries)
    if (d.id == write_id) return write_id;
  return 0;
}

}  // namespace

ValuePacker::ValuePacker(std::vector<NamedDictionary> dictionaries, uint8_t write_id, int level)
    : dictionaries_(Usable(std::move(dictionaries))),
      write_id_(WriteId(dictionaries_, write_id)),
      level_(level) {}

ValuePacker::~ValuePacker() = default;

std::string ValuePacker::EncodeHead(const Record& rec) {
  if (packs()) {
    Borrowed contexts(this);
    std::string out;
    if (DictionaryCompressor* c = contexts->Find(write_id_);
        c && EncodePackedRecordHead(rec, write_id_, *c, &out))
      return out;
  }
  return EncodeRecordHead(rec);
}

Status ValuePacker::DecodeHead(std::string_view in, Record* rec, PackedJson* packed) {
  if (in.empty() || static_cast<uint8_t>(in[0]) != kPackedHeadVersion)
    return DecodeRecordHead(in, rec, nullptr, packed);
  Borrowed contexts(this);
  return DecodeRecordHead(
      in, rec, [&](uint8_t id) { return contexts->Find(id); }, packed);
}

std::string ValuePacker::EncodeChain(const std::vector<RawReply>& chain) {
  if (packs()) {
    Borrowed contexts(this);
    std::string out;
    if (EncodePackedChain(chain, contexts->plain, &out)) return out;
  }
  return storage::EncodeChain(chain);
}

Status ValuePacker::DecodeChain(std::string_view in, std::vector<RawReply>* chain) {
  if (in.empty() || static_cast<uint8_t>(in[0]) != kPackedChainVersion)
    return storage::DecodeChain(in, chain);
  Borrowed contexts(this);
  return storage::DecodeChain(in, chain, &contexts->plain);
}

}  // namespace storage
