# Live resolution: the resolver (loop thread, drives queries along the referral chain), its RDAP
# source, the upstream gate (each host's limits in front of the upstream clients), and the record
# assembly (pure: a finished chain becomes the JSON record).
add_library(wp_whois_assembly STATIC ${CMAKE_CURRENT_LIST_DIR}/record_assembly.cc)
target_include_directories(wp_whois_assembly PUBLIC ${PROJECT_SOURCE_DIR})
target_link_libraries(wp_whois_assembly PUBLIC wp_whois_parser wp_whois_record wp_whois_names)

add_library(wp_whois_resolver STATIC
  ${CMAKE_CURRENT_LIST_DIR}/rdap_source.cc
  ${CMAKE_CURRENT_LIST_DIR}/resolver.cc
  ${CMAKE_CURRENT_LIST_DIR}/run_soon.cc
  ${CMAKE_CURRENT_LIST_DIR}/upstream_gate.cc
)
target_include_directories(wp_whois_resolver PUBLIC ${PROJECT_SOURCE_DIR})
target_link_libraries(wp_whois_resolver PUBLIC wp_whois_upstream wp_whois_directory
  wp_whois_parser wp_whois_limits wp_whois_rdap wp_whois_rdap_http PkgConfig::UV spdlog::spdlog)
