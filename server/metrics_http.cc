#include "server/metrics_http.h"

namespace server {
namespace {

std::string Response(std::string_view status, std::string_view content_type, std::string_view body,
                     bool with_body, std::string_view extra_header = {}) {
  std::string out = "HTTP/1.1 ";
  out += status;
  out += "\r\nContent-Type: ";
  out += content_type;
  out += "\r\nContent-Length: ";
  out += std::to_string(body.size());
  out += "\r\nConnection: close\r\n";
  out += extra_header;
  out += "\r\n";
  if (with_body) out += body;
  return out;
}

}  // namespace

std::string MetricsHttpReply(std::string_view head, const std::function<std::string()>& render) {
  constexpr std::string_view kText = "text/plain; charset=utf-8";
  size_t eol = head.find("\r\n");
  std::string_view line = head.substr(0, eol);
  size_t sp1 = line.find(' ');
  size_t sp2 = sp1 == std::string_view::npos ? sp1 : line.find(' ', sp1 + 1);
  if (sp2 == std::string_view::npos || !line.substr(sp2 + 1).starts_with("HTTP/1."))
    return Response("400 Bad Request", kText, "bad request\n", true);
  std::string_view method = line.substr(0, sp1);
  std::string_view target = line.substr(sp1 + 1, sp2 - sp1 - 1);
  target = target.substr(0, target.find('?'));
  bool head_only = method == "HEAD";
  if (method != "GET" && !head_only)
    return Response("405 Method Not Allowed", kText, "only GET and HEAD\n", true,
                    "Allow: GET, HEAD\r\n");
  if (target == "/metrics") return Response("200 OK", kPrometheusContentType, render(), !head_only);
  if (target == "/")
    return Response("200 OK", kText, "whois-proxy: the metrics are at /metrics\n", !head_only);
  return Response("404 Not Found", kText, "not found; the metrics are at /metrics\n", !head_only);
}

}  // namespace server
