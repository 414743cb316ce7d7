# The WHOIS upstream client (port 43 over libuv) and its pure helpers: the address policy that
# keeps untrusted referrals away from loopback/private networks, and charset decoding (glibc
# iconv, no extra library).
add_library(wp_whois_upstream STATIC
  ${CMAKE_CURRENT_LIST_DIR}/address_policy.cc
  ${CMAKE_CURRENT_LIST_DIR}/charset.cc
  ${CMAKE_CURRENT_LIST_DIR}/upstream_client.cc
)
target_include_directories(wp_whois_upstream PUBLIC ${PROJECT_SOURCE_DIR})
target_link_libraries(wp_whois_upstream PUBLIC PkgConfig::UV spdlog::spdlog)
