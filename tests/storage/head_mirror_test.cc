#include "storage/head_mirror.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <csignal>
#include <cstdint>
#include <cstdlib>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

#include "storage/key_hash.h"
#include "tests/support/temp_dir.h"

namespace storage {
namespace {

using test_support::TempDir;
using Location = MirrorIndex::Location;
using Heads = std::vector<std::pair<std::string, std::string>>;

// ---- The record format ----

// The bytes of a record before its padding.
size_t UnpaddedSize(std::string_view domain, std::string_view value) {
  return kMirrorHeaderBytes + domain.size() + value.size();
}

std::string Encoded(std::string_view domain, std::string_view value) {
  std::string out;
  EXPECT_TRUE(EncodeMirrorRecord(domain, value, &out));
  return out;
}

TEST(MirrorRecordTest, RoundTripsDomainAndValueOfManySizes) {
  // The largest value whose padded record still fits kMirrorMaxRecordBytes with a 10-byte domain.
  const size_t largest = kMirrorMaxRecordBytes - kMirrorHeaderBytes - 10;
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"example.com", ""},
      {"a.b", "x"},
      {"example.org", std::string(2, 'v')},
      {"example.net", std::string(3, '\0')},
      {"example.de", std::string(350, 'h')},
      {std::string(255, 'd'), "value under the longest domain"},
      {std::string(255, 'd'), ""},
      {"", "a value without a domain"},
      {"abcdefghij", std::string(largest, 'm')},
      {"abcdefghij", std::string(largest - 1, 'm')},
  };
  for (const auto& [domain, value] : cases) {
    SCOPED_TRACE("domain " + std::to_string(domain.size()) + " value " +
                 std::to_string(value.size()));
    std::string out;
    ASSERT_TRUE(EncodeMirrorRecord(domain, value, &out));
    EXPECT_EQ(out.size() % kMirrorAlign, 0u);
    EXPECT_GE(out.size(), UnpaddedSize(domain, value));
    EXPECT_LT(out.size(), UnpaddedSize(domain, value) + kMirrorAlign);
    EXPECT_LE(out.size(), kMirrorMaxRecordBytes);
    std::optional<std::string_view> got = DecodeMirrorRecord(out, domain);
    ASSERT_TRUE(got.has_value());
    EXPECT_EQ(*got, value);
  }
}

TEST(MirrorRecordTest, AppendsAfterWhatTheOutputHolds) {
  std::string out = "prefix";
  ASSERT_TRUE(EncodeMirrorRecord("example.com", "head", &out));
  EXPECT_EQ(out.substr(0, 6), "prefix");
  EXPECT_EQ((out.size() - 6) % kMirrorAlign, 0u);
  std::optional<std::string_view> got =
      DecodeMirrorRecord(std::string_view(out).substr(6), "example.com");
  ASSERT_TRUE(got.has_value());
  EXPECT_EQ(*got, "head");
}

TEST(MirrorRecordTest, RefusesADomainOrValueTooLongAndAppendsNothing) {
  std::string out = "kept";
  EXPECT_FALSE(EncodeMirrorRecord(std::string(256, 'd'), "v", &out));
  EXPECT_EQ(out, "kept");
  // One byte more than the largest value that fits.
  const size_t largest = kMirrorMaxRecordBytes - kMirrorHeaderBytes - 10;
  EXPECT_FALSE(EncodeMirrorRecord("abcdefghij", std::string(largest + 1, 'm'), &out));
  EXPECT_EQ(out, "kept");
  EXPECT_FALSE(EncodeMirrorRecord("abcdefghij", std::string(kMirrorMaxRecordBytes, 'm'), &out));
  EXPECT_EQ(out, "kept");
}

TEST(MirrorRecordTest, DecodingAnotherDomainsRecordFails) {
  const std::string record = Encoded("example.com", "head");
  EXPECT_FALSE(DecodeMirrorRecord(record, "example.org").has_value());
  EXPECT_FALSE(DecodeMirrorRecord(record, "example.co").has_value());
  EXPECT_FALSE(DecodeMirrorRecord(record, "").has_value());
  EXPECT_FALSE(DecodeMirrorRecord(record, "EXAMPLE.COM").has_value());
  EXPECT_FALSE(DecodeMirrorRecord("", "example.com").has_value());
}

TEST(MirrorRecordTest, EveryChangedByteBeforeThePaddingFailsToDecode) {
  for (const auto& [domain, value] : std::vector<std::pair<std::string, std::string>>{
           {"example.com", "a head of some bytes"}, {"x.io", ""}, {std::string(255, 'd'), "v"}}) {
    const std::string record = Encoded(domain, value);
    for (size_t i = 0; i < UnpaddedSize(domain, value); ++i) {
      for (unsigned char mask : {0x01, 0x10, 0x80, 0xff}) {
        std::string damaged = record;
        damaged[i] = static_cast<char>(static_cast<unsigned char>(damaged[i]) ^ mask);
        EXPECT_FALSE(DecodeMirrorRecord(damaged, domain).has_value())
            << "byte " << i << " ^ " << int{mask} << " of " << domain.size() << "+" << value.size();
      }
    }
  }
}

