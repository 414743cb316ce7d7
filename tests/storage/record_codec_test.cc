#include "storage/record_codec.h"

#include <gtest/gtest.h>

#include <random>

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
  v[0] = 3;
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

TEST(RecordCodecTest, Counter) {
  uint64_t n = 0;
  ASSERT_TRUE(DecodeCounter(EncodeCounter(123456789012345ull), &n).ok());
  EXPECT_EQ(n, 123456789012345ull);
  EXPECT_TRUE(DecodeCounter("1234567", &n).IsCorruption());
  EXPECT_TRUE(DecodeCounter("123456789", &n).IsCorruption());
}

}  // namespace
}  // namespace storage
