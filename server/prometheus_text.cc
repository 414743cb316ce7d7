#include "server/prometheus_text.h"

#include <algorithm>
#include <charconv>
#include <cmath>

namespace server {

Histogram::Histogram(std::vector<double> bounds)
    : bounds_(std::move(bounds)), counts_(bounds_.size() + 1, 0) {}

void Histogram::Observe(double value) {
  // The first bucket whose upper bound is not below the value (le is inclusive).
  size_t i = std::lower_bound(bounds_.begin(), bounds_.end(), value) - bounds_.begin();
  ++counts_[i];
  sum_ += value;
  ++count_;
}

std::string PrometheusText::FormatValue(double v) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
  // The shortest text that reads back as the same double ("0.005", not "0.0050000000000000001").
  char buf[64];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
  return ec == std::errc() ? std::string(buf, end) : std::string("NaN");
}

std::string PrometheusText::EscapeLabelValue(std::string_view value) {
  std::string out;
  out.reserve(value.size());
  for (char c : value) {
    if (c == '\\')
      out += "\\\\";
    else if (c == '"')
      out += "\\\"";
    else if (c == '\n')
      out += "\\n";
    else
      out += c;
  }
  return out;
}

void PrometheusText::Family(std::string_view name, Type type, std::string_view help) {
  out_ += "# HELP ";
  out_ += name;
  out_ += ' ';
  for (char c : help) {
    if (c == '\\')
      out_ += "\\\\";
    else if (c == '\n')
      out_ += "\\n";
    else
      out_ += c;
  }
  out_ += "\n# TYPE ";
  out_ += name;
  out_ += type == Type::kCounter ? " counter\n"
          : type == Type::kGauge ? " gauge\n"
                                 : " histogram\n";
}

void PrometheusText::Sample(std::string_view name, std::initializer_list<PromLabel> labels,
                            double value) {
  Sample(name, std::span<const PromLabel>(labels.begin(), labels.size()), value);
}

void PrometheusText::Sample(std::string_view name, std::span<const PromLabel> labels,
                            double value) {
  out_ += name;
  if (!labels.empty()) {
    out_ += '{';
    bool first = true;
    for (const PromLabel& l : labels) {
      if (!first) out_ += ',';
      first = false;
      out_ += l.name;
      out_ += "=\"";
      out_ += EscapeLabelValue(l.value);
      out_ += '"';
    }
    out_ += '}';
  }
  out_ += ' ';
  out_ += FormatValue(value);
  out_ += '\n';
}

void PrometheusText::HistogramSamples(std::string_view name,
                                      std::initializer_list<PromLabel> labels, const Histogram& h) {
  std::string bucket = std::string(name) + "_bucket";
  std::vector<PromLabel> with_le(labels.begin(), labels.end());
  with_le.push_back({"le", ""});
  uint64_t cumulative = 0;
  for (size_t i = 0; i <= h.bounds().size(); ++i) {
    cumulative += h.counts()[i];
    std::string le = i < h.bounds().size() ? FormatValue(h.bounds()[i]) : "+Inf";
    with_le.back().value = le;
    Sample(bucket, with_le, static_cast<double>(cumulative));
  }
  Sample(std::string(name) + "_sum", labels, h.sum());
  Sample(std::string(name) + "_count", labels, static_cast<double>(h.count()));
}

void PrometheusText::Counter(std::string_view name, std::string_view help, double value) {
  Family(name, Type::kCounter, help);
  Sample(name, {}, value);
}

void PrometheusText::Gauge(std::string_view name, std::string_view help, double value) {
  Family(name, Type::kGauge, help);
  Sample(name, {}, value);
}

}  // namespace server