TEST(MirrorRecordTest, EveryTruncationIntoTheRecordFails) {
  const std::string domain = "example.com";
  const std::string value = "a head that is not a multiple of sixteen!";
  const std::string record = Encoded(domain, value);
  ASSERT_GT(record.size(), UnpaddedSize(domain, value));  // the case has padding
  for (size_t n = 0; n < UnpaddedSize(domain, value); ++n)
    EXPECT_FALSE(DecodeMirrorRecord(record.substr(0, n), domain).has_value()) << "length " << n;
  // The padding is not part of the record: without it the record is still whole.
  const std::string unpadded = record.substr(0, UnpaddedSize(domain, value));
  std::optional<std::string_view> whole = DecodeMirrorRecord(unpadded, domain);
  ASSERT_TRUE(whole.has_value());
  EXPECT_EQ(*whole, value);
}

// ---- The index ----

// With 16 slots (the smallest index) a hash's home is its top 4 bits; its fingerprint is its
// low 20 bits.
constexpr size_t kSmall = 16;
uint64_t SmallHash(uint64_t home, uint64_t fingerprint) { return (home << 60) | fingerprint; }

bool SameLocation(const Location& a, const Location& b) {
  return a.offset == b.offset && a.length == b.length;
}

std::vector<Location> FindAll(const MirrorIndex& index, uint64_t hash) {
  std::vector<Location> out(8);
  out.resize(index.Find(hash, out.data(), out.size()));
  return out;
}

TEST(MirrorIndexTest, FindsWhatPutStored) {
  MirrorIndex index(1000);
  EXPECT_EQ(index.slots(), 1000u);
  EXPECT_EQ(index.memory_bytes(), 1000u * 8);
  uint64_t freed = 0;
  const uint64_t a = KeyHash("a.example");
  const uint64_t b = KeyHash("b.example");
  EXPECT_TRUE(FindAll(index, a).empty());
  ASSERT_TRUE(index.Put(a, {160, 48}, &freed));
  ASSERT_TRUE(index.Put(b, {0, 16}, &freed));
  EXPECT_EQ(freed, 0u);
  std::vector<Location> got = FindAll(index, a);
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].offset, 160u);
  EXPECT_EQ(got[0].length, 48u);
  got = FindAll(index, b);
  ASSERT_EQ(got.size(), 1u);
  EXPECT_TRUE(SameLocation(got[0], {0, 16}));
  EXPECT_TRUE(FindAll(index, KeyHash("c.example")).empty());
  EXPECT_EQ(index.entries(), 2u);
  EXPECT_EQ(index.used(), 2u);
}

TEST(MirrorIndexTest, HasAtLeastSixteenSlots) {
  MirrorIndex index(0);
  EXPECT_EQ(index.slots(), 16u);
  uint64_t freed = 0;
  EXPECT_TRUE(index.Put(1, {16, 16}, &freed));
  EXPECT_EQ(FindAll(index, 1).size(), 1u);
}

TEST(MirrorIndexTest, PutOfTheSameHashReplacesAndReportsTheOldLength) {
  MirrorIndex index(1000);
  const uint64_t h = KeyHash("example.com");
  uint64_t freed = 0;
  ASSERT_TRUE(index.Put(h, {0, 64}, &freed));
  ASSERT_TRUE(index.Put(h, {64, 32}, &freed));
  EXPECT_EQ(freed, 64u);
  std::vector<Location> got = FindAll(index, h);
  ASSERT_EQ(got.size(), 1u);
  EXPECT_TRUE(SameLocation(got[0], {64, 32}));
  EXPECT_EQ(index.entries(), 1u);
  // *freed grows: it is not reset by Put.
  ASSERT_TRUE(index.Put(h, {96, 16}, &freed));
  EXPECT_EQ(freed, 64u + 32u);
  EXPECT_EQ(index.entries(), 1u);
}

TEST(MirrorIndexTest, EraseRemovesAndReturnsTheFreedLength) {
  MirrorIndex index(1000);
  const uint64_t h = KeyHash("example.com");
  const uint64_t other = KeyHash("example.org");
  uint64_t freed = 0;
  ASSERT_TRUE(index.Put(h, {0, 80}, &freed));
  ASSERT_TRUE(index.Put(other, {80, 16}, &freed));
  EXPECT_EQ(index.Erase(h), 80u);
  EXPECT_TRUE(FindAll(index, h).empty());
  EXPECT_EQ(FindAll(index, other).size(), 1u);
  EXPECT_EQ(index.entries(), 1u);
  EXPECT_EQ(index.used(), 2u);  // the erased slot is a tombstone
  EXPECT_EQ(index.Erase(h), 0u);
  EXPECT_EQ(index.Erase(KeyHash("never.put")), 0u);
  EXPECT_EQ(index.entries(), 1u);
}

TEST(MirrorIndexTest, SameFingerprintAndHomeKeepsOneSlot) {
  MirrorIndex index(kSmall);
  const uint64_t a = SmallHash(5, 0xabcde);
  const uint64_t b = SmallHash(5, 0xabcde) | (uint64_t{1} << 40);  // same home and fingerprint
  ASSERT_NE(a, b);
  uint64_t freed = 0;
  ASSERT_TRUE(index.Put(a, {0, 32}, &freed));
  // b's slot would be a's candidate and a's b's: the Put of b drops a's slot (documented).
  ASSERT_TRUE(index.Put(b, {32, 48}, &freed));
  EXPECT_EQ(freed, 32u);
  EXPECT_EQ(index.entries(), 1u);
  for (uint64_t h : {a, b}) {
    std::vector<Location> got = FindAll(index, h);
    ASSERT_EQ(got.size(), 1u);
    EXPECT_TRUE(SameLocation(got[0], {32, 48}));
  }
  EXPECT_EQ(index.Erase(a), 48u);  // the erase of either removes the shared fingerprint's slot
  EXPECT_TRUE(FindAll(index, b).empty());
  EXPECT_EQ(index.entries(), 0u);
}

