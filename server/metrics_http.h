// The metrics port's HTTP: just enough HTTP/1.x for Prometheus (and curl) to scrape /metrics.
// One request per connection, answered with "Connection: close". Pure: the request head in,
// the whole response out; the body comes from `render` (BuildMetrics), called only for a
// request that gets it.
#pragma once

#include <functional>
#include <string>
#include <string_view>

namespace server {

// The content type of Prometheus's text format, version 0.0.4.
inline constexpr std::string_view kPrometheusContentType =
    "text/plain; version=0.0.4; charset=utf-8";

// GET or HEAD of /metrics (a query string is ignored): 200 with the scrape; `/`: 200 with a
// pointer to /metrics; any other path 404; another method 405; a head that is not HTTP/1.x 400.
std::string MetricsHttpReply(std::string_view request_head,
                             const std::function<std::string()>& render);

}  // namespace server
