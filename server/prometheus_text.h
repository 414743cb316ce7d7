// Prometheus's text exposition format (version 0.0.4), written by hand: Debian 12 has no
// prometheus-cpp package, and the proxy needs only the writer (its figures already live in the
// modules that own them and are read at scrape time), not a registry of metric objects. Pure:
// no I/O.
//
// Families are written one at a time: Family() writes the # HELP and # TYPE lines, then the
// family's samples follow. Names must match [a-zA-Z_:][a-zA-Z0-9_:]*, label names
// [a-zA-Z_][a-zA-Z0-9_]*; label values and help texts are escaped here.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace server {

// Observations counted into buckets with fixed upper bounds (in the metric's base unit).
class Histogram {
 public:
  explicit Histogram(std::vector<double> bounds);
  void Observe(double value);
  const std::vector<double>& bounds() const { return bounds_; }
  // Per bucket, not cumulative; one more than bounds() (the last is +Inf).
  const std::vector<uint64_t>& counts() const { return counts_; }
  double sum() const { return sum_; }
  uint64_t count() const { return count_; }

 private:
  std::vector<double> bounds_;
  std::vector<uint64_t> counts_;
  double sum_ = 0;
  uint64_t count_ = 0;
};

struct PromLabel {
  std::string_view name;
  std::string_view value;
};

class PrometheusText {
 public:
  enum class Type { kCounter, kGauge, kHistogram };

  // Starts a family: its # HELP and # TYPE lines.
  void Family(std::string_view name, Type type, std::string_view help);
  // One sample of the current family (`name` is the family's, or for a histogram its _bucket,
  // _sum or _count series).
  void Sample(std::string_view name, std::initializer_list<PromLabel> labels, double value);
  void Sample(std::string_view name, std::span<const PromLabel> labels, double value);
  // A histogram's _bucket (cumulative, with le="+Inf"), _sum and _count series.
  void HistogramSamples(std::string_view name, std::initializer_list<PromLabel> labels,
                        const Histogram& h);
  // Shorthands for a family with one unlabelled sample.
  void Counter(std::string_view name, std::string_view help, double value);
  void Gauge(std::string_view name, std::string_view help, double value);

  const std::string& text() const { return out_; }
  std::string Take() { return std::move(out_); }

  // The value as Prometheus writes it: integers without a fraction, +Inf/-Inf/NaN by name.
  static std::string FormatValue(double value);
  // A label value with \, " and newline escaped.
  static std::string EscapeLabelValue(std::string_view value);

 private:
  std::string out_;
};

}  // namespace server
