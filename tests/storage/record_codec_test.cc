#include "storage/record_codec.h"

#include <gtest/gtest.h>

#include <random>

#include "storage/dictionary_compressor.h"

namespace storage {
namespace {

Record SampleRecord() {
  Record r;
  r.status = RecordStatus::kFallback;
  r.imported = true;
  r.fetched_at_ms = 1700000000123;
  r.stale_at_ms = -5;  // any int64 survives
  r.json = R"({"domain":"example.com","status":"fallback"})";
  return r;
}

std::vector<RawReply> SampleChain() {
  return {{"whois.iana.org", "example.com", "refer: whois.verisign-grs.com\n", 1},
          {"whois.verisign-grs.com", "example.com", std::string("bin\0ary\xff", 8), 2},
          {"", "", "", -1}};
}

TEST(RecordCodecTest, HeadRoundTrip) {
  Record in = SampleRecord();
  Record out;
  ASSERT_TRUE(DecodeRecordHead(EncodeRecordHead(in), &out).ok());
  EXPECT_EQ(in, out);
}

TEST(RecordCodecTest, HeadIgnoresChain) {
  Record in = SampleRecord();
  in.chain = SampleChain();
  Record out;
  ASSERT_TRUE(DecodeRecordHead(EncodeRecordHead(in), &out).ok());
  EXPECT_TRUE(out.chain.empty());
  EXPECT_EQ(out.json, in.json);
}

TEST(RecordCodecTest, HeadWithEmptyJson) {
  Record in;
  in.status = RecordStatus::kNotFound;
  Record out;
  ASSERT_TRUE(DecodeRecordHead(EncodeRecordHead(in), &out).ok());
  EXPECT_EQ(in, out);
}

TEST(RecordCodecTest, HeadRejectsTruncation) {
  std::string enc = EncodeRecordHead(SampleRecord());
  // Any cut inside the fixed header is corrupt (a cut inside the JSON cannot be detected here;
  // LevelDB's block checksums cover that).
  for (size_t n = 0; n < 19; ++n) {
    Record out;
    Status st = DecodeRecordHead(std::string_view(enc).substr(0, n), &out);
    EXPECT_TRUE(st.IsCorruption()) << n << ": " << st.ToString();
  }
}

TEST(RecordCodecTest, HeadRejectsBadVersionStatusFlags) {
  std::string enc = EncodeRecordHead(SampleRecord());
  Record out;
  std::string v = enc;
  v[0] = 4;
  EXPECT_TRUE(DecodeRecordHead(v, &out).IsCorruption());
  v = enc;
  v[1] = 0;
  EXPECT_TRUE(DecodeRecordHead(v, &out).IsCorruption());
  v[1] = 4;
  EXPECT_TRUE(DecodeRecordHead(v, &out).IsCorruption());
  v = enc;
  v[2] = 0x02;
  EXPECT_TRUE(DecodeRecordHead(v, &out).IsCorruption());
}

TEST(RecordCodecTest, HeadWithRefreshBackOffRoundTripsAsVersionTwo) {
  Record in = SampleRecord();
  in.refresh_failures = 7;
  in.refresh_after_ms = 1700000600000;
  std::string enc = EncodeRecordHead(in);
  EXPECT_EQ(enc[0], 2);
  EXPECT_EQ(enc.size(), EncodeRecordHead(SampleRecord()).size() + 12);
  Record out;
  ASSERT_TRUE(DecodeRecordHead(enc, &out).ok());
  EXPECT_EQ(in, out);
  // Without a back-off the head keeps version 1's bytes, so existing stores read the same.
  EXPECT_EQ(EncodeRecordHead(SampleRecord())[0], 1);
}

TEST(RecordCodecTest, HeadVersionTwoRejectsTruncationAndAnEmptyBackOff) {
  Record in = SampleRecord();
  in.json.clear();
  in.refresh_failures = 1;
  std::string enc = EncodeRecordHead(in);
  for (size_t n = 19; n < enc.size(); ++n) {
    Record out;
    EXPECT_TRUE(DecodeRecordHead(std::string_view(enc).substr(0, n), &out).IsCorruption()) << n;
  }
  // A version 2 head whose back-off is empty has a shorter encoding: not one we write.
  std::string zero = enc;
  zero[19] = 0;
  Record out;
  EXPECT_TRUE(DecodeRecordHead(zero, &out).IsCorruption());
}

TEST(RecordCodecTest, ChainRoundTrip) {
  std::vector<RawReply> out;
  ASSERT_TRUE(DecodeChain(EncodeChain(SampleChain()), &out).ok());
  EXPECT_EQ(out, SampleChain());
  ASSERT_TRUE(DecodeChain(EncodeChain({}), &out).ok());
  EXPECT_TRUE(out.empty());
}

TEST(RecordCodecTest, ChainLongTextRoundTrip) {
  std::vector<RawReply> in = {{"s", "q", std::string(300000, 'x'), 7}};
  std::vector<RawReply> out;
  ASSERT_TRUE(DecodeChain(EncodeChain(in), &out).ok());
  EXPECT_EQ(out, in);
}

TEST(RecordCodecTest, ChainRejectsEveryTruncationAndTrailingBytes) {
  std::string enc = EncodeChain(SampleChain());
  for (size_t n = 0; n < enc.size(); ++n) {
    std::vector<RawReply> out;
    EXPECT_TRUE(DecodeChain(std::string_view(enc).substr(0, n), &out).IsCorruption()) << n;
  }
  std::vector<RawReply> out;
  EXPECT_TRUE(DecodeChain(enc + "x", &out).IsCorruption());
}

TEST(RecordCodecTest, ChainRejectsHugeHopCount) {
  std::string v = "\x01\xff\xff\xff\xff\x0f";  // version 1, ~4 billion hops, no data
  std::vector<RawReply> out;
  EXPECT_TRUE(DecodeChain(v, &out).IsCorruption());
  v = std::string("\x01") + std::string(11, '\xff');  // an over-long varint
  EXPECT_TRUE(DecodeChain(v, &out).IsCorruption());
}

TEST(RecordCodecTest, RandomValuesNeverCrash) {
  std::mt19937_64 rng(42);
  std::string head = EncodeRecordHead(SampleRecord());
  std::string chain = EncodeChain(SampleChain());
  for (int i = 0; i < 20000; ++i) {
    std::string v;
    if (i % 3 == 0) {
      v.resize(rng() % 64);
      for (char& c : v) c = static_cast<char>(rng());
    } else {
      // Flip a few bytes of a valid value, and maybe cut it.
      v = (i % 3 == 1) ? head : chain;
      for (int k = 0; k < 3; ++k) v[rng() % v.size()] = static_cast<char>(rng());
      if (rng() % 2) v.resize(rng() % (v.size() + 1));
    }
    Record r;
    std::vector<RawReply> c;
    uint64_t n;
    (void)DecodeRecordHead(v, &r);
    (void)DecodeChain(v, &c);
    (void)DecodeCounter(v, &n);
  }
}

// A dictionary of record-like text, and the compressors of packed values.
std::string PackDictionary() {
  std::string d;
  for (int i = 0; i < 10; ++i)
    d += R"({"domain":"example)" + std::to_string(i) + R"(.com","status":"fallback"})";
  return d;
}

struct Packers {
  DictionaryCompressor dictionary{PackDictionary(), 3, /*checksum=*/false, /*raw_literals=*/true};
  DictionaryCompressor other{"another dictionary's text", 3, false};
  DictionaryCompressor plain{"", 1, false};
  // Knows the dictionary as id 5 only.
  HeadDictionaries known() {
    return [this](uint8_t id) { return id == 5 ? &dictionary : nullptr; };
  }
};

TEST(RecordCodecTest, PackedHeadRoundTripsEveryFieldAndIsSmaller) {
  Packers p;
  Record in = SampleRecord();
  in.json = std::string(R"({"domain":"example3.com","status":"fallback",)") + "\"x\":1}";
  for (uint32_t failures : {0u, 3u}) {
    in.refresh_failures = failures;
    in.refresh_after_ms = failures ? 1700000600000 : 0;
    std::string enc;
    ASSERT_TRUE(EncodePackedRecordHead(in, 5, p.dictionary, &enc));
    EXPECT_EQ(static_cast<uint8_t>(enc[0]), kPackedHeadVersion);
    EXPECT_LT(enc.size(), EncodeRecordHead(in).size());
    Record out;
    ASSERT_TRUE(DecodeRecordHead(enc, &out, p.known()).ok());
    EXPECT_EQ(in, out);
  }
  // An empty JSON too.
  Record empty;
  std::string enc;
  ASSERT_TRUE(EncodePackedRecordHead(empty, 5, p.dictionary, &enc));
  Record out = SampleRecord();
  ASSERT_TRUE(DecodeRecordHead(enc, &out, p.known()).ok());
  EXPECT_EQ(out, empty);
}

TEST(RecordCodecTest, APackedHeadNeedsItsDictionary) {
  Packers p;
  std::string enc;
  ASSERT_TRUE(EncodePackedRecordHead(SampleRecord(), 5, p.dictionary, &enc));
  Record out;
  Status st = DecodeRecordHead(enc, &out);  // no dictionaries at all
  EXPECT_TRUE(st.IsCorruption());
  EXPECT_NE(st.message().find("dictionary 5"), std::string::npos) << st.ToString();
  // An id it does not know.
  std::string other;
  ASSERT_TRUE(EncodePackedRecordHead(SampleRecord(), 6, p.other, &other));
  st = DecodeRecordHead(other, &out, p.known());
  EXPECT_TRUE(st.IsCorruption()) << st.ToString();
  EXPECT_NE(st.message().find("dictionary 6"), std::string::npos) << st.ToString();
}

TEST(RecordCodecTest, PackedHeadRejectsEveryTruncationAndDamage) {
  Packers p;
  std::string enc;
  ASSERT_TRUE(EncodePackedRecordHead(SampleRecord(), 5, p.dictionary, &enc));
  for (size_t n = 0; n < enc.size(); ++n) {
    Record out;
    EXPECT_TRUE(
        DecodeRecordHead(std::string_view(enc).substr(0, n), &out, p.known()).IsCorruption())
        << n;
  }
  std::mt19937_64 rng(7);
  for (int i = 0; i < 2000; ++i) {
    std::string v = enc;
    for (int k = 0; k < 2; ++k) v[32 + rng() % (v.size() - 32)] = static_cast<char>(rng());
    Record out;
    Status st = DecodeRecordHead(v, &out, p.known());
    EXPECT_TRUE(st.ok() || st.IsCorruption()) << st.ToString();
  }
}

TEST(RecordCodecTest, PackedChainRoundTripsAndNeedsItsCompressor) {
  Packers p;
  std::vector<RawReply> in = SampleChain();
  in.push_back({"whois.example", "q", std::string(5000, 'y'), 9});
  std::string enc;
  ASSERT_TRUE(EncodePackedChain(in, p.plain, &enc));
  EXPECT_EQ(static_cast<uint8_t>(enc[0]), kPackedChainVersion);
  EXPECT_LT(enc.size(), EncodeChain(in).size() / 4);
  std::vector<RawReply> out;
  ASSERT_TRUE(DecodeChain(enc, &out, &p.plain).ok());
  EXPECT_EQ(out, in);
  EXPECT_TRUE(DecodeChain(enc, &out).IsCorruption());
  for (size_t n = 1; n < enc.size(); ++n)
    EXPECT_TRUE(DecodeChain(std::string_view(enc).substr(0, n), &out, &p.plain).IsCorruption())
        << n;
  // A packed chain holds a version-1 chain, never another packed one.
  std::string nested(1, static_cast<char>(kPackedChainVersion));
  ASSERT_TRUE(p.plain.CompressTo(enc, &nested));
  EXPECT_TRUE(DecodeChain(nested, &out, &p.plain).IsCorruption());
}

TEST(RecordCodecTest, Counter) {
  uint64_t n = 0;
  ASSERT_TRUE(DecodeCounter(EncodeCounter(123456789012345ull), &n).ok());
  EXPECT_EQ(n, 123456789012345ull);
  EXPECT_TRUE(DecodeCounter("1234567", &n).IsCorruption());
  EXPECT_TRUE(DecodeCounter("123456789", &n).IsCorruption());
}

}  // namespace
}  // namespace storage
