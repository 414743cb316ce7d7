// The record dictionary the fleet writes with (whois/record/record_dictionary.h): its bytes are
// pinned, and it makes real-shaped records small in Redis.
#include <gtest/gtest.h>

#include <cstdio>
#include <string>

#include "storage/fleet/fleet_record_codec.h"
#include "tests/support/sample_records.h"
#include "tests/support/shared_data.h"
#include "whois/record/record.h"
#include "whois/record/record_dictionary.h"

namespace storage::fleet {
namespace {

uint64_t Fnv1a64(std::string_view s) {
  uint64_t h = 14695981039346656037ull;
  for (unsigned char c : s) h = (h ^ c) * 1099511628211ull;
  return h;
}

FleetRecordCodec DictionaryCodec() {
  return FleetRecordCodec({{whois::kRecordDictionaryId, whois::RecordDictionaryText()}},
                          whois::kRecordDictionaryId);
}

Record RecordWithJson(std::string json) {
  Record rec;
  rec.fetched_at_ms = 1785000000000;
  rec.stale_at_ms = rec.fetched_at_ms + 30ll * 86400000;
  rec.json = std::move(json);
  return rec;
}

// Values in Redis name the dictionary by id, so its bytes must never change: a fleet whose
// proxies built different texts for one id could not read each other's records.
TEST(FleetRecordDictionaryTest, TextIsPinned) {
  std::string text = whois::RecordDictionaryText();
  EXPECT_EQ(text, whois::RecordDictionaryText());
  EXPECT_GT(text.size(), 4000u);
  EXPECT_LT(text.size(), 32000u);
  // Changed the text (or ToJson's output for it)? Then it is another dictionary: give it a new
  // id and keep this one for reading (see record_dictionary.h).
  EXPECT_EQ(Fnv1a64(text), 8433601924686818435ull) << "size " << text.size();
}

// A record made up here, not copied into the dictionary: other names, dates, addresses and name
// servers; only the registrar and the shape are common ones.
whois::WhoisRecord MadeUpRecord() {
  whois::WhoisRecord rec;
  rec.domain = "kaffeebohnen-roesterei.com";
  rec.status = "registered";
  rec.created = "2011-08-23T17:45:02Z";
  rec.updated = "2025-07-30T04:12:55Z";
  rec.expires = "2026-08-23T17:45:02Z";
  rec.registrar = {"NameCheap, Inc.",           "1068",
                   "https://www.namecheap.com", "whois.namecheap.com",
                   "abuse@namecheap.com",       "+1.6613102107"};
  rec.registrant = {"", "Roesterei Lindner e.K.", "", "", "Bayern", "", "DE", "", ""};
  rec.nameservers = {"dns1.registrar-servers.com", "dns2.registrar-servers.com"};
  rec.domain_status = {"clientTransferProhibited"};
  rec.dnssec = "unsigned";
  rec.redacted = {"registrant.name",        "registrant.street", "registrant.city",
                  "registrant.postal_code", "registrant.phone",  "registrant.email"};
  rec.country = "DE";
  rec.country_source = "registrant";
  rec.source_protocol = "whois";
  rec.source_servers = {"whois.verisign-grs.com", "whois.namecheap.com"};
  rec.fetched_at = "2026-07-14T10:03:41Z";
  return rec;
}

TEST(FleetRecordDictionaryTest, AMadeUpRecordIsSmallInRedis) {
  FleetRecordCodec codec = DictionaryCodec();
  Record rec = RecordWithJson(whois::ToJson(MadeUpRecord()));
  std::string value = codec.Encode(rec);
  std::string plain = FleetRecordCodec({}, 0).Encode(rec);
  std::printf("JSON %zu B, value %zu B with the dictionary, %zu B without\n", rec.json.size(),
              value.size(), plain.size());
  // 197 B when written; without the dictionary 512 B.
  EXPECT_LE(value.size(), 260u);
  EXPECT_LT(value.size() * 2, plain.size());
  Record back;
  ASSERT_TRUE(codec.Decode(value, &back).ok());
  EXPECT_EQ(back.json, rec.json);
}

// The bound the fleet's memory target rests on, over real replies parsed by the project's
// parser (the same records bench/fleet.sh's bytes part loads).
TEST(FleetRecordDictionaryTest, RealRecordsAreSmallInRedis) {
  std::string missing = test_support::SharedDataMissing("whois-samples");
  if (!missing.empty()) GTEST_SKIP() << missing;
  std::vector<std::string> records =
      test_support::RegisteredSampleRecords(test_support::SharedDataPath("whois-samples"));
  ASSERT_GT(records.size(), 500u);
  FleetRecordCodec codec = DictionaryCodec();
  FleetRecordCodec plain_codec({}, 0);
  size_t json = 0, value = 0, plain = 0, largest = 0;
  for (const std::string& j : records) {
    Record rec = RecordWithJson(j);
    std::string v = codec.Encode(rec);
    json += j.size();
    value += v.size();
    largest = std::max(largest, v.size());
    plain += plain_codec.Encode(rec).size();
    Record back;
    ASSERT_TRUE(codec.Decode(v, &back).ok());
    ASSERT_EQ(back.json, j);
  }
  size_t n = records.size();
  std::printf(
      "%zu records: JSON %zu B, value %zu B with the dictionary, %zu B without (mean); "
      "largest value %zu B\n",
      n, json / n, value / n, plain / n, largest);
  // 241 B (JSON 772 B) when written, 426 B without the dictionary; jemalloc then serves the
  // value from its 256-byte class instead of 448, the record's largest share of Redis memory.
  EXPECT_LE(value / n, 280u);
  EXPECT_LT(value * 3, plain * 2);
}

}  // namespace
}  // namespace storage::fleet
