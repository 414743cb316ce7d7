// Key choosers for the load generator: uniform, or Zipf-distributed ranks scattered over the
// key space.
//
// ZipfSampler draws k in [1, n] with P(k) proportional to 1/k^s by rejection-inversion
// (W. Hörmann and G. Derflinger, "Rejection-inversion to generate variates from monotone
// discrete distributions", 1996): constant time and memory per draw, any s > 0, so a five
// million key space needs no table of cumulative weights.
#pragma once

#include <cmath>
#include <cstdint>
#include <numeric>
#include <random>

namespace bench {

class ZipfSampler {
 public:
  ZipfSampler(uint64_t n, double s) : n_(n), s_(s) {
    h_integral_x1_ = HIntegral(1.5) - 1.0;
    h_integral_n_ = HIntegral(static_cast<double>(n) + 0.5);
    threshold_ = 2.0 - HIntegralInverse(HIntegral(2.5) - H(2.0));
  }

  // A rank in [1, n]: rank 1 is the most frequent.
  template <class Rng>
  uint64_t operator()(Rng& rng) {
    std::uniform_real_distribution<double> unit(0.0, 1.0);
    for (;;) {
      double u = h_integral_n_ + unit(rng) * (h_integral_x1_ - h_integral_n_);
      double x = HIntegralInverse(u);
      double kd = std::floor(x + 0.5);
      if (kd < 1) kd = 1;
      if (kd > static_cast<double>(n_)) kd = static_cast<double>(n_);
      if (kd - x <= threshold_ || u >= HIntegral(kd + 0.5) - H(kd)) return static_cast<uint64_t>(kd);
    }
  }

 private:
  double H(double x) const { return std::exp(-s_ * std::log(x)); }
  // The integral of H from 1 to x, shifted; written with expm1/log1p so that s near 1 is exact.
  double HIntegral(double x) const {
    double log_x = std::log(x);
    return Helper2((1.0 - s_) * log_x) * log_x;
  }
  double HIntegralInverse(double x) const {
    double t = x * (1.0 - s_);
    if (t < -1.0) t = -1.0;  // rounding near the lower end
    return std::exp(Helper1(t) * x);
  }
  static double Helper1(double x) { return std::abs(x) > 1e-8 ? std::log1p(x) / x : 1.0 - x / 2.0; }
  static double Helper2(double x) { return std::abs(x) > 1e-8 ? std::expm1(x) / x : 1.0 + x / 2.0; }

  uint64_t n_;
  double s_;
  double h_integral_x1_ = 0, h_integral_n_ = 0, threshold_ = 0;
};

// A bijection of [0, n) that scatters consecutive ranks over the key space, so that the popular
// keys are not the first ones loaded (which would sit together in LevelDB's newest files).
class RankScatter {
 public:
  explicit RankScatter(uint64_t n) : n_(n) {
    multiplier_ = 2654435761u % n_;
    if (multiplier_ == 0) multiplier_ = 1;
    while (std::gcd(multiplier_, n_) != 1) ++multiplier_;
  }
  uint64_t operator()(uint64_t rank) const {
    // n < 2^32 (checked by the caller's option parsing), so the product fits in 64 bits.
    return (rank * multiplier_ + 12345) % n_;
  }

 private:
  uint64_t n_;
  uint64_t multiplier_;
};

}  // namespace bench
