// The hot set alone, as the proxy drives it (Find, then Insert on a miss), under Zipf or uniform
// demand: its hit rate and how many misses it admits, without servers, sockets or LevelDB. Values
// are FULL bytes each until the set is first full and COMPRESSED bytes after (the sizes of a
// bench record's reply whole and zstd-compressed against the records' dictionary), as the
// proxy's compressed hot set; the hit rate counts the second half of the requests.
//
//   bench-hot-set-sim [FULL=1420] [COMPRESSED=340] [REQUESTS=6000000] [KEYS=5000000]
//                     [zipf|uniform] [MEGABYTES=64]
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <random>
#include <string>

#include "bench/zipf.h"
#include "storage/hot_set.h"

int main(int argc, char** argv) {
  auto arg = [&](int i, long fallback) { return argc > i ? std::atol(argv[i]) : fallback; };
  const size_t full_bytes = arg(1, 1420), compressed_bytes = arg(2, 340);
  const long requests = arg(3, 6000000), keys = arg(4, 5000000);
  const bool uniform = argc > 5 && std::strcmp(argv[5], "uniform") == 0;
  const size_t megabytes = arg(6, 64);
  if (keys < 1 || requests < 2 || keys >= (1L << 32)) {
    std::fprintf(stderr, "usage: %s [FULL] [COMPRESSED] [REQUESTS] [KEYS] [zipf|uniform] [MB]\n",
                 argv[0]);
    return 2;
  }
  storage::HotSet set(megabytes << 20);
  bench::ZipfSampler zipf(keys, 0.99);
  std::uniform_int_distribution<long> any(1, keys);
  bench::RankScatter scatter(keys);
  std::mt19937_64 rng(7);
  long hits = 0, counted = 0, misses = 0;
  uint64_t rejected_before = 0;
  for (long i = 0; i < requests; ++i) {
    if (i == requests / 2) rejected_before = set.rejected();
    const uint64_t rank = uniform ? any(rng) : zipf(rng);
    const std::string key = "d" + std::to_string(scatter(rank - 1)) + ".com";
    const bool hit = set.Find(key, 0) != nullptr;
    if (i >= requests / 2) {
      ++counted;
      hits += hit;
      misses += !hit;
    }
    if (!hit)
      set.Insert(key, std::string(set.full() ? compressed_bytes : full_bytes, 'x'), 1L << 40);
  }
  const double admitted =
      misses ? 1.0 - static_cast<double>(set.rejected() - rejected_before) / misses : 0;
  std::printf(
      "demand=%s keys=%ld requests=%ld hit_rate=%.1f%% entries=%zu admitted_per_miss=%.3f\n",
      uniform ? "uniform" : "zipf", keys, requests, 100.0 * hits / counted, set.size(), admitted);
}