TEST(MirrorIndexTest, SameFingerprintFurtherOnTheSequenceIsACandidateInProbeOrder) {
  MirrorIndex index(kSmall);
  const uint64_t a = SmallHash(5, 0x12345);
  const uint64_t b = SmallHash(6, 0x12345);  // home on a's sequence, after a's slot
  uint64_t freed = 0;
  ASSERT_TRUE(index.Put(a, {0, 32}, &freed));
  ASSERT_TRUE(index.Put(b, {32, 48}, &freed));
  EXPECT_EQ(freed, 0u);
  EXPECT_EQ(index.entries(), 2u);
  std::vector<Location> got = FindAll(index, a);
  ASSERT_EQ(got.size(), 2u);
  EXPECT_TRUE(SameLocation(got[0], {0, 32}));
  EXPECT_TRUE(SameLocation(got[1], {32, 48}));
  Location one[1];
  EXPECT_EQ(index.Find(a, one, 1), 1u);  // never more than `max`
  EXPECT_TRUE(SameLocation(one[0], {0, 32}));
  got = FindAll(index, b);
  ASSERT_EQ(got.size(), 1u);
  EXPECT_TRUE(SameLocation(got[0], {32, 48}));
  // A Put of a removes every slot of its fingerprint on its sequence: b's too.
  ASSERT_TRUE(index.Put(a, {80, 16}, &freed));
  EXPECT_EQ(freed, 32u + 48u);
  EXPECT_EQ(index.entries(), 1u);
  EXPECT_TRUE(FindAll(index, b).empty());  // b is read from LevelDB
  got = FindAll(index, a);
  ASSERT_EQ(got.size(), 1u);
  EXPECT_TRUE(SameLocation(got[0], {80, 16}));
}

TEST(MirrorIndexTest, TombstonesKeepProbeSequencesWhole) {
  for (uint64_t home : {uint64_t{3}, uint64_t{15}}) {  // 15: the sequence wraps to slot 0
    SCOPED_TRACE("home " + std::to_string(home));
    MirrorIndex index(kSmall);
    const uint64_t a = SmallHash(home, 1);
    const uint64_t b = SmallHash(home, 2);
    const uint64_t c = SmallHash(home, 3);
    uint64_t freed = 0;
    ASSERT_TRUE(index.Put(a, {0, 16}, &freed));
    ASSERT_TRUE(index.Put(b, {16, 16}, &freed));
    ASSERT_TRUE(index.Put(c, {32, 16}, &freed));
    EXPECT_EQ(index.Erase(b), 16u);
    std::vector<Location> got = FindAll(index, c);
    ASSERT_EQ(got.size(), 1u);
    EXPECT_TRUE(SameLocation(got[0], {32, 16}));
    EXPECT_EQ(FindAll(index, a).size(), 1u);
    EXPECT_TRUE(FindAll(index, b).empty());
    EXPECT_EQ(index.entries(), 2u);
    EXPECT_EQ(index.used(), 3u);
    // A new hash on the same sequence takes the tombstone: used() does not grow.
    const uint64_t d = SmallHash(home, 4);
    ASSERT_TRUE(index.Put(d, {48, 16}, &freed));
    EXPECT_EQ(index.entries(), 3u);
    EXPECT_EQ(index.used(), 3u);
    EXPECT_EQ(FindAll(index, d).size(), 1u);
    EXPECT_EQ(FindAll(index, c).size(), 1u);
    // Putting c again replaces it where it was found, not beside it.
    ASSERT_TRUE(index.Put(c, {64, 16}, &freed));
    got = FindAll(index, c);
    ASSERT_EQ(got.size(), 1u);
    EXPECT_TRUE(SameLocation(got[0], {64, 16}));
    EXPECT_EQ(index.entries(), 3u);
    EXPECT_EQ(index.used(), 3u);
  }
}

TEST(MirrorIndexTest, RefusesNewEntriesWhenFifteenSixteenthsFullButStillReplaces) {
  MirrorIndex index(1024);
  const size_t limit = 1024 - 1024 / 16;
  std::mt19937_64 rng(11);
  std::vector<uint64_t> hashes;
  uint64_t freed = 0;
  for (uint64_t i = 1;; ++i) {
    const uint64_t h = (rng() << 20) | i;  // distinct fingerprints
    if (!index.Put(h, {i * 16, 16}, &freed)) break;
    hashes.push_back(h);
    ASSERT_LE(hashes.size(), limit) << "the index never refused";
  }
  EXPECT_EQ(hashes.size(), limit);
  EXPECT_EQ(index.entries(), limit);
  EXPECT_EQ(index.used(), limit);
  EXPECT_EQ(freed, 0u);
  // A refused hash has no slot.
  EXPECT_TRUE(FindAll(index, (rng() << 20) | 0xfffff).empty());
  // Replacing existing entries reuses their tombstones.
  for (size_t i = 0; i < hashes.size(); i += 97) {
    ASSERT_TRUE(index.Put(hashes[i], {1u << 20, 32}, &freed)) << i;
    std::vector<Location> got = FindAll(index, hashes[i]);
    ASSERT_EQ(got.size(), 1u);
    EXPECT_TRUE(SameLocation(got[0], {1u << 20, 32}));
  }
  EXPECT_EQ(index.entries(), limit);
  EXPECT_EQ(index.used(), limit);
  // Every entry is still found.
  for (uint64_t h : hashes) ASSERT_EQ(FindAll(index, h).size(), 1u) << h;
  // Erased entries leave tombstones: entries() falls, used() does not.
  EXPECT_EQ(index.Erase(hashes[0]), 32u);
  EXPECT_EQ(index.entries(), limit - 1);
  EXPECT_EQ(index.used(), limit);
}

