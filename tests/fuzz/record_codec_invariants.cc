#include "tests/fuzz/record_codec_invariants.h"

#include <cstdint>
#include <exception>
#include <string>
#include <vector>

#include "storage/dictionary_compressor.h"
#include "storage/record_codec.h"

namespace fuzz {
namespace {

// Takes values from the front of the input; past the end every value is zero or empty. (Not
// FuzzedDataProvider: this file is also compiled by GCC for the regression test.)
class ValueSource {
 public:
  explicit ValueSource(std::string_view in) : in_(in) {}

  uint8_t Byte() {
    if (in_.empty()) return 0;
    const auto b = static_cast<uint8_t>(in_.front());
    in_.remove_prefix(1);
    return b;
  }
  uint64_t U64() {
    uint64_t r = 0;
    for (int i = 0; i < 8; ++i) r = (r << 8) | Byte();
    return r;
  }
  // A length of up to 2^16-1 bytes, then that many bytes (fewer at the end of the input).
  std::string String() {
    const size_t n = (size_t{Byte()} << 8) | Byte();
    std::string s(in_.substr(0, n));
    in_.remove_prefix(s.size());
    return s;
  }

 private:
  std::string_view in_;
};

void CheckFailure(const storage::Status& s, const char* what, Violations* v) {
  FUZZ_EXPECT(v, s.IsCorruption(), std::string(what) + " failed with " + s.ToString());
  FUZZ_EXPECT(v, !s.message().empty(), std::string(what) + " failed without a message");
}

// The compressors of packed values (record_codec.h): a dictionary known as id 1, and none.
struct Packers {
  storage::DictionaryCompressor dictionary{R"({"domain":"example.com","status":"registered"})", 1,
                                           /*checksum=*/false, /*raw_literals=*/true};
  storage::DictionaryCompressor plain{"", 1, /*checksum=*/false};
  storage::HeadDictionaries known() {
    return [this](uint8_t id) { return id == 1 ? &dictionary : nullptr; };
  }
  // Whether rec packs and unpacks to itself.
  bool HeadRoundTrips(const storage::Record& rec) {
    std::string packed;
    storage::Record again;
    return storage::EncodePackedRecordHead(rec, 1, dictionary, &packed) &&
           storage::DecodeRecordHead(packed, &again, known()).ok() && again == rec;
  }
};

// Packed values: a decoder either fails with a Corruption status or gives what packs and
// unpacks to itself.
void CheckPackedDecoders(std::string_view input, Violations* v) {
  Packers p;
  storage::Record rec;
  storage::Status s = storage::DecodeRecordHead(input, &rec, p.known());
  if (s.ok()) {
    FUZZ_EXPECT(v, p.HeadRoundTrips(rec), "packed head does not round-trip");
  } else {
    CheckFailure(s, "DecodeRecordHead (packed)", v);
  }
  std::vector<storage::RawReply> chain;
  s = storage::DecodeChain(input, &chain, &p.plain);
  if (s.ok()) {
    std::string packed;
    std::vector<storage::RawReply> again;
    FUZZ_EXPECT(v,
                storage::EncodePackedChain(chain, p.plain, &packed) &&
                    storage::DecodeChain(packed, &again, &p.plain).ok() && again == chain,
                "packed chain does not round-trip");
  } else {
    CheckFailure(s, "DecodeChain (packed)", v);
  }
}

void CheckDecoders(std::string_view input, Violations* v) {
  storage::Record rec;
  storage::Status s = storage::DecodeRecordHead(input, &rec);
  if (s.ok()) {
    FUZZ_EXPECT(v, storage::EncodeRecordHead(rec) == input, "head does not re-encode");
  } else {
    CheckFailure(s, "DecodeRecordHead", v);
  }
  CheckPackedDecoders(input, v);

  std::vector<storage::RawReply> chain;
  s = storage::DecodeChain(input, &chain);
  if (s.ok()) {
    const std::string encoded = storage::EncodeChain(chain);
    FUZZ_EXPECT(v, encoded.size() <= input.size(), "chain re-encodes longer than it was");
    std::vector<storage::RawReply> again;
    FUZZ_EXPECT(v, storage::DecodeChain(encoded, &again).ok() && again == chain,
                "chain does not round-trip");
  } else {
    CheckFailure(s, "DecodeChain", v);
  }

  uint64_t n = 0;
  s = storage::DecodeCounter(input, &n);
  FUZZ_EXPECT(v, s.ok() == (input.size() == 8), "DecodeCounter on " + std::to_string(input.size()));
  if (s.ok()) {
    FUZZ_EXPECT(v, storage::EncodeCounter(n) == input, "counter does not re-encode");
  } else {
    CheckFailure(s, "DecodeCounter", v);
  }
}

void CheckEncoders(std::string_view input, Violations* v) {
  ValueSource src(input);
  storage::Record rec;
  rec.status = static_cast<storage::RecordStatus>(1 + src.Byte() % 3);
  rec.imported = (src.Byte() & 1) != 0;
  rec.fetched_at_ms = static_cast<int64_t>(src.U64());
  rec.stale_at_ms = static_cast<int64_t>(src.U64());
  rec.json = src.String();
  std::vector<storage::RawReply> chain(src.Byte() % 5);
  for (storage::RawReply& hop : chain) {
    hop.server = src.String();
    hop.query = src.String();
    hop.text = src.String();
    hop.fetched_at_ms = static_cast<int64_t>(src.U64());
  }
  const uint64_t counter = src.U64();
  if (src.Byte() & 1) {
    rec.refresh_failures = static_cast<uint32_t>(src.U64());
    rec.refresh_after_ms = static_cast<int64_t>(src.U64());
  }

  storage::Record head;
  FUZZ_EXPECT(v,
              storage::DecodeRecordHead(storage::EncodeRecordHead(rec), &head).ok() && head == rec,
              "record head does not round-trip");
  FUZZ_EXPECT(v, Packers().HeadRoundTrips(rec), "packed record head does not round-trip");
  std::vector<storage::RawReply> decoded;
  FUZZ_EXPECT(v,
              storage::DecodeChain(storage::EncodeChain(chain), &decoded).ok() && decoded == chain,
              "chain of " + std::to_string(chain.size()) + " hops does not round-trip");
  uint64_t n = 0;
  FUZZ_EXPECT(v, storage::DecodeCounter(storage::EncodeCounter(counter), &n).ok() && n == counter,
              "counter does not round-trip");
}

}  // namespace

void CheckRecordCodec(std::string_view input, Violations* v) {
  ExpectNoException(v, [&] {
    CheckDecoders(input, v);
    CheckEncoders(input, v);
  });
}

}  // namespace fuzz
