#include "whois/rdap/rdap_url.h"

#include <arpa/inet.h>

#include <cstring>

#include "util/ascii.h"

namespace whois::rdap {
namespace {

bool IsHostChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_';
}

}  // namespace

util::StatusOr<RdapUrl> ParseRdapUrl(std::string_view url) {
  if (url.empty()) return util::Status::InvalidArgument("empty URL");
  if (url.size() > kMaxRdapUrlBytes) {
    return util::Status::InvalidArgument("URL of " + std::to_string(url.size()) +
                                         " bytes exceeds the limit of " +
                                         std::to_string(kMaxRdapUrlBytes));
  }
  for (char c : url) {
    auto u = static_cast<unsigned char>(c);
    if (u <= 0x20 || u >= 0x7f)
      return util::Status::InvalidArgument("URL holds whitespace, a control or non-ASCII byte");
  }
  size_t colon = url.find("://");
  if (colon == std::string_view::npos)
    return util::Status::InvalidArgument("URL is not absolute (no scheme://)");
  RdapUrl out;
  out.scheme = util::ToLower(url.substr(0, colon));
  if (out.scheme != "http" && out.scheme != "https") {
    return util::Status::InvalidArgument("URL scheme '" + out.scheme + "' is not http or https");
  }
  std::string_view rest = url.substr(colon + 3);
  size_t end = rest.find_first_of("/?#");
  std::string_view authority = rest.substr(0, end);
  out.path = end == std::string_view::npos ? "/" : std::string(rest.substr(end));
  if (!out.path.empty() && out.path.front() != '/') out.path.insert(0, "/");
  if (size_t hash = out.path.find('#'); hash != std::string::npos) out.path.resize(hash);
  if (authority.find('@') != std::string_view::npos) {
    return util::Status::InvalidArgument("URL carries credentials (user@host)");
  }
  std::string_view host = authority;
  std::string_view port;
  if (!authority.empty() && authority.front() == '[') {
    size_t close = authority.find(']');
    if (close == std::string_view::npos)
      return util::Status::InvalidArgument("URL has an unclosed '[' in its host");
    host = authority.substr(1, close - 1);
    std::string_view after = authority.substr(close + 1);
    if (!after.empty()) {
      if (after.front() != ':')
        return util::Status::InvalidArgument("URL has junk after its IPv6 host");
      port = after.substr(1);
    }
    in6_addr a6;
    if (inet_pton(AF_INET6, std::string(host).c_str(), &a6) != 1) {
      return util::Status::InvalidArgument("URL host is not a valid IPv6 literal");
    }
    out.host_is_ip_literal = true;
    out.host = util::ToLower(host);
  } else {
    if (size_t c = authority.find(':'); c != std::string_view::npos) {
      host = authority.substr(0, c);
      port = authority.substr(c + 1);
    }
    out.host = util::ToLower(host);
    if (out.host.empty()) return util::Status::InvalidArgument("URL has no host");
    if (out.host.size() > 253) return util::Status::InvalidArgument("URL host name is too long");
    for (char c : out.host) {
      if (!IsHostChar(c))
        return util::Status::InvalidArgument("URL host '" + out.host +
                                             "' holds a character not allowed");
    }
    in_addr a4;
    out.host_is_ip_literal = inet_pton(AF_INET, out.host.c_str(), &a4) == 1;
  }
  if (!port.empty() || authority.ends_with(':')) {
    if (port.empty() || port.size() > 5)
      return util::Status::InvalidArgument("URL port is not a number 1-65535");
    int value = 0;
    for (char c : port) {
      if (c < '0' || c > '9')
        return util::Status::InvalidArgument("URL port is not a number 1-65535");
      value = value * 10 + (c - '0');
    }
    if (value < 1 || value > 65535)
      return util::Status::InvalidArgument("URL port is not a number 1-65535");
    out.port = value;
  }
  return out;
}

bool IsLoopbackLiteral(std::string_view host) {
  std::string h(host);
  in_addr a4;
  if (inet_pton(AF_INET, h.c_str(), &a4) == 1) {
    return (ntohl(a4.s_addr) >> 24) == 127;
  }
  in6_addr a6;
  if (inet_pton(AF_INET6, h.c_str(), &a6) == 1) {
    return IN6_IS_ADDR_LOOPBACK(&a6);
  }
  return false;
}

std::string WithTrailingSlash(std::string_view base) {
  std::string out(base);
  while (out.size() > 1 && out.back() == '/' && out[out.size() - 2] == '/') out.pop_back();
  if (out.empty() || out.back() != '/') out.push_back('/');
  return out;
}

std::string DomainQueryUrl(std::string_view base, std::string_view domain) {
  return WithTrailingSlash(base) + "domain/" + std::string(domain);
}

}  // namespace whois::rdap