TEST(MirrorIndexTest, RefusesLocationsItCannotHold) {
  const uint64_t h = KeyHash("example.com");
  const std::vector<Location> refused = {
      {8, 16},                          // offset not a multiple of 16
      {16, 24},                         // length not a multiple of 16
      {16, 0},                          // empty
      {16, 4096 * 16},                  // longer than 12 bits of units
      {uint64_t{0xffffffff} * 16, 16},  // would read as a tombstone
      {uint64_t{1} << 40, 16},          // beyond 32 bits of units
  };
  for (const Location& where : refused) {
    SCOPED_TRACE("offset " + std::to_string(where.offset) + " length " +
                 std::to_string(where.length));
    MirrorIndex index(64);
    uint64_t freed = 0;
    EXPECT_FALSE(index.Put(h, where, &freed));
    EXPECT_TRUE(FindAll(index, h).empty());
    EXPECT_EQ(index.entries(), 0u);
    EXPECT_EQ(freed, 0u);
  }
  // The limits themselves are held.
  const std::vector<Location> held = {
      {0, 16},
      {16, 4095 * 16},
      {uint64_t{0xfffffffe} * 16, 4095 * 16},
  };
  for (const Location& where : held) {
    MirrorIndex index(64);
    uint64_t freed = 0;
    ASSERT_TRUE(index.Put(h, where, &freed));
    std::vector<Location> got = FindAll(index, h);
    ASSERT_EQ(got.size(), 1u);
    EXPECT_TRUE(SameLocation(got[0], where));
  }
}

// Random puts and erases checked against a map, with well mixed hashes (no shared fingerprints
// among them, so no slot is dropped for another's).
TEST(MirrorIndexTest, MatchesAMapUnderRandomPutsAndErases) {
  std::mt19937_64 rng(3);
  std::vector<uint64_t> hashes(200);
  for (size_t i = 0; i < hashes.size(); ++i) hashes[i] = (rng() << 20) | (i + 1);
  MirrorIndex index(256);
  std::vector<std::optional<Location>> model(hashes.size());
  for (int step = 0; step < 5000; ++step) {
    const size_t k = rng() % hashes.size();
    uint64_t freed = 0;
    const uint64_t was = model[k] ? model[k]->length : 0;
    if (rng() % 3 == 0) {
      ASSERT_EQ(index.Erase(hashes[k]), was);
      model[k].reset();
    } else {
      const Location where{(rng() % 100000) * 16, static_cast<uint32_t>(1 + rng() % 4095) * 16};
      if (!index.Put(hashes[k], where, &freed)) {
        // Only a full index refuses; it has no slot then.
        ASSERT_GE(index.used(), 256u - 16u) << "step " << step;
        model[k].reset();
        continue;
      }
      ASSERT_EQ(freed, was);
      model[k] = where;
    }
    size_t live = 0;
    for (size_t i = 0; i < hashes.size(); ++i) {
      std::vector<Location> got = FindAll(index, hashes[i]);
      if (!model[i]) {
        ASSERT_TRUE(got.empty()) << "step " << step;
      } else {
        ++live;
        ASSERT_EQ(got.size(), 1u) << "step " << step;
        ASSERT_TRUE(SameLocation(got[0], *model[i])) << "step " << step;
      }
    }
    ASSERT_EQ(index.entries(), live);
    ASSERT_LE(index.used(), index.slots());
  }
}

// ---- The mirror ----

class HeadMirrorTest : public testing::Test {
 protected:
  HeadMirrorTest() : path_(dir_.Sub("heads.mirror")), mirror_(path_) {}

  uint64_t Begin(size_t expected = 100) {
    uint64_t generation = 0;
    Status st = mirror_.Begin(expected, &generation);
    EXPECT_TRUE(st.ok()) << st.ToString();
    return generation;
  }
  void Apply(std::string_view domain, std::string_view value) {
    mirror_.Apply(domain, KeyHash(domain), &value);
  }
  void Delete(std::string_view domain) { mirror_.Apply(domain, KeyHash(domain), nullptr); }
  HeadMirror::Read Read(std::string_view domain, std::string* value) {
    return mirror_.TryRead(domain, KeyHash(domain), value);
  }
  // The domain's value, "<not mirrored>" or "<unavailable>".
  std::string ReadOrWhy(std::string_view domain) {
    std::string value;
    switch (Read(domain, &value)) {
      case HeadMirror::Read::kFound:
        return value;
      case HeadMirror::Read::kNotMirrored:
        return "<not mirrored>";
      case HeadMirror::Read::kUnavailable:
        return "<unavailable>";
    }
    return "<bad enum>";
  }
  // Runs `f` while no file may grow past `limit` bytes, so the mirror's appends fail (EFBIG, as a
  // full disk would fail them). The limit is the process's: `f` must write no other file (no
  // test output either). False if the limit could not be set or lifted.
  template <typename F>
  static bool WithFileSizeLimit(off_t limit, F&& f) {
    struct rlimit old_limit {};
    if (::getrlimit(RLIMIT_FSIZE, &old_limit) != 0) return false;
    auto old_handler = std::signal(SIGXFSZ, SIG_IGN);
    struct rlimit small = old_limit;
    small.rlim_cur = static_cast<rlim_t>(limit);
    const bool limited = ::setrlimit(RLIMIT_FSIZE, &small) == 0;
    if (limited) f();
    const bool restored = ::setrlimit(RLIMIT_FSIZE, &old_limit) == 0;
    std::signal(SIGXFSZ, old_handler);
    return limited && restored;
  }
  off_t FileSize() const {
    struct stat st {};
    if (::stat(path_.c_str(), &st) != 0) return -1;
    return st.st_size;
  }

