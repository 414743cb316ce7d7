#include "storage/dictionary_compressor.h"

#include <gtest/gtest.h>

#include <string>

namespace storage {
namespace {

// Record-like text: what a dictionary of typical records holds, and a record that shares its
// field names and common values but not its own names and dates.
std::string Dictionary() {
  std::string d;
  for (int i = 0; i < 20; ++i)
    d += R"({"domain":"example)" + std::to_string(i) +
         R"(.com","status":"registered","registrar":{"name":"Example Registrar, Inc.",)"
         R"("abuse_email":"abuse@registrar.example"},"nameservers":["ns1.hosting.example",)"
         R"("ns2.hosting.example"],"domain_status":["clientTransferProhibited"]})";
  return d;
}
const std::string kRecord =
    R"({"domain":"owner-of-this.org","status":"registered","created":"2011-07-04T12:00:00Z",)"
    R"("registrar":{"name":"Example Registrar, Inc.","abuse_email":"abuse@registrar.example"},)"
    R"("nameservers":["ns1.hosting.example","ns2.hosting.example"],)"
    R"("domain_status":["clientTransferProhibited"]})";

TEST(DictionaryCompressorTest, RoundTripsWithAndWithoutADictionary) {
  for (bool with_dictionary : {false, true}) {
    SCOPED_TRACE(with_dictionary ? "dictionary" : "none");
    DictionaryCompressor c(with_dictionary ? Dictionary() : "", 1, /*checksum=*/false);
    ASSERT_TRUE(c.ok());
    std::string out = "prefix:";
    ASSERT_TRUE(c.DecompressTo(c.Compress(kRecord), 1 << 20, &out).ok());
    EXPECT_EQ(out, "prefix:" + kRecord);  // appended, not replaced
    std::string empty;
    ASSERT_TRUE(c.DecompressTo(c.Compress(""), 1 << 20, &empty).ok());
    EXPECT_EQ(empty, "");
  }
}

// Raw literals change how a frame is made, not how it is read: any compressor with the same
// dictionary reads it.
TEST(DictionaryCompressorTest, FramesWithRawLiteralsAreReadByEveryCompressorOfTheDictionary) {
  DictionaryCompressor raw(Dictionary(), 3, /*checksum=*/false, /*raw_literals=*/true);
  DictionaryCompressor coded(Dictionary(), 3, /*checksum=*/false);
  // Enough text the dictionary does not hold for zstd to code literals when it may.
  std::string text = kRecord;
  for (int i = 0; i < 40; ++i) text += "remark " + std::to_string(i * 7919) + " qzv;";
  const std::string raw_frame = raw.Compress(text);
  const std::string coded_frame = coded.Compress(text);
  EXPECT_GT(raw_frame.size(), coded_frame.size());
  for (DictionaryCompressor* reader : {&raw, &coded}) {
    for (const std::string* frame : {&raw_frame, &coded_frame}) {
      std::string out;
      ASSERT_TRUE(reader->DecompressTo(*frame, 1 << 20, &out).ok());
      EXPECT_EQ(out, text);
    }
  }
}

TEST(DictionaryCompressorTest, ADictionaryOfTypicalTextMakesARecordSmaller) {
  DictionaryCompressor plain("", 1, false);
  DictionaryCompressor dict(Dictionary(), 1, false);
  const size_t without = plain.Compress(kRecord).size();
  const size_t with = dict.Compress(kRecord).size();
  EXPECT_LT(with * 2, without) << "without " << without << " B, with " << with << " B";
}

// Values are kept for long (the hot set): a compressed one must not hold the allocation of the
// worst case it was compressed into.
TEST(DictionaryCompressorTest, ACompressedValueHoldsNoMoreMemoryThanItsBytes) {
  DictionaryCompressor c(Dictionary(), 1, false);
  const std::string frame = c.Compress(kRecord);
  ASSERT_LT(frame.size() * 2, kRecord.size());
  EXPECT_LT(frame.capacity(), kRecord.size()) << frame.size() << " bytes in " << frame.capacity();
}

TEST(DictionaryCompressorTest, DamageIsRefusedAndLeavesTheOutputAlone) {
  DictionaryCompressor c(Dictionary(), 1, /*checksum=*/true);
  const std::string frame = c.Compress(kRecord);
  std::string out = "kept";
  // Cut anywhere, or one byte changed anywhere: refused (the checksum catches what zstd's
  // format does not).
  for (size_t i = 0; i < frame.size(); ++i) {
    EXPECT_FALSE(c.DecompressTo(frame.substr(0, i), 1 << 20, &out).ok()) << "cut at " << i;
    std::string bad = frame;
    bad[i] = static_cast<char>(bad[i] ^ 0x20);
    EXPECT_FALSE(c.DecompressTo(bad, 1 << 20, &out).ok()) << "byte " << i;
  }
  EXPECT_FALSE(c.DecompressTo(frame + "x", 1 << 20, &out).ok());  // trailing bytes
  EXPECT_FALSE(c.DecompressTo("not zstd", 1 << 20, &out).ok());
  EXPECT_EQ(out, "kept");
}

TEST(DictionaryCompressorTest, AFrameLargerThanAllowedIsRefused) {
  DictionaryCompressor c("", 1, false);
  std::string out;
  Status st = c.DecompressTo(c.Compress(std::string(1000, 'a')), 999, &out);
  EXPECT_TRUE(st.IsCorruption()) << st.ToString();
  EXPECT_TRUE(out.empty());
  EXPECT_TRUE(c.DecompressTo(c.Compress(std::string(1000, 'a')), 1000, &out).ok());
}

TEST(DictionaryCompressorTest, AFrameMadeWithAnotherDictionaryIsRefusedWhenChecksummed) {
  DictionaryCompressor a(Dictionary(), 1, /*checksum=*/true);
  DictionaryCompressor b(Dictionary() + "other text", 1, /*checksum=*/true);
  std::string out;
  EXPECT_FALSE(b.DecompressTo(a.Compress(kRecord), 1 << 20, &out).ok());
  EXPECT_TRUE(out.empty());
}

}  // namespace
}  // namespace storage
