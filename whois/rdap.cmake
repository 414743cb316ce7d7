# RDAP (RFC 9082/9083/9224) as a second source beside WHOIS. Two libraries:
#   wp_whois_rdap       pure: bootstrap registry (with its compiled-in IANA copy, see
#                       rdap/data/README.md), URL rules, Retry-After parsing and the RDAP JSON -> WhoisRecord
#                       mapper.
#   wp_whois_rdap_http  I/O: the HTTP(S) GET client, libcurl's multi interface driven by libuv.
add_library(wp_whois_rdap STATIC
  ${CMAKE_CURRENT_LIST_DIR}/rdap/rdap_url.cc
  ${CMAKE_CURRENT_LIST_DIR}/rdap/bootstrap.cc
  ${CMAKE_CURRENT_LIST_DIR}/rdap/rdap_values.cc
  ${CMAKE_CURRENT_LIST_DIR}/rdap/jcard.cc
  ${CMAKE_CURRENT_LIST_DIR}/rdap/rdap_mapper.cc
  ${CMAKE_CURRENT_LIST_DIR}/rdap/retry_after.cc
)
target_include_directories(wp_whois_rdap PUBLIC ${PROJECT_SOURCE_DIR})
# wp_whois_parser for IsRedactionPlaceholder (the same placeholder list as the WHOIS path).
target_link_libraries(wp_whois_rdap PUBLIC wp_whois_record wp_whois_parser
  nlohmann_json::nlohmann_json)
# The generated bootstrap copy is #included by bootstrap.cc; rebuild when it changes.
set_property(SOURCE ${CMAKE_CURRENT_LIST_DIR}/rdap/bootstrap.cc APPEND PROPERTY OBJECT_DEPENDS
  ${CMAKE_CURRENT_LIST_DIR}/rdap/data/dns_json.inc)

pkg_check_modules(CURL REQUIRED IMPORTED_TARGET libcurl)
add_library(wp_whois_rdap_http STATIC
  ${CMAKE_CURRENT_LIST_DIR}/rdap/http_client.cc
)
target_include_directories(wp_whois_rdap_http PUBLIC ${PROJECT_SOURCE_DIR})
# wp_whois_upstream for the address policy (ClassifyAddress) applied to every connection.
target_link_libraries(wp_whois_rdap_http PUBLIC wp_whois_rdap wp_whois_upstream PkgConfig::UV
  PkgConfig::CURL)