  TempDir dir_{"wp-head-mirror-"};
  const std::string path_;
  HeadMirror mirror_;
};

TEST_F(HeadMirrorTest, BeforeBeginNothingIsMirrored) {
  EXPECT_EQ(ReadOrWhy("example.com"), "<not mirrored>");
  Apply("example.com", "head");  // no generation: dropped
  EXPECT_EQ(ReadOrWhy("example.com"), "<not mirrored>");
  HeadMirror::Stats s = mirror_.stats();
  EXPECT_EQ(s.state, HeadMirror::State::kOff);
  EXPECT_EQ(s.heads, 0u);
  EXPECT_EQ(s.builds, 0u);
  EXPECT_FALSE(mirror_.wants_rebuild());
}

TEST_F(HeadMirrorTest, ApplyThenReadGivesTheExactValue) {
  Begin();
  const std::string value = std::string("a head") + '\0' + "with a NUL and \xff bytes";
  Apply("example.com", value);
  Apply("example.org", "");
  Apply(std::string(255, 'd'), "under the longest domain");
  std::string got;
  ASSERT_EQ(Read("example.com", &got), HeadMirror::Read::kFound);
  EXPECT_EQ(got, value);
  ASSERT_EQ(Read("example.org", &got), HeadMirror::Read::kFound);
  EXPECT_EQ(got, "");
  EXPECT_EQ(ReadOrWhy(std::string(255, 'd')), "under the longest domain");
  EXPECT_EQ(ReadOrWhy("example.net"), "<not mirrored>");
  EXPECT_EQ(mirror_.stats().reads, 3u);
}

TEST_F(HeadMirrorTest, ApplyReplacesAndDeletes) {
  Begin();
  Apply("example.com", "first");
  Apply("example.com", "second, longer than the first");
  EXPECT_EQ(ReadOrWhy("example.com"), "second, longer than the first");
  Apply("example.com", "3rd");
  EXPECT_EQ(ReadOrWhy("example.com"), "3rd");
  EXPECT_EQ(mirror_.stats().heads, 1u);
  Delete("example.com");
  EXPECT_EQ(ReadOrWhy("example.com"), "<not mirrored>");
  EXPECT_EQ(mirror_.stats().heads, 0u);
  Delete("never.written");  // harmless
  EXPECT_EQ(ReadOrWhy("never.written"), "<not mirrored>");
  Apply("example.com", "back");
  EXPECT_EQ(ReadOrWhy("example.com"), "back");
}

// The index keeps only a fingerprint of the hash, so a domain's search can land on another
// domain's record: the record names its domain, and that one's value is never given.
TEST_F(HeadMirrorTest, AnotherDomainsRecordIsNeverTakenForTheDomains) {
  Begin();
  Apply("b.example", "head b");
  std::string value;
  // a.example searched with b.example's hash: the very slot of b's record.
  EXPECT_EQ(mirror_.TryRead("a.example", KeyHash("b.example"), &value),
            HeadMirror::Read::kNotMirrored);
  EXPECT_EQ(mirror_.stats().reads, 0u);
  EXPECT_EQ(mirror_.stats().damaged, 0u);
  EXPECT_EQ(ReadOrWhy("b.example"), "head b");
}

// A rebuild would not help a head too long to mirror (it stays too long), so none is asked
// for: every write of such a domain would otherwise rebuild the whole mirror.
TEST_F(HeadMirrorTest, AHeadTooLongToMirrorIsReadFromLevelDbWithoutARebuild) {
  Begin();
  Apply("example.com", "short");
  Apply("example.com", std::string(kMirrorMaxRecordBytes, 'v'));
  // The short head must not be read any more: it is no longer the domain's.
  EXPECT_EQ(ReadOrWhy("example.com"), "<not mirrored>");
  EXPECT_EQ(mirror_.stats().heads, 0u);
  EXPECT_FALSE(mirror_.wants_rebuild());
}

// A write the disk refuses only takes the domain out (no rebuild: on a full disk every write
// would start one).
TEST_F(HeadMirrorTest, ADomainWhoseHeadCannotBeWrittenIsNoLongerMirrored) {
  Begin();
  Apply("example.com", "old");
  Apply("example.org", "kept");
  ASSERT_EQ(ReadOrWhy("example.com"), "old");
  const off_t size = FileSize();
  ASSERT_GT(size, 0);
  ASSERT_TRUE(WithFileSizeLimit(size, [&] { Apply("example.com", "new"); }));
  EXPECT_EQ(FileSize(), size);  // the append did fail
  // The old head is not the domain's any more: it must not be read.
  EXPECT_EQ(ReadOrWhy("example.com"), "<not mirrored>");
  EXPECT_FALSE(mirror_.wants_rebuild());
  EXPECT_EQ(ReadOrWhy("example.org"), "kept");
  // Writes work again afterwards.
  Apply("example.com", "newer");
  EXPECT_EQ(ReadOrWhy("example.com"), "newer");
}

