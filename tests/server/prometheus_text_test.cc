#include "server/prometheus_text.h"

#include <gtest/gtest.h>

#include "server/metrics_http.h"

namespace server {
namespace {

TEST(PrometheusText, FamilyWritesHelpTypeAndSamples) {
  PrometheusText p;
  p.Family("whois_proxy_gets_total", PrometheusText::Type::kCounter, "GETs by outcome.");
  p.Sample("whois_proxy_gets_total", {{"outcome", "hot_hit"}}, 3);
  p.Gauge("whois_proxy_clients", "Clients.", 0.5);
  EXPECT_EQ(p.text(),
            "# HELP whois_proxy_gets_total GETs by outcome.\n"
            "# TYPE whois_proxy_gets_total counter\n"
            "whois_proxy_gets_total{outcome=\"hot_hit\"} 3\n"
            "# HELP whois_proxy_clients Clients.\n"
            "# TYPE whois_proxy_clients gauge\n"
            "whois_proxy_clients 0.5\n");
}

TEST(PrometheusText, EscapesLabelValuesAndHelp) {
  PrometheusText p;
  p.Family("m", PrometheusText::Type::kGauge, "a \\ b\nc");
  p.Sample("m", {{"host", "a\"b\\c\nd"}}, 1);
  EXPECT_EQ(p.text(),
            "# HELP m a \\\\ b\\nc\n# TYPE m gauge\n"
            "m{host=\"a\\\"b\\\\c\\nd\"} 1\n");
}

TEST(PrometheusText, FormatsValuesAsPrometheusReadsThem) {
  EXPECT_EQ(PrometheusText::FormatValue(0), "0");
  EXPECT_EQ(PrometheusText::FormatValue(12345678901), "12345678901");
  EXPECT_EQ(PrometheusText::FormatValue(0.005), "0.005");
  EXPECT_EQ(PrometheusText::FormatValue(-2.5), "-2.5");
  EXPECT_EQ(PrometheusText::FormatValue(1.0 / 0.0), "+Inf");
  EXPECT_EQ(PrometheusText::FormatValue(-1.0 / 0.0), "-Inf");
  EXPECT_EQ(PrometheusText::FormatValue(0.0 / 0.0), "NaN");
}

TEST(PrometheusText, HistogramBucketsAreCumulativeWithInfSumAndCount) {
  Histogram h({0.1, 1});
  h.Observe(0.05);
  h.Observe(0.1);  // le is inclusive
  h.Observe(0.5);
  h.Observe(7);
  PrometheusText p;
  p.HistogramSamples("d_seconds", {{"kind", "x"}}, h);
  EXPECT_EQ(p.text(),
            "d_seconds_bucket{kind=\"x\",le=\"0.1\"} 2\n"
            "d_seconds_bucket{kind=\"x\",le=\"1\"} 3\n"
            "d_seconds_bucket{kind=\"x\",le=\"+Inf\"} 4\n"
            "d_seconds_sum{kind=\"x\"} 7.65\n"
            "d_seconds_count{kind=\"x\"} 4\n");
}

TEST(MetricsHttp, ServesMetricsOnGetAndHead) {
  int renders = 0;
  auto render = [&] {
    ++renders;
    return std::string("m 1\n");
  };
  std::string r = MetricsHttpReply("GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n", render);
  EXPECT_TRUE(r.starts_with("HTTP/1.1 200 OK\r\n")) << r;
  EXPECT_NE(r.find("Content-Type: text/plain; version=0.0.4; charset=utf-8\r\n"),
            std::string::npos);
  EXPECT_NE(r.find("Content-Length: 4\r\n"), std::string::npos);
  EXPECT_TRUE(r.ends_with("\r\n\r\nm 1\n"));
  r = MetricsHttpReply("HEAD /metrics?x=1 HTTP/1.0\r\n\r\n", render);
  EXPECT_TRUE(r.starts_with("HTTP/1.1 200 OK\r\n"));
  EXPECT_TRUE(r.ends_with("Content-Length: 4\r\nConnection: close\r\n\r\n")) << r;
  EXPECT_EQ(renders, 2);
}

TEST(MetricsHttp, AnswersOtherRequestsWithoutRendering) {
  int renders = 0;
  auto render = [&] {
    ++renders;
    return std::string();
  };
  EXPECT_TRUE(MetricsHttpReply("GET /other HTTP/1.1\r\n\r\n", render).starts_with("HTTP/1.1 404"));
  EXPECT_TRUE(
      MetricsHttpReply("POST /metrics HTTP/1.1\r\n\r\n", render).starts_with("HTTP/1.1 405"));
  EXPECT_TRUE(MetricsHttpReply("PING\r\n\r\n", render).starts_with("HTTP/1.1 400"));
  EXPECT_TRUE(MetricsHttpReply("GET /metrics SMTP\r\n\r\n", render).starts_with("HTTP/1.1 400"));
  EXPECT_EQ(renders, 0);
}

}  // namespace
}  // namespace server
