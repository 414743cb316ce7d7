#include "storage/hot_set.h"

#include <gtest/gtest.h>

#include <cstdio>

namespace storage {
namespace {

constexpr size_t kOverhead = HotSet::kEntryOverheadBytes;

TEST(HotSetTest, FindInsertReplace) {
  HotSet hs(1 << 20);
  EXPECT_EQ(hs.Find("a.com", 0), nullptr);
  hs.Insert("a.com", "reply-1", 100);
  ASSERT_NE(hs.Find("a.com", 0), nullptr);
  EXPECT_EQ(*hs.Find("a.com", 0), "reply-1");
  hs.Insert("a.com", "reply-22", 100);
  EXPECT_EQ(*hs.Find("a.com", 0), "reply-22");
  EXPECT_EQ(hs.size(), 1u);
  EXPECT_EQ(hs.bytes(), 5 + 8 + kOverhead);
}

TEST(HotSetTest, ExpiresAtStaleTime) {
  HotSet hs(1 << 20);
  hs.Insert("a.com", "r", 100);
  EXPECT_NE(hs.Find("a.com", 99), nullptr);
  EXPECT_EQ(hs.Find("a.com", 100), nullptr);  // stale at stale_at_ms: dropped
  EXPECT_EQ(hs.size(), 0u);
  EXPECT_EQ(hs.bytes(), 0u);
  EXPECT_EQ(hs.Find("a.com", 0), nullptr);  // gone for good
}

TEST(HotSetTest, AnEntryThatMayBeServedStaleIsFoundUntilItIsTooOld) {
  HotSet hs(1 << 20);
  hs.Insert("a.com", "fresh",
            HotEntry{.stale_at_ms = 100, .refresh_at_ms = 90, .serve_stale = true});
  HotSet::Hit h = hs.Find("a.com", 50, 1000);
  ASSERT_TRUE(h);
  EXPECT_FALSE(h.stale);
  EXPECT_EQ(h.entry->refresh_at_ms, 90);
  h = hs.Find("a.com", 100, 1000);
  ASSERT_TRUE(h);
  EXPECT_TRUE(h.stale);
  EXPECT_EQ(*h.value, "fresh");
  // The fresh-only lookup never returns it, but leaves a servable entry for those who may.
  EXPECT_EQ(hs.Find("a.com", 1099), nullptr);
  EXPECT_EQ(hs.size(), 0u);  // ... and a fresh-only lookup drops it, as for any stale entry
  hs.Insert("a.com", "fresh", HotEntry{.stale_at_ms = 100, .serve_stale = true});
  EXPECT_TRUE(hs.Find("a.com", 1099, 1000));
  EXPECT_FALSE(hs.Find("a.com", 1100, 1000));  // stale for max_stale_ms: dropped
  EXPECT_EQ(hs.size(), 0u);
  EXPECT_EQ(hs.bytes(), 0u);
}

TEST(HotSetTest, AnEntryNotServableStaleIsDroppedWhenStale) {
  HotSet hs(1 << 20);
  hs.Insert("a.com", "r", HotEntry{.stale_at_ms = 100, .serve_stale = false});
  EXPECT_FALSE(hs.Find("a.com", 100, 1000000));
  EXPECT_EQ(hs.size(), 0u);
}

TEST(HotSetTest, RefreshTimeCanBeMovedAndInsertKeepsTheEntry) {
  HotSet hs(1 << 20);
  hs.Insert(
      "a.com", "r",
      HotEntry{.stale_at_ms = 100, .refresh_at_ms = 50, .serve_stale = true, .stale_form = true});
  hs.SetRefreshAt("a.com", HotEntry::kNever);
  hs.SetRefreshAt("missing.com", 1);
  HotSet::Hit h = hs.Find("a.com", 60, 10);
  ASSERT_TRUE(h);
  EXPECT_EQ(h.entry->refresh_at_ms, HotEntry::kNever);
  EXPECT_TRUE(h.entry->stale_form);
  EXPECT_EQ(hs.size(), 1u);
}

TEST(HotSetTest, EraseAndClear) {
  HotSet hs(1 << 20);
  hs.Insert("a.com", "1", 100);
  hs.Insert("b.com", "2", 100);
  hs.Erase("a.com");
  hs.Erase("missing.com");
  EXPECT_EQ(hs.Find("a.com", 0), nullptr);
  EXPECT_NE(hs.Find("b.com", 0), nullptr);
  EXPECT_EQ(hs.size(), 1u);
  hs.Clear();
  EXPECT_EQ(hs.size(), 0u);
  EXPECT_EQ(hs.bytes(), 0u);
  EXPECT_EQ(hs.Find("b.com", 0), nullptr);
  hs.Insert("c.com", "3", 100);  // usable after Clear
  EXPECT_NE(hs.Find("c.com", 0), nullptr);
}

TEST(HotSetTest, StaysWithinItsByteBound) {
  const size_t entry = 10 + 100 + kOverhead;  // "k00000.com" + 100-byte value
  HotSet hs(entry * 50);
  for (int i = 0; i < 1000; ++i) {
    char key[32];
    snprintf(key, sizeof key, "k%05d.com", i);
    hs.Insert(key, std::string(100, 'v'), 1000);
    EXPECT_LE(hs.bytes(), hs.max_bytes());
  }
  EXPECT_EQ(hs.size(), 50u);
  EXPECT_NE(hs.Find("k00999.com", 0), nullptr);  // the newest survives
}

TEST(HotSetTest, ClockKeepsReferencedEntries) {
  const size_t entry = 5 + 1 + kOverhead;
  HotSet hs(entry * 4);
  for (const char* k : {"a.com", "b.com", "c.com", "d.com"}) hs.Insert(k, "v", 1000);
  ASSERT_NE(hs.Find("a.com", 0), nullptr);  // a is referenced
  hs.Insert("e.com", "v", 1000);            // evicts b, the first unreferenced
  EXPECT_NE(hs.Find("a.com", 0), nullptr);
  EXPECT_EQ(hs.Find("b.com", 0), nullptr);
  EXPECT_NE(hs.Find("e.com", 0), nullptr);
  EXPECT_EQ(hs.size(), 4u);
}

TEST(HotSetTest, TooLargeOrZeroCapacityIsNotStored) {
  HotSet hs(200);
  hs.Insert("a.com", "small", 1000);
  EXPECT_NE(hs.Find("a.com", 0), nullptr);
  hs.Insert("a.com", std::string(1000, 'x'), 1000);  // replacing with a too-large value drops it
  EXPECT_EQ(hs.Find("a.com", 0), nullptr);
  EXPECT_EQ(hs.bytes(), 0u);
  HotSet off(0);
  off.Insert("a.com", "v", 1000);
  EXPECT_EQ(off.Find("a.com", 0), nullptr);
  EXPECT_EQ(off.size(), 0u);
}

uint64_t ConstantHash(std::string_view) { return 7; }

TEST(HotSetTest, CollisionsAreMissesNeverWrongAnswers) {
  HotSet hs(1 << 20, &ConstantHash);
  hs.Insert("a.com", "A", 1000);
  EXPECT_EQ(hs.Find("b.com", 0), nullptr);  // same hash, different key
  hs.Erase("b.com");                        // must not erase a.com
  EXPECT_NE(hs.Find("a.com", 0), nullptr);
  hs.Insert("b.com", "B", 1000);  // the newer key takes the slot
  EXPECT_EQ(hs.Find("a.com", 0), nullptr);
  ASSERT_NE(hs.Find("b.com", 0), nullptr);
  EXPECT_EQ(*hs.Find("b.com", 0), "B");
  EXPECT_EQ(hs.size(), 1u);
  EXPECT_EQ(hs.bytes(), 5 + 1 + kOverhead);
}

// Keys up to kInlineKeyBytes live in the slot, longer ones on the heap: both kinds are found,
// told apart from each other, replaced and erased.
TEST(HotSetTest, ShortAndLongKeys) {
  HotSet hs(1 << 20);
  std::string at_limit(HotSet::kInlineKeyBytes - 4, 'a');
  at_limit += ".com";
  std::string longer = "b" + at_limit;
  std::string very_long(200, 'c');
  very_long += ".com";
  hs.Insert(at_limit, "inline", 100);
  hs.Insert(longer, "heap", 100);
  hs.Insert(very_long, "heap-200", 100);
  ASSERT_NE(hs.Find(at_limit, 0), nullptr);
  EXPECT_EQ(*hs.Find(at_limit, 0), "inline");
  EXPECT_EQ(*hs.Find(longer, 0), "heap");
  EXPECT_EQ(*hs.Find(very_long, 0), "heap-200");
  EXPECT_EQ(hs.Find(longer.substr(1, at_limit.size() - 1), 0), nullptr);
  hs.Insert(longer, "heap-2", 100);  // replace a long key with a long key
  EXPECT_EQ(*hs.Find(longer, 0), "heap-2");
  hs.Erase(very_long);
  EXPECT_EQ(hs.Find(very_long, 0), nullptr);
  EXPECT_EQ(hs.size(), 2u);
  EXPECT_EQ(hs.bytes(), at_limit.size() + 6 + longer.size() + 6 + 2 * kOverhead);
}

// ---- Admission (TinyLFU): once full, a new key must have been asked for as often as the entry
// it would push out ----

std::string Key(const char* prefix, int i) {
  char key[32];
  snprintf(key, sizeof key, "%s%04d.com", prefix, i);
  return key;
}

TEST(HotSetTest, KeysAskedForOnceDoNotPushOutPopularOnes) {
  const size_t entry = 12 + 100 + kOverhead;  // "pop0000.com"-sized key + 100-byte value
  HotSet hs(entry * 20);
  for (int i = 0; i < 20; ++i) hs.Insert(Key("pop", i), std::string(100, 'v'), 1000);
  hs.Insert(Key("one", 0), std::string(100, 'v'), 1000);  // the set is full from here on
  // The popular keys are asked for again and again...
  for (int round = 0; round < 4; ++round)
    for (int i = 0; i < 20; ++i) hs.Find(Key("pop", i), 0);
  // ... then a scan of keys asked for once each (a GET that misses, then the fill).
  for (int i = 1; i < 500; ++i) {
    std::string k = Key("one", i);
    EXPECT_EQ(hs.Find(k, 0), nullptr);
    hs.Insert(k, std::string(100, 'v'), 1000);
  }
  int kept = 0;
  for (int i = 0; i < 20; ++i) kept += hs.Find(Key("pop", i), 0) != nullptr;
  EXPECT_GE(kept, 19) << "CLOCK alone keeps none: the scan clears their bits and evicts them";
  EXPECT_GT(hs.rejected(), 400u);
  EXPECT_LE(hs.bytes(), hs.max_bytes());
}

TEST(HotSetTest, AKeyAskedForOftenEntersAFullSet) {
  const size_t entry = 12 + 100 + kOverhead;
  HotSet hs(entry * 10);
  for (int i = 0; i < 11; ++i) hs.Insert(Key("old", i), std::string(100, 'v'), 1000);  // full
  for (int i = 0; i < 11; ++i) hs.Find(Key("old", i), 0);  // each asked for once more
  std::string hot = Key("new", 0);
  for (int n = 0; n < 3; ++n) EXPECT_EQ(hs.Find(hot, 0), nullptr);
  hs.Insert(hot, std::string(100, 'v'), 1000);
  EXPECT_NE(hs.Find(hot, 0), nullptr);
  // A key asked for once does not enter in its place.
  std::string cold = Key("new", 1);
  EXPECT_EQ(hs.Find(cold, 0), nullptr);
  for (int n = 0; n < 3; ++n)
    for (int i = 0; i < 11; ++i) hs.Find(Key("old", i), 0);
  const uint64_t rejected = hs.rejected();
  hs.Insert(cold, std::string(100, 'v'), 1000);
  EXPECT_EQ(hs.rejected(), rejected + 1);
  EXPECT_EQ(hs.Find(cold, 0), nullptr);
  // Replacing a key already present is never refused.
  hs.Insert(hot, "replaced", 1000);
  ASSERT_NE(hs.Find(hot, 0), nullptr);
  EXPECT_EQ(*hs.Find(hot, 0), "replaced");
}

TEST(HotSetTest, AValueIsMadeOnlyForAKeyAdmitted) {
  const size_t entry = 12 + 100 + kOverhead;
  HotSet hs(entry * 10);
  int made = 0;
  auto make = [&made] {
    ++made;
    return std::string(40, 'c');  // smaller than the 100 bytes weighed, as a compressed value
  };
  for (int i = 0; i < 10; ++i)
    hs.InsertMade(Key("old", i), 100, HotEntry{.stale_at_ms = 1000}, make);
  EXPECT_EQ(made, 10);
  EXPECT_FALSE(hs.full());  // 10 x 40-byte values never needed room
  EXPECT_EQ(hs.bytes(), 10 * (Key("old", 0).size() + 40 + kOverhead));
  for (int i = 10; i < 40; ++i) hs.Insert(Key("old", i), std::string(40, 'c'), 1000);
  EXPECT_TRUE(hs.full());
  for (int n = 0; n < 3; ++n)
    for (int i = 0; i < 40; ++i) hs.Find(Key("old", i), 0);
  // A key asked for once is weighed and turned away before its value is made.
  made = 0;
  const uint64_t rejected = hs.rejected();
  hs.InsertMade(Key("new", 1), 100, HotEntry{.stale_at_ms = 1000}, make);
  EXPECT_EQ(made, 0);
  EXPECT_EQ(hs.rejected(), rejected + 1);
  // One asked for more often than the victim enters, its value made once and kept as made.
  const std::string hot = Key("new", 0);
  for (int n = 0; n < 6; ++n) hs.Find(hot, 0);
  hs.InsertMade(hot, 100, HotEntry{.stale_at_ms = 1000, .compressed = true}, make);
  EXPECT_EQ(made, 1);
  HotSet::Hit hit = hs.Find(hot, 0, 0);
  ASSERT_TRUE(hit);
  EXPECT_EQ(*hit.value, std::string(40, 'c'));
  EXPECT_TRUE(hit.entry->compressed);
  EXPECT_LE(hs.bytes(), hs.max_bytes());
}

TEST(HotSetTest, FrequencyCountsOnceFull) {
  const size_t entry = 12 + 100 + kOverhead;
  HotSet hs(entry * 4);
  for (int n = 0; n < 5; ++n) hs.Find("a.com", 0);
  EXPECT_EQ(hs.Frequency("a.com"), 0);  // nothing is counted before the set is first full
  for (int i = 0; i < 5; ++i) hs.Insert(Key("old", i), std::string(100, 'v'), 1000);
  ASSERT_TRUE(hs.full());
  for (int n = 0; n < 3; ++n) hs.Find("a.com", 0);
  EXPECT_EQ(hs.Frequency("a.com"), 3);
  for (int n = 0; n < 40; ++n) hs.Find("a.com", 0);
  EXPECT_EQ(hs.Frequency("a.com"), FrequencySketch::kMaxCount);
  EXPECT_EQ(hs.Frequency("never.com"), 0);
}

// The slot an eviction frees takes the next new entry; the hand must have moved past it, or
// each new entry would be the next one evicted.
TEST(HotSetTest, ANewEntryIsNotTheNextVictim) {
  const size_t entry = 5 + 1 + kOverhead;
  HotSet hs(entry * 4);
  for (const char* k : {"a.com", "b.com", "c.com", "d.com"}) hs.Insert(k, "v", 1000);
  hs.Insert("e.com", "v", 1000);  // evicts a
  hs.Insert("f.com", "v", 1000);  // evicts b, not e
  EXPECT_EQ(hs.Find("a.com", 0), nullptr);
  EXPECT_EQ(hs.Find("b.com", 0), nullptr);
  EXPECT_NE(hs.Find("e.com", 0), nullptr);
  EXPECT_NE(hs.Find("f.com", 0), nullptr);
}

}  // namespace
}  // namespace storage