TEST_F(HeadMirrorTest, AWriteErrorOfFillDropsTheGeneration) {
  const uint64_t generation = Begin();
  Apply("example.com", "head");
  bool filled = true;
  ASSERT_TRUE(WithFileSizeLimit(FileSize(), [&] {
    filled = mirror_.Fill(generation, Heads{{"a.example", "head a"}});
  }));
  EXPECT_FALSE(filled);
  EXPECT_EQ(mirror_.stats().state, HeadMirror::State::kOff);
  EXPECT_EQ(ReadOrWhy("example.com"), "<not mirrored>");
  EXPECT_EQ(ReadOrWhy("a.example"), "<not mirrored>");
  EXPECT_FALSE(mirror_.Fill(generation, Heads{{"a.example", "head a"}}));
}

TEST_F(HeadMirrorTest, FillInsertsHeadsButNotDomainsAppliedSinceBegin) {
  const uint64_t generation = Begin();
  EXPECT_EQ(mirror_.stats().state, HeadMirror::State::kBuilding);
  Apply("x.example", "new");
  Apply("y.example", "written, then deleted");
  Delete("y.example");
  ASSERT_TRUE(mirror_.Fill(
      generation,
      Heads{
          {"a.example", "head a"}, {"x.example", "old"}, {"y.example", "old"}, {"b.example", ""}}));
  EXPECT_EQ(ReadOrWhy("a.example"), "head a");
  EXPECT_EQ(ReadOrWhy("b.example"), "");
  EXPECT_EQ(ReadOrWhy("x.example"), "new");
  EXPECT_EQ(ReadOrWhy("y.example"), "<not mirrored>");
  ASSERT_TRUE(mirror_.Fill(generation, Heads{{"c.example", "head c"}, {"x.example", "old"}}));
  EXPECT_EQ(ReadOrWhy("c.example"), "head c");
  EXPECT_EQ(ReadOrWhy("x.example"), "new");
  // A head too long to mirror is skipped; the rest of the batch is not.
  ASSERT_TRUE(mirror_.Fill(
      generation,
      Heads{{"long.example", std::string(kMirrorMaxRecordBytes, 'l')}, {"d.example", "head d"}}));
  EXPECT_EQ(ReadOrWhy("long.example"), "<not mirrored>");
  EXPECT_EQ(ReadOrWhy("d.example"), "head d");
  HeadMirror::Stats s = mirror_.stats();
  EXPECT_EQ(s.state, HeadMirror::State::kBuilding);
  EXPECT_EQ(s.heads, 5u);  // a, b, c, d, x
  mirror_.Finish(generation);
  s = mirror_.stats();
  EXPECT_EQ(s.state, HeadMirror::State::kReady);
  EXPECT_EQ(s.heads, 5u);
  EXPECT_EQ(static_cast<off_t>(s.file_bytes), FileSize());
  EXPECT_EQ(s.file_bytes % kMirrorAlign, 0u);
  // After Finish, writes still reach the mirror.
  Apply("a.example", "head a, rewritten");
  EXPECT_EQ(ReadOrWhy("a.example"), "head a, rewritten");
}

TEST_F(HeadMirrorTest, FillOfAnOldGenerationIsRefused) {
  const uint64_t first = Begin();
  const uint64_t second = Begin();
  EXPECT_NE(first, second);
  EXPECT_FALSE(mirror_.Fill(first, Heads{{"a.example", "head a"}}));
  EXPECT_EQ(ReadOrWhy("a.example"), "<not mirrored>");
  mirror_.Finish(first);  // ignored: not the current generation
  EXPECT_EQ(mirror_.stats().state, HeadMirror::State::kBuilding);
  EXPECT_TRUE(mirror_.Fill(second, Heads{{"a.example", "head a"}}));
  EXPECT_EQ(ReadOrWhy("a.example"), "head a");
  mirror_.Drop();
  EXPECT_FALSE(mirror_.Fill(second, Heads{{"b.example", "head b"}}));
  EXPECT_EQ(mirror_.stats().state, HeadMirror::State::kOff);
}

TEST_F(HeadMirrorTest, ASecondBeginDropsTheFirstGeneration) {
  const uint64_t first = Begin();
  Apply("a.example", "head a");
  ASSERT_TRUE(mirror_.Fill(first, Heads{{"b.example", "head b"}}));
  mirror_.Finish(first);
  ASSERT_EQ(ReadOrWhy("a.example"), "head a");
  ASSERT_GT(FileSize(), 0);
  struct stat before {};
  ASSERT_EQ(::stat(path_.c_str(), &before), 0);

  Begin();
  EXPECT_EQ(ReadOrWhy("a.example"), "<not mirrored>");
  EXPECT_EQ(ReadOrWhy("b.example"), "<not mirrored>");
  EXPECT_EQ(FileSize(), 0);  // a new, empty file
  HeadMirror::Stats s = mirror_.stats();
  EXPECT_EQ(s.state, HeadMirror::State::kBuilding);
  EXPECT_EQ(s.heads, 0u);
  EXPECT_EQ(s.file_bytes, 0u);
  EXPECT_EQ(s.builds, 2u);
  Apply("a.example", "head a again");
  EXPECT_EQ(ReadOrWhy("a.example"), "head a again");
}

TEST_F(HeadMirrorTest, DropSendsEveryReadToLevelDb) {
  Begin();
  Apply("a.example", "head a");
  mirror_.Drop();
  EXPECT_EQ(ReadOrWhy("a.example"), "<not mirrored>");
  Apply("a.example", "head a again");  // no generation: dropped
  EXPECT_EQ(ReadOrWhy("a.example"), "<not mirrored>");
  EXPECT_EQ(mirror_.stats().state, HeadMirror::State::kOff);
  EXPECT_EQ(mirror_.stats().heads, 0u);
}

