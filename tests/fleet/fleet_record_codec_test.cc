// The fleet's record value (storage/fleet/fleet_record_codec.h): both formats, dictionaries by
// id, and values it must refuse without crashing.
#include "storage/fleet/fleet_record_codec.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

namespace storage::fleet {
namespace {

Record SampleRecord() {
  Record rec;
  rec.status = RecordStatus::kRegistered;
  rec.imported = true;
  rec.fetched_at_ms = 1700000000000;
  rec.stale_at_ms = 1700000000000 + 86400000;
  rec.refresh_failures = 3;
  rec.refresh_after_ms = 1700000005000;
  std::string json = R"({"domain":"example.com","status":"registered","registrar":"Example")";
  for (int i = 0; i < 20; ++i) json += R"(,"ns)" + std::to_string(i) + R"(":"ns.example.net")";
  rec.json = json + "}";
  rec.chain.push_back({"whois.example", "example.com", std::string(5000, 'x'), 1});
  return rec;
}

// A dictionary that shares most of SampleRecord's text.
FleetDictionary SampleDictionary(uint8_t id) {
  return {id, R"({"domain":"example.org","status":"registered","registrar":"Example","ns0":)"
              R"("ns.example.net","ns1":"ns.example.net"})"};
}

// What the fleet keeps of a record: its head without the chain and this proxy's back-off.
void ExpectSharedHead(const Record& back, const Record& rec) {
  EXPECT_EQ(back.status, rec.status);
  EXPECT_EQ(back.imported, rec.imported);
  EXPECT_EQ(back.fetched_at_ms, rec.fetched_at_ms);
  EXPECT_EQ(back.stale_at_ms, rec.stale_at_ms);
  EXPECT_EQ(back.json, rec.json);
  EXPECT_TRUE(back.chain.empty());
  EXPECT_EQ(back.refresh_failures, 0u);
  EXPECT_EQ(back.refresh_after_ms, 0);
}

TEST(FleetRecordCodecTest, RoundTripsTheHeadWithTheDictionary) {
  FleetRecordCodec codec({SampleDictionary(5)}, 5);
  EXPECT_EQ(codec.write_id(), 5);
  Record rec = SampleRecord();
  std::string value = codec.Encode(rec);
  ASSERT_GE(value.size(), 2u);
  EXPECT_EQ(static_cast<uint8_t>(value[0]), kFleetRecordDictionaryVersion);
  EXPECT_EQ(static_cast<uint8_t>(value[1]), 5);
  Record back;
  back.chain.push_back({});
  ASSERT_TRUE(codec.Decode(value, &back).ok());
  ExpectSharedHead(back, rec);
  // The dictionary is worth having: smaller than the same record compressed alone.
  FleetRecordCodec plain({}, 0);
  EXPECT_LT(value.size(), plain.Encode(rec).size());
}

TEST(FleetRecordCodecTest, WithoutADictionaryWritesFormatOne) {
  std::vector<FleetRecordCodec> codecs;
  codecs.emplace_back(std::vector<FleetDictionary>{}, 0);
  codecs.emplace_back(std::vector<FleetDictionary>{}, 3);  // names no dictionary it has
  codecs.emplace_back(std::vector<FleetDictionary>{SampleDictionary(1)}, 0);
  for (FleetRecordCodec& codec : codecs) {
    EXPECT_EQ(codec.write_id(), 0);
    Record rec = SampleRecord();
    std::string value = codec.Encode(rec);
    EXPECT_EQ(static_cast<uint8_t>(value[0]), kFleetRecordPlainVersion);
    EXPECT_LT(value.size(), rec.json.size());
    Record back;
    ASSERT_TRUE(codec.Decode(value, &back).ok());
    ExpectSharedHead(back, rec);
  }
}

// SampleRecord() as the fleet wrote it before dictionaries (format 1: EncodeFleetRecord of
// commit 15b6464, zstd level 3 with checksum): a proxy with dictionaries still reads it.
constexpr char kFormatOneValue[] =
    "0128b52ffd642d0105050062861822a0291d0fb7a0aaaa2fbf9ab0db82467649da2c2d7ebb6fbffd6ffb66cf"
    "f4ab5e953292ffffff230e8602612008fc694bdbac0cd866e48495dd72c88d3a7deb2cd459791f6fbd35327b"
    "14491b0eb6206ae5e62cf6348e58180a22e6a472616066061800734b446ef5c5ad6670abe56df5b9ad666dab"
    "856df5adad0eb5010f280c280294030a038a00e580c2802240afce1d062669aa610c33cb59a50ef43671e2";

std::string Unhex(std::string_view hex) {
  std::string out;
  for (size_t i = 0; i + 1 < hex.size(); i += 2)
    out += static_cast<char>(std::stoi(std::string(hex.substr(i, 2)), nullptr, 16));
  return out;
}

TEST(FleetRecordCodecTest, ReadsFormatOneValues) {
  FleetRecordCodec codec({SampleDictionary(1)}, 1);
  Record back;
  Status st = codec.Decode(Unhex(kFormatOneValue), &back);
  ASSERT_TRUE(st.ok()) << st.ToString();
  ExpectSharedHead(back, SampleRecord());
  // And what a proxy without a dictionary writes today.
  FleetRecordCodec old({}, 0);
  ASSERT_TRUE(codec.Decode(old.Encode(SampleRecord()), &back).ok());
  ExpectSharedHead(back, SampleRecord());
}

TEST(FleetRecordCodecTest, RefusesAnUnknownDictionarySayingWhich) {
  FleetRecordCodec writer({SampleDictionary(7)}, 7);
  FleetRecordCodec reader({SampleDictionary(1)}, 1);
  Record back;
  Status st = reader.Decode(writer.Encode(SampleRecord()), &back);
  EXPECT_TRUE(st.IsCorruption());
  EXPECT_NE(st.ToString().find("dictionary 7, which this proxy does not have"), std::string::npos)
      << st.ToString();
}

TEST(FleetRecordCodecTest, RefusesAValueReadWithOtherBytesUnderTheSameId) {
  FleetRecordCodec writer({SampleDictionary(1)}, 1);
  FleetDictionary other = SampleDictionary(1);
  other.content[12] = 'X';  // "domain":"eXample.org"
  std::reverse(other.content.begin() + 40, other.content.end());
  FleetRecordCodec reader({other}, 1);
  Record back;
  EXPECT_TRUE(reader.Decode(writer.Encode(SampleRecord()), &back).IsCorruption());
}

TEST(FleetRecordCodecTest, RefusesDamagedValuesWithoutCrashing) {
  FleetRecordCodec codec({SampleDictionary(1)}, 1);
  Record rec = SampleRecord();
  Record back;
  EXPECT_TRUE(codec.Decode("", &back).IsCorruption());
  EXPECT_TRUE(codec.Decode("\x02", &back).IsCorruption());
  EXPECT_TRUE(codec.Decode(std::string("\x09") + "zz", &back).IsCorruption());
  EXPECT_TRUE(codec.Decode(std::string("\x01") + "not zstd at all", &back).IsCorruption());
  EXPECT_TRUE(codec.Decode(std::string("\x02\x01") + "not zstd at all", &back).IsCorruption());
  for (uint8_t id : {0, 1}) {
    FleetRecordCodec writer({SampleDictionary(1)}, id);
    std::string value = writer.Encode(rec);
    for (size_t cut = 0; cut < value.size(); ++cut)
      EXPECT_TRUE(codec.Decode(value.substr(0, cut), &back).IsCorruption()) << cut;
    EXPECT_TRUE(codec.Decode(value + "x", &back).IsCorruption());
    // The frame's checksum: a damaged byte anywhere is refused, or (in a field zstd ignores)
    // decodes to the record itself, never to another one.
    for (size_t i = 0; i < value.size(); ++i) {
      for (uint8_t mask : {0x01, 0x10, 0x80, 0xff}) {
        std::string damaged = value;
        damaged[i] = static_cast<char>(damaged[i] ^ mask);
        if (codec.Decode(damaged, &back).ok()) {
          EXPECT_EQ(back.json, rec.json) << "byte " << i << " mask " << int(mask);
        }
      }
    }
  }
}

}  // namespace
}  // namespace storage::fleet
