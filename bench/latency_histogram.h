// LatencyHistogram: a log-linear histogram of durations in nanoseconds, in the manner of
// HdrHistogram: values are grouped by their power of two, and each power of two is split into
// kSubBuckets linear sub-buckets, so any recorded value is reported within 1/kSubBuckets of
// itself (under 1%) whatever its magnitude, in constant memory. Single-threaded.
#pragma once

#include <algorithm>
#include <array>
#include <bit>
#include <cstdint>

namespace bench {

class LatencyHistogram {
 public:
  static constexpr int kSubBucketBits = 7;  // 128 sub-buckets: relative error < 0.8%
  static constexpr uint64_t kSubBuckets = uint64_t{1} << kSubBucketBits;
  static constexpr int kPowers = 64 - kSubBucketBits + 1;

  void Record(uint64_t ns) {
    ++counts_[Index(ns)];
    ++total_;
    max_ = std::max(max_, ns);
  }

  uint64_t count() const { return total_; }
  uint64_t max() const { return max_; }

  // The smallest recorded bucket value v such that at least fraction q of the values are <= v
  // (the bucket's upper edge, so a percentile is never reported lower than it was).
  uint64_t Percentile(double q) const {
    if (total_ == 0) return 0;
    uint64_t want = static_cast<uint64_t>(q * static_cast<double>(total_) + 0.5);
    want = std::clamp<uint64_t>(want, 1, total_);
    uint64_t seen = 0;
    for (size_t i = 0; i < counts_.size(); ++i) {
      seen += counts_[i];
      if (seen >= want) return std::min(UpperEdge(i), max_);
    }
    return max_;
  }

 private:
  // Values below kSubBuckets are exact (power 0); above, power p holds [2^(p+b-1), 2^(p+b)).
  static size_t Index(uint64_t v) {
    if (v < kSubBuckets) return static_cast<size_t>(v);
    int power = std::bit_width(v) - kSubBucketBits;  // >= 1
    uint64_t sub = v >> power;                       // in [kSubBuckets/2, kSubBuckets)
    return static_cast<size_t>(power) * (kSubBuckets / 2) + (kSubBuckets / 2) +
           static_cast<size_t>(sub - kSubBuckets / 2);
  }
  static uint64_t UpperEdge(size_t index) {
    if (index < kSubBuckets) return index;
    size_t power = (index - kSubBuckets / 2) / (kSubBuckets / 2);
    uint64_t sub = (index - kSubBuckets / 2) % (kSubBuckets / 2) + kSubBuckets / 2;
    return ((sub + 1) << power) - 1;
  }

  std::array<uint64_t, kPowers*(kSubBuckets / 2) + kSubBuckets / 2> counts_{};
  uint64_t total_ = 0;
  uint64_t max_ = 0;
};

}  // namespace bench