TEST_F(HeadMirrorTest, BeginThatCannotCreateTheFileFailsAndMirrorsNothing) {
  HeadMirror mirror(dir_.Sub("missing/heads.mirror"));
  uint64_t generation = 0;
  Status st = mirror.Begin(10, &generation);
  ASSERT_FALSE(st.ok());
  EXPECT_NE(st.message().find("missing/heads.mirror"), std::string::npos) << st.message();
  std::string_view value = "head";
  mirror.Apply("a.example", KeyHash("a.example"), &value);
  std::string got;
  EXPECT_EQ(mirror.TryRead("a.example", KeyHash("a.example"), &got),
            HeadMirror::Read::kNotMirrored);
  EXPECT_EQ(mirror.stats().state, HeadMirror::State::kOff);
}

TEST_F(HeadMirrorTest, DamagedBytesReadAsUnavailableAndAreCounted) {
  Begin();
  Apply("example.com", "a head long enough to span the damaged bytes");
  Apply("example.org", "another head");
  ASSERT_EQ(ReadOrWhy("example.com"), "a head long enough to span the damaged bytes");
  const int fd = ::open(path_.c_str(), O_WRONLY | O_CLOEXEC);
  ASSERT_GE(fd, 0);
  const std::string garbage = "GARBAGE!";
  EXPECT_EQ(::pwrite(fd, garbage.data(), garbage.size(), 20), static_cast<ssize_t>(garbage.size()));
  ::close(fd);
  EXPECT_EQ(mirror_.stats().damaged, 0u);
  EXPECT_EQ(ReadOrWhy("example.com"), "<unavailable>");
  EXPECT_EQ(mirror_.stats().damaged, 1u);
  EXPECT_EQ(ReadOrWhy("example.com"), "<unavailable>");
  EXPECT_EQ(mirror_.stats().damaged, 2u);
  // The other record is untouched.
  EXPECT_EQ(ReadOrWhy("example.org"), "another head");
  // A new write of the domain puts a good record elsewhere.
  Apply("example.com", "rewritten");
  EXPECT_EQ(ReadOrWhy("example.com"), "rewritten");
  EXPECT_EQ(mirror_.stats().damaged, 2u);
}

TEST_F(HeadMirrorTest, StatsFollowTheGeneration) {
  EXPECT_EQ(mirror_.stats().state, HeadMirror::State::kOff);
  const uint64_t generation = Begin(1000);
  HeadMirror::Stats s = mirror_.stats();
  EXPECT_EQ(s.state, HeadMirror::State::kBuilding);
  EXPECT_EQ(s.heads, 0u);
  EXPECT_EQ(s.file_bytes, 0u);
  EXPECT_GT(s.index_bytes, 0u);
  EXPECT_EQ(s.builds, 1u);
  ASSERT_TRUE(mirror_.Fill(generation, Heads{{"a.example", "head a"}, {"b.example", "head b"}}));
  Apply("c.example", "head c");
  mirror_.Finish(generation);
  s = mirror_.stats();
  EXPECT_EQ(s.state, HeadMirror::State::kReady);
  EXPECT_EQ(s.heads, 3u);
  EXPECT_EQ(static_cast<off_t>(s.file_bytes), FileSize());
  EXPECT_EQ(s.file_bytes, 3 * kMirrorAlign * 2);  // each record 13 + 9 + 6 bytes, padded to 32
  EXPECT_EQ(s.reads, 0u);
  std::string value;
  EXPECT_EQ(Read("a.example", &value), HeadMirror::Read::kFound);
  EXPECT_EQ(Read("c.example", &value), HeadMirror::Read::kFound);
  EXPECT_EQ(Read("d.example", &value), HeadMirror::Read::kNotMirrored);
  EXPECT_EQ(mirror_.stats().reads, 2u);  // kFound reads only
  EXPECT_EQ(mirror_.stats().damaged, 0u);
}

TEST_F(HeadMirrorTest, AFullIndexAsksForARebuildAndBeginResetsIt) {
  Begin(0);  // SlotsFor(0): 4096 slots
  int first_wanted = -1;
  for (int i = 0; i < 4000; ++i) {
    Apply("d" + std::to_string(i) + ".example", "v");
    if (first_wanted < 0 && mirror_.wants_rebuild()) first_wanted = i;
  }
  EXPECT_TRUE(mirror_.wants_rebuild());
  EXPECT_GT(first_wanted, 3000);  // not long before the index is full
  // The index never takes more than it can hold, and what it holds reads back.
  const HeadMirror::Stats s = mirror_.stats();
  EXPECT_LE(s.heads, 4000u);
  EXPECT_GE(s.heads, 3500u);
  EXPECT_EQ(ReadOrWhy("d0.example"), "v");
  Begin(4000);
  EXPECT_FALSE(mirror_.wants_rebuild());
  EXPECT_EQ(mirror_.stats().heads, 0u);
  EXPECT_EQ(ReadOrWhy("d0.example"), "<not mirrored>");
}

TEST_F(HeadMirrorTest, RewritingTheSameDomainsDoesNotAskForARebuildSoon) {
  Begin(100);
  for (int round = 0; round < 20; ++round)
    for (int i = 0; i < 100; ++i)
      Apply("d" + std::to_string(i) + ".example", "round " + std::to_string(round));
  EXPECT_FALSE(mirror_.wants_rebuild());
  EXPECT_EQ(mirror_.stats().heads, 100u);
  EXPECT_EQ(ReadOrWhy("d7.example"), "round 19");
}

// ---- Concurrency (also run under ThreadSanitizer) ----

constexpr int kDomains = 2000;
constexpr int kRounds = 8;

// Some domains are deleted in odd rounds: reads then go to LevelDB.
bool DeletedIn(int i, int round) { return round % 2 == 1 && i % 7 == 0; }

std::string DomainName(int i) { return "d" + std::to_string(i) + ".example"; }
// Each round's value names its domain and round, with a length that changes between rounds.
std::string RoundValue(int i, int round) {
  return DomainName(i) + " round " + std::to_string(round) +
         std::string(static_cast<size_t>((i + round) % 5) * 37, '.');
}

TEST_F(HeadMirrorTest, ConcurrentReadsSeeOnlyValuesWrittenForTheirDomain) {
  Begin(kDomains);
  std::vector<uint64_t> hashes(kDomains);
  for (int i = 0; i < kDomains; ++i) hashes[i] = KeyHash(DomainName(i));
  std::atomic<bool> done{false};
  std::thread writer([&] {
    for (int round = 0; round < kRounds; ++round) {
      for (int i = 0; i < kDomains; ++i) {
        const std::string value = RoundValue(i, round);
        const std::string_view view = value;
        mirror_.Apply(DomainName(i), hashes[i], DeletedIn(i, round) ? nullptr : &view);
      }
    }
    done.store(true);
  });
  uint64_t found = 0;
  uint64_t wrong = 0;
  std::string first_wrong;
  std::string value;
  for (bool last = false; !last;) {
    last = done.load();  // one whole pass after the writer is done
    for (int i = 0; i < kDomains; ++i) {
      const HeadMirror::Read r = mirror_.TryRead(DomainName(i), hashes[i], &value);
      if (r != HeadMirror::Read::kFound) continue;
      ++found;
      bool ok = false;
      const std::string prefix = DomainName(i) + " round ";
      if (value.starts_with(prefix)) {
        const int round = std::atoi(value.c_str() + prefix.size());
        ok = round >= 0 && round < kRounds && value == RoundValue(i, round);
      }
      if (!ok && wrong++ == 0) first_wrong = DomainName(i) + ": " + value;
    }
  }
  writer.join();
  EXPECT_EQ(wrong, 0u) << "first: " << first_wrong;
  EXPECT_GT(found, 0u);
  // Afterwards every domain reads its last round's value, or is not mirrored if it was deleted.
  uint64_t mirrored = 0;
  for (int i = 0; i < kDomains; ++i) {
    const bool deleted = DeletedIn(i, kRounds - 1);
    mirrored += deleted ? 0 : 1;
    ASSERT_EQ(ReadOrWhy(DomainName(i)), deleted ? "<not mirrored>" : RoundValue(i, kRounds - 1))
        << DomainName(i);
  }
  EXPECT_EQ(mirror_.stats().damaged, 0u);
  EXPECT_EQ(mirror_.stats().heads, mirrored);
}

// Builds (Begin, Fill in batches, Finish) racing writes and reads: reads only ever see a value
// written for their domain, by a build or a write.
TEST_F(HeadMirrorTest, ABuildRacingWritesNeverHidesTheNewestValue) {
  constexpr int kBuildDomains = 500;
  std::atomic<int> builds_done{0};
  std::atomic<bool> writes_done{false};
  std::thread builder([&] {
    for (int b = 0; b < 4; ++b) {
      uint64_t generation = 0;
      if (!mirror_.Begin(kBuildDomains, &generation).ok()) break;
      for (int start = 0; start < kBuildDomains; start += 50) {
        Heads heads;
        for (int i = start; i < start + 50; ++i) heads.emplace_back(DomainName(i), "build head");
        if (!mirror_.Fill(generation, heads)) break;
      }
      mirror_.Finish(generation);
      builds_done.fetch_add(1);
    }
  });
  std::thread writer([&] {
    for (int round = 0; round < 4; ++round) {
      for (int i = 0; i < kBuildDomains; ++i) {
        const std::string value = RoundValue(i, round);
        const std::string_view view = value;
        mirror_.Apply(DomainName(i), KeyHash(DomainName(i)), &view);
      }
    }
    writes_done.store(true);
  });
  uint64_t wrong = 0;
  std::string first_wrong;
  std::string value;
  for (bool last = false; !last;) {
    last = writes_done.load() && builds_done.load() == 4;
    for (int i = 0; i < kBuildDomains; ++i) {
      if (mirror_.TryRead(DomainName(i), KeyHash(DomainName(i)), &value) !=
          HeadMirror::Read::kFound)
        continue;
      bool ok = value == "build head";
      const std::string prefix = DomainName(i) + " round ";
      if (value.starts_with(prefix)) {
        const int round = std::atoi(value.c_str() + prefix.size());
        ok = round >= 0 && round < 4 && value == RoundValue(i, round);
      }
      if (!ok && wrong++ == 0) first_wrong = DomainName(i) + ": " + value;
    }
  }
  builder.join();
  writer.join();
  EXPECT_EQ(wrong, 0u) << "first: " << first_wrong;
  EXPECT_EQ(mirror_.stats().state, HeadMirror::State::kReady);
  EXPECT_EQ(mirror_.stats().damaged, 0u);
}

}  // namespace
}  // namespace storage
